import {
  type NewTranscriptEntry,
  newEntryId,
  type SessionHeader,
  type TranscriptEntry,
} from "./transcript.js";

/**
 * One `sessions.json` entry (spec §4.1): the one session-entry type, for the agent runtime and the
 * state layer's SessionStore. Fields OpenClaw writes that are not listed here are kept as-is.
 */
export interface SessionEntry {
  sessionId: string;
  /** ms since epoch of the last activity. */
  updatedAt: number;
  sessionFile?: string;
  sessionStartedAt?: number;
  lastInteractionAt?: number;
  label?: string;
  chatType?: "direct" | "group" | "room" | string;
  provider?: string;
  channel?: string;
  subject?: string;
  room?: string;
  space?: string;
  displayName?: string;
  origin?: {
    label?: string;
    provider?: string;
    from?: string;
    to?: string;
    accountId?: string;
    threadId?: string | number;
  };
  spawnedBy?: string;
  thinkingLevel?: string;
  verboseLevel?: string;
  reasoningLevel?: string;
  elevatedLevel?: string;
  sendPolicy?: string;
  queueMode?: string;
  providerOverride?: string;
  modelOverride?: string;
  authProfileOverride?: string;
  /** Provider/model of the last run (what actually answered). */
  modelProvider?: string;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  contextTokens?: number;
  cacheRead?: number;
  cacheWrite?: number;
  costTotal?: number;
  compactionCount?: number;
  memoryFlushAt?: number;
  memoryFlushCompactionCount?: number;
  lastChannel?: string;
  lastTo?: string;
  lastAccountId?: string;
  lastThreadId?: string | number;
  [key: string]: unknown;
}

/**
 * Entry fields a reset keeps — `/new`, `/reset`, `sessions.reset`, a daily/idle expiry and the
 * state layer's `SessionStore.reset`: the user's settings for the chat and where it comes from.
 * Everything else (session id, counters, model of the last run, overrides) starts over.
 */
export const KEPT_ON_RESET: readonly string[] = [
  "label",
  "chatType",
  "channel",
  "thinkingLevel",
  "verboseLevel",
  "queueMode",
  "spawnedBy",
  "lastChannel",
  "lastTo",
  "lastAccountId",
  "lastThreadId",
  "responseUsage",
];

/** The fields of `entry` a reset keeps ({@link KEPT_ON_RESET}). */
export function keptOnReset(entry: SessionEntry | undefined): Partial<SessionEntry> {
  if (!entry) return {};
  return Object.fromEntries(Object.entries(entry).filter(([name]) => KEPT_ON_RESET.includes(name)));
}

/** A session's transcript file: read every entry, append new ones (header written on first append). */
export interface TranscriptStoreLike {
  readonly file: string;
  read(): Promise<{ header?: SessionHeader; entries: TranscriptEntry[] }>;
  append(entries: TranscriptEntry[], header: SessionHeader): Promise<void>;
}

/**
 * What the agent runtime needs from session state. The state area's SessionStore implements it
 * through `createAgentSessionStore(store)` (core/state), which `createAssistant` uses by default.
 */
export interface SessionStoreLike {
  get(agentId: string, sessionKey: string): Promise<SessionEntry | undefined>;
  /** Read-modify-write one entry; `undefined` from `update` deletes it. */
  update(
    agentId: string,
    sessionKey: string,
    update: (entry: SessionEntry | undefined) => SessionEntry | undefined,
  ): Promise<SessionEntry | undefined>;
  /**
   * Optional: several read-modify-writes of one agent's index in one locked rewrite (the
   * write-behind cache uses it for a burst of turns instead of one whole-index rewrite per session).
   */
  updateMany?(
    agentId: string,
    updates: ReadonlyArray<
      [sessionKey: string, update: (entry: SessionEntry | undefined) => SessionEntry | undefined]
    >,
  ): Promise<void>;
  list(agentId: string): Promise<Record<string, SessionEntry>>;
  transcript(agentId: string, entry: SessionEntry): TranscriptStoreLike;
  /**
   * Archive a session's transcript (`<file>.reset.<ts>` / `<file>.deleted.<ts>`, spec §4); returns
   * the archive path. Optional: stores without it keep old transcripts in place.
   */
  archiveTranscript?(
    agentId: string,
    entry: SessionEntry,
    reason: "reset" | "deleted",
  ): Promise<string | undefined>;
  /** Write everything buffered (called by `assistant.close()`). */
  flush(): Promise<void>;
}

/** Give a new entry its id, parentId (the previous leaf) and timestamp. */
export function stampEntry(entry: NewTranscriptEntry, parentId: string | null, now: number): TranscriptEntry {
  return {
    ...entry,
    id: newEntryId(),
    parentId,
    timestamp: entry.timestamp ?? new Date(now).toISOString(),
  } as TranscriptEntry;
}
