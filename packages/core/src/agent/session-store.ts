import { randomBytes, randomUUID } from "node:crypto";
import type { NewTranscriptEntry, SessionHeader, TranscriptEntry } from "./transcript.js";

/** One `sessions.json` entry (the fields this runtime reads and writes; others are kept). */
export interface SessionEntry {
  sessionId: string;
  updatedAt: number;
  sessionFile?: string;
  sessionStartedAt?: number;
  label?: string;
  chatType?: string;
  channel?: string;
  spawnedBy?: string;
  thinkingLevel?: string;
  verboseLevel?: string;
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

export function newEntryId(): string {
  return randomBytes(4).toString("hex");
}

export function newSessionId(): string {
  return randomUUID();
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
