import { randomBytes, randomUUID } from "node:crypto";
import { appendFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
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
  [key: string]: unknown;
}

/** A session's transcript file: read every entry, append new ones (header written on first append). */
export interface TranscriptStoreLike {
  readonly file: string;
  read(): Promise<{ header?: SessionHeader; entries: TranscriptEntry[] }>;
  append(entries: TranscriptEntry[], header: SessionHeader): Promise<void>;
}

/**
 * What the agent runtime needs from session state. The config/state area's SessionStore is
 * adapted to this; `FileSessionStore` below is the built-in implementation.
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

/** Parse JSONL, tolerating a torn last line and skipping lines that are not JSON objects. */
export function parseTranscript(text: string): { header?: SessionHeader; entries: TranscriptEntry[] } {
  let header: SessionHeader | undefined;
  const entries: TranscriptEntry[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (!value || typeof value !== "object") continue;
    const record = value as { type?: string; id?: string };
    if (record.type === "session") header = value as SessionHeader;
    else if (typeof record.id === "string" && typeof record.type === "string")
      entries.push(value as TranscriptEntry);
  }
  return { header, entries };
}

class FileTranscript implements TranscriptStoreLike {
  private wroteHeader: boolean | undefined;
  constructor(readonly file: string) {}

  async read(): Promise<{ header?: SessionHeader; entries: TranscriptEntry[] }> {
    try {
      const parsed = parseTranscript(await readFile(this.file, "utf8"));
      this.wroteHeader = parsed.header !== undefined || parsed.entries.length > 0;
      return parsed;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        this.wroteHeader = false;
        return { entries: [] };
      }
      throw error;
    }
  }

  async append(entries: TranscriptEntry[], header: SessionHeader): Promise<void> {
    if (this.wroteHeader === undefined) await this.read();
    let text = "";
    if (!this.wroteHeader) {
      await mkdir(path.dirname(this.file), { recursive: true });
      text += `${JSON.stringify(header)}\n`;
    }
    for (const entry of entries) text += `${JSON.stringify(entry)}\n`;
    await appendFile(this.file, text, { mode: 0o600 });
    this.wroteHeader = true;
  }
}

/**
 * sessions.json + `<sessionId>.jsonl` under `<stateDir>/agents/<agentId>/sessions/`. Entries
 * live in memory and sessions.json is written behind (coalesced), crash-safely (temp + rename).
 */
export class FileSessionStore implements SessionStoreLike {
  private readonly stores = new Map<string, Promise<Record<string, SessionEntry>>>();
  private readonly dirty = new Set<string>();
  private readonly transcripts = new Map<string, FileTranscript>();
  private flushTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly stateDir: string,
    private readonly options: { writeDelayMs?: number } = {},
  ) {}

  sessionsDir(agentId: string): string {
    return path.join(this.stateDir, "agents", agentId, "sessions");
  }

  private load(agentId: string): Promise<Record<string, SessionEntry>> {
    let store = this.stores.get(agentId);
    if (!store) {
      store = readFile(path.join(this.sessionsDir(agentId), "sessions.json"), "utf8")
        .then((text) => {
          const parsed = JSON.parse(text) as unknown;
          return parsed && typeof parsed === "object" ? (parsed as Record<string, SessionEntry>) : {};
        })
        .catch(() => ({}));
      this.stores.set(agentId, store);
    }
    return store;
  }

  async get(agentId: string, sessionKey: string): Promise<SessionEntry | undefined> {
    return (await this.load(agentId))[sessionKey];
  }

  async update(
    agentId: string,
    sessionKey: string,
    update: (entry: SessionEntry | undefined) => SessionEntry | undefined,
  ): Promise<SessionEntry | undefined> {
    const store = await this.load(agentId);
    const next = update(store[sessionKey]);
    if (next) store[sessionKey] = next;
    else delete store[sessionKey];
    this.dirty.add(agentId);
    this.scheduleFlush();
    return next;
  }

  async list(agentId: string): Promise<Record<string, SessionEntry>> {
    return { ...(await this.load(agentId)) };
  }

  transcript(agentId: string, entry: SessionEntry): TranscriptStoreLike {
    const file = entry.sessionFile ?? path.join(this.sessionsDir(agentId), `${entry.sessionId}.jsonl`);
    let transcript = this.transcripts.get(file);
    if (!transcript) {
      transcript = new FileTranscript(file);
      this.transcripts.set(file, transcript);
    }
    return transcript;
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, this.options.writeDelayMs ?? 25);
    this.flushTimer.unref?.();
  }

  async flush(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    const agents = [...this.dirty];
    this.dirty.clear();
    this.writing = this.writing.then(async () => {
      for (const agentId of agents) {
        const store = await this.load(agentId);
        const dir = this.sessionsDir(agentId);
        await mkdir(dir, { recursive: true });
        const file = path.join(dir, "sessions.json");
        const temp = `${file}.${process.pid}.${randomBytes(3).toString("hex")}.tmp`;
        await writeFile(temp, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600 });
        await rename(temp, file);
      }
    });
    await this.writing;
  }
}
