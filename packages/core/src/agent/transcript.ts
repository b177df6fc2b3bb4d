// Transcript entries in OpenClaw's JSONL shape (pi-coding-agent SessionManager format, spec §4.2):
// line 1 is a `session` header, then tree entries linked by `parentId`; the active branch is the
// path from the newest leaf back to the root.

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

export interface SessionHeader {
  type: "session";
  version: number;
  id: string;
  timestamp: string;
  cwd: string;
  parentSession?: string;
}

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

/** The active branch: from the newest entry back to the root, returned root-first. */
export function activeBranch(entries: TranscriptEntry[]): TranscriptEntry[] {
  if (entries.length === 0) return [];
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const branch: TranscriptEntry[] = [];
  let current: TranscriptEntry | undefined = entries[entries.length - 1];
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
