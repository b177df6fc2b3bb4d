import { randomBytes, randomUUID } from "node:crypto";

// Session transcripts in OpenClaw's JSONL shape (pi-coding-agent SessionManager v3, spec §4.2):
// line 1 is a `session` header, then tree entries linked by `parentId`; the active branch is the
// path from the newest leaf back to the root. The one transcript module: the agent runtime and
// the state layer's SessionStore both read and write through these types and functions.

export const TRANSCRIPT_VERSION = 3;

export interface TextBlock {
  type: "text";
  text: string;
}
export interface ThinkingBlock {
  type: "thinking";
  thinking: string;
  thinkingSignature?: string;
}
export interface ToolCallBlock {
  type: "toolCall";
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}
export interface ImageBlock {
  type: "image";
  data: string;
  mimeType: string;
}

export interface TranscriptUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  totalTokens: number;
  cost: { input: number; output: number; cacheRead: number; cacheWrite: number; total: number };
}

export type StopReason = "stop" | "length" | "toolUse" | "error" | "aborted";

export interface UserMessage {
  role: "user";
  content: (TextBlock | ImageBlock)[] | string;
  timestamp: number;
}
export interface AssistantMessage {
  role: "assistant";
  content: (TextBlock | ThinkingBlock | ToolCallBlock)[];
  api?: string;
  provider: string;
  model: string;
  usage: TranscriptUsage;
  stopReason: StopReason;
  errorMessage?: string;
  timestamp: number;
}
export interface ToolResultMessage {
  role: "toolResult";
  toolCallId: string;
  toolName: string;
  content: (TextBlock | ImageBlock)[];
  details?: unknown;
  isError: boolean;
  timestamp: number;
}
export type TranscriptMessage = UserMessage | AssistantMessage | ToolResultMessage;

/** Line 1 of a transcript. Unknown fields OpenClaw writes are kept. */
export interface SessionHeader {
  type: "session";
  version: number;
  /** Session id (uuid); equals `SessionEntry.sessionId`. */
  id: string;
  timestamp: string;
  /** The agent's workspace when the session started. */
  cwd?: string;
  parentSession?: string;
  [key: string]: unknown;
}
/** Same as {@link SessionHeader} (the state layer's name for it). */
export type TranscriptHeader = SessionHeader;

interface EntryBase {
  id: string;
  parentId: string | null;
  timestamp: string;
}
export type MessageEntry = EntryBase & { type: "message"; message: TranscriptMessage };
export type CompactionEntry = EntryBase & {
  type: "compaction";
  summary: string;
  firstKeptEntryId: string;
  tokensBefore: number;
  details?: unknown;
};
export type ModelChangeEntry = EntryBase & { type: "model_change"; provider: string; modelId: string };
export type ThinkingLevelChangeEntry = EntryBase & { type: "thinking_level_change"; thinkingLevel: string };
export type CustomEntry = EntryBase & { type: "custom"; customType: string; data?: unknown };
export type OtherEntry = EntryBase & {
  type: "branch_summary" | "custom_message" | "label";
  [key: string]: unknown;
};

export type TranscriptEntry =
  | MessageEntry
  | CompactionEntry
  | ModelChangeEntry
  | ThinkingLevelChangeEntry
  | CustomEntry
  | OtherEntry;

/** Distributive Omit so callers can build any entry kind without id/parentId/timestamp. */
export type NewTranscriptEntry = TranscriptEntry extends infer E
  ? E extends TranscriptEntry
    ? Omit<E, "id" | "parentId" | "timestamp"> & { timestamp?: string }
    : never
  : never;

/**
 * An entry handed to `SessionStore.append` (imports, tools, tests): any entry type with its own
 * fields; the store fills in `id`, `parentId` (the current leaf) and `timestamp` when missing.
 */
export type TranscriptEntryInput = {
  type: string;
  id?: string;
  parentId?: string | null;
  timestamp?: string;
  [key: string]: unknown;
};

export interface TranscriptIssue {
  /** 1-based line number. */
  line: number;
  kind: "corrupt" | "torn_tail" | "missing_header" | "invalid_entry";
  message: string;
}

export interface TranscriptReadResult {
  header?: SessionHeader;
  entries: TranscriptEntry[];
  /** Lines skipped (corrupt, torn last line, header problems). The rest still loads. */
  issues: TranscriptIssue[];
}

/** Short hex id, unique within a transcript. */
export function newEntryId(): string {
  return randomBytes(4).toString("hex");
}

export function newSessionId(): string {
  return randomUUID();
}

export function createTranscriptHeader(
  sessionId: string,
  options: { cwd?: string; parentSession?: string; now?: Date } = {},
): SessionHeader {
  return {
    type: "session",
    version: TRANSCRIPT_VERSION,
    id: sessionId,
    timestamp: (options.now ?? new Date()).toISOString(),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.parentSession ? { parentSession: options.parentSession } : {}),
  };
}

/**
 * Parse transcript text. A last line without a newline that does not parse is a torn write
 * (a crash mid-append) and is dropped; any other unparsable line is skipped and reported.
 * Entries are returned as written (types this runtime does not know included).
 */
export function parseTranscriptJsonl(text: string): TranscriptReadResult {
  const issues: TranscriptIssue[] = [];
  const entries: TranscriptEntry[] = [];
  let header: SessionHeader | undefined;
  const lines = text.split("\n");
  const endsWithNewline = text.endsWith("\n");
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") continue;
    const isLast = index === lines.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      const torn = isLast && !endsWithNewline;
      issues.push({
        line: index + 1,
        kind: torn ? "torn_tail" : "corrupt",
        message: torn
          ? "incomplete last line (interrupted write), ignored"
          : `not valid JSON: ${(error as Error).message}`,
      });
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      issues.push({ line: index + 1, kind: "invalid_entry", message: "line is not a JSON object" });
      continue;
    }
    const record = value as Record<string, unknown>;
    if (record.type === "session") {
      if (header)
        issues.push({ line: index + 1, kind: "invalid_entry", message: "second session header ignored" });
      else header = record as SessionHeader;
      continue;
    }
    if (typeof record.type !== "string" || typeof record.id !== "string") {
      issues.push({ line: index + 1, kind: "invalid_entry", message: "entry without type or id" });
      continue;
    }
    entries.push(record as unknown as TranscriptEntry);
  }
  if (!header && (entries.length > 0 || issues.length > 0))
    issues.unshift({ line: 1, kind: "missing_header", message: "no session header line" });
  return { header, entries, issues };
}

/** Id of the last complete entry in a transcript tail (for appends without reading everything). */
export function lastEntryIdFromTail(tail: string): string | undefined {
  const lines = tail.split("\n");
  for (let index = lines.length - 1; index >= 0; index--) {
    const line = lines[index]!.trim();
    if (line === "") continue;
    try {
      const value = JSON.parse(line) as { type?: string; id?: string };
      if (value.type !== "session" && typeof value.id === "string") return value.id;
      if (value.type === "session") return undefined;
    } catch {
      // torn or partial first line of the tail window: keep looking backwards
    }
  }
  return undefined;
}

export function emptyUsage(): TranscriptUsage {
  return {
    input: 0,
    output: 0,
    cacheRead: 0,
    cacheWrite: 0,
    totalTokens: 0,
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
  };
}

/** The active branch: from the newest entry (or `leafId`) back to the root, returned root-first. */
export function activeBranch(entries: readonly TranscriptEntry[], leafId?: string): TranscriptEntry[] {
  if (entries.length === 0) return [];
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const branch: TranscriptEntry[] = [];
  let current: TranscriptEntry | undefined = leafId ? byId.get(leafId) : entries[entries.length - 1];
  const guard = new Set<string>();
  while (current && !guard.has(current.id)) {
    guard.add(current.id);
    branch.push(current);
    current = current.parentId ? byId.get(current.parentId) : undefined;
  }
  return branch.reverse();
}

/**
 * What the model sees: the latest compaction summary (as a user-side context note) followed by
 * the messages from `firstKeptEntryId` on; without compaction, every message on the branch.
 */
export function contextMessages(branch: TranscriptEntry[]): { summary?: string; entries: MessageEntry[] } {
  let lastCompaction = -1;
  for (let index = branch.length - 1; index >= 0; index--) {
    if (branch[index]!.type === "compaction") {
      lastCompaction = index;
      break;
    }
  }
  if (lastCompaction === -1)
    return { entries: branch.filter((entry): entry is MessageEntry => entry.type === "message") };
  const compaction = branch[lastCompaction] as CompactionEntry;
  const keptStart = branch.findIndex((entry) => entry.id === compaction.firstKeptEntryId);
  const kept = keptStart === -1 ? branch.slice(lastCompaction + 1) : branch.slice(keptStart);
  return {
    summary: compaction.summary,
    entries: kept.filter((entry): entry is MessageEntry => entry.type === "message"),
  };
}

export function messageText(message: TranscriptMessage): string {
  if (typeof message.content === "string") return message.content;
  return message.content
    .map((block) => (block.type === "text" ? block.text : ""))
    .filter(Boolean)
    .join("");
}

/** chars/4 token estimate of one message (tool-call arguments and results included). */
export function estimateMessageTokens(message: TranscriptMessage): number {
  if (typeof message.content === "string") return Math.ceil(message.content.length / 4) + 4;
  let chars = 0;
  for (const block of message.content) {
    if (block.type === "text") chars += block.text.length;
    else if (block.type === "thinking") chars += block.thinking.length;
    else if (block.type === "toolCall") chars += block.name.length + JSON.stringify(block.arguments).length;
    else if (block.type === "image") chars += 4_000;
  }
  return Math.ceil(chars / 4) + 4;
}
