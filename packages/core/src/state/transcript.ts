import { randomBytes, randomUUID } from "node:crypto";

// Session transcripts in OpenClaw's (pi-coding-agent SessionManager v3) JSONL format, spec §4.2:
// line 1 is the header, every other line a tree entry with `id` and `parentId`.

export const TRANSCRIPT_VERSION = 3;

export interface TranscriptHeader {
  type: "session";
  version: number;
  /** Session id (uuid); equals `SessionEntry.sessionId`. */
  id: string;
  timestamp: string;
  cwd?: string;
  parentSession?: string;
  [key: string]: unknown;
}

/** Content blocks as OpenClaw writes them. Unknown block types pass through untouched. */
export type TranscriptContentBlock =
  | { type: "text"; text: string; [key: string]: unknown }
  | { type: "thinking"; thinking: string; thinkingSignature?: string; [key: string]: unknown }
  | { type: "toolCall"; id: string; name: string; arguments: Record<string, unknown>; [key: string]: unknown }
  | { type: "image"; data?: string; mimeType?: string; [key: string]: unknown }
  | { type: string; [key: string]: unknown };

export interface TranscriptMessage {
  role: "user" | "assistant" | "toolResult" | string;
  content: string | TranscriptContentBlock[];
  timestamp?: number;
  /** assistant: */
  provider?: string;
  model?: string;
  api?: string;
  usage?: Record<string, unknown>;
  stopReason?: string;
  errorMessage?: string;
  /** toolResult: */
  toolCallId?: string;
  toolName?: string;
  isError?: boolean;
  [key: string]: unknown;
}

interface EntryBase {
  /** Short hex id, unique within the transcript. */
  id: string;
  /** Previous entry on this branch; null for the first entry. */
  parentId: string | null;
  timestamp: string;
}

export type MessageEntry = EntryBase & { type: "message"; message: TranscriptMessage };
export type ModelChangeEntry = EntryBase & { type: "model_change"; provider: string; modelId: string };
export type ThinkingLevelChangeEntry = EntryBase & { type: "thinking_level_change"; thinkingLevel: string };
export type CompactionEntry = EntryBase & {
  type: "compaction";
  summary: string;
  firstKeptEntryId: string;
  tokensBefore: number;
  details?: unknown;
};
export type BranchSummaryEntry = EntryBase & { type: "branch_summary"; summary: string; fromId?: string };
export type CustomEntry = EntryBase & { type: "custom"; customType: string; data?: unknown };
export type CustomMessageEntry = EntryBase & {
  type: "custom_message";
  customType: string;
  content: string | TranscriptContentBlock[];
  display?: boolean;
  details?: unknown;
};
export type LabelEntry = EntryBase & { type: "label"; targetId: string; label?: string };

/** Every entry type OpenClaw writes; unknown future types are kept as `UnknownEntry`. */
export type TranscriptEntry =
  | MessageEntry
  | ModelChangeEntry
  | ThinkingLevelChangeEntry
  | CompactionEntry
  | BranchSummaryEntry
  | CustomEntry
  | CustomMessageEntry
  | LabelEntry;

/** What callers pass to append: the store assigns id, parentId (current leaf) and timestamp. */
export type TranscriptEntryInput = DistributiveOmit<TranscriptEntry, "id" | "parentId" | "timestamp"> & {
  id?: string;
  parentId?: string | null;
  timestamp?: string;
};
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface TranscriptIssue {
  /** 1-based line number. */
  line: number;
  kind: "corrupt" | "torn_tail" | "missing_header" | "invalid_entry";
  message: string;
}

export interface TranscriptReadResult {
  header?: TranscriptHeader;
  entries: TranscriptEntry[];
  /** Lines skipped (corrupt, torn last line, header problems). The rest still loads. */
  issues: TranscriptIssue[];
}

export function newEntryId(): string {
  return randomBytes(4).toString("hex");
}

export function newSessionId(): string {
  return randomUUID();
}

export function createTranscriptHeader(
  sessionId: string,
  options: { cwd?: string; parentSession?: string; now?: Date } = {},
): TranscriptHeader {
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
 */
export function parseTranscriptJsonl(text: string): TranscriptReadResult {
  const issues: TranscriptIssue[] = [];
  const entries: TranscriptEntry[] = [];
  let header: TranscriptHeader | undefined;
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
      else header = record as TranscriptHeader;
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

/** The active branch: from the latest entry back to the root, returned root-first. */
export function activeBranch(entries: readonly TranscriptEntry[], leafId?: string): TranscriptEntry[] {
  if (entries.length === 0) return [];
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const path: TranscriptEntry[] = [];
  let current = leafId ? byId.get(leafId) : entries[entries.length - 1];
  const seen = new Set<string>();
  while (current && !seen.has(current.id)) {
    seen.add(current.id);
    path.push(current);
    current = current.parentId ? byId.get(current.parentId) : undefined;
  }
  return path.reverse();
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
