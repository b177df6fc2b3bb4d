import { basename, join } from "node:path";
import { KEPT_ON_RESET, type SessionEntry } from "../agent/session-store.js";
import {
  createTranscriptHeader,
  lastEntryIdFromTail,
  newEntryId,
  newSessionId,
  parseTranscriptJsonl,
  type TranscriptEntry,
  type TranscriptEntryInput,
  type TranscriptHeader,
  type TranscriptIssue,
  type TranscriptReadResult,
} from "../agent/transcript.js";
import { LockTimeoutError } from "../fs/file-lock.js";
import { StateError } from "./errors.js";
import type { StateStore } from "./state-store.js";

// the one session-entry type (spec §4.1) lives with the agent runtime's session store interface
export type { SessionEntry };

/** A session as returned by the store. */
export interface SessionRecord {
  key: string;
  agentId: string;
  entry: SessionEntry;
}

export interface SessionListFilter {
  agentId?: string;
  /** Only sessions with `updatedAt >= activeSince` (ms epoch). */
  activeSince?: number;
  /** Exact label match. */
  label?: string;
  /** Case-insensitive substring of key, sessionId, label, displayName, subject or origin label. */
  search?: string;
  limit?: number;
}

export interface SessionStoreOptions {
  state: StateStore;
  /** Agent used for keys that are not `agent:<id>:…`. Default "main". */
  defaultAgentId?: string;
  /** Workspace written in new transcript headers (`cwd`). */
  workspaceFor?: (agentId: string) => string | undefined;
  now?: () => number;
  /** How long to wait for a session/index lock. Default 10 s. */
  lockTimeoutMs?: number;
  /** Problems found while reading (corrupt index, corrupt transcript lines). */
  onIssue?: (issue: { path: string; message: string }) => void;
  /**
   * A transcript's writer (its lock file, its leaf id) is released after this long without an
   * append (ms); the next append takes the lock and reads the tail again. Default 30 s; 0 keeps
   * writers until released.
   */
  writerIdleMs?: number;
  /** Most transcript writers kept at once; the least recently used is released first. Default 1,000. */
  maxWriters?: number;
  /** Timers for the idle release (tests inject their own). */
  timers?: WriterTimers;
}

export interface WriterTimers {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const defaultTimers: WriterTimers = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface SessionBundle {
  type: "openclaw.sessions.bundle";
  version: 1;
  exportedAt: string;
  sessions: { agentId: string; key: string; entry: SessionEntry; transcript: string }[];
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/:/g, "-");
}

interface Writer {
  release: () => Promise<void>;
  leafId: string | null | undefined;
  chain: Promise<unknown>;
  /** Time of the last append (the store's clock). */
  usedAt: number;
  /** Set once the lock is being given back: appends then take a new writer. */
  released: boolean;
  /** Store keys whose append target points at this transcript. */
  keys: Set<string>;
}

/**
 * Sessions of every agent: `agents/<agentId>/sessions/sessions.json` (key → entry) plus one
 * append-only JSONL transcript per session. Index updates are read-modify-write under a lock
 * and written atomically; each transcript has one writer (this process holds
 * `<file>.lock` from the first append until `release()`/`close()`, until the transcript has
 * gone `writerIdleMs` without an append, or until `maxWriters` more recent ones push it out).
 */
export class SessionStore {
  private readonly state: StateStore;
  private readonly defaultAgentId: string;
  private readonly now: () => number;
  /** Transcript path → writer, least recently used first. */
  private readonly writers = new Map<string, Promise<Writer>>();
  private readonly appendTargets = new Map<string, SessionRecord>();
  private readonly writerIdleMs: number;
  private readonly maxWriters: number;
  private readonly timers: WriterTimers;
  private idleTimer: unknown;

  constructor(private readonly options: SessionStoreOptions) {
    this.state = options.state;
    this.defaultAgentId = options.defaultAgentId ?? "main";
    this.now = options.now ?? Date.now;
    this.writerIdleMs = options.writerIdleMs ?? 30_000;
    this.maxWriters = Math.max(1, options.maxWriters ?? 1_000);
    this.timers = options.timers ?? defaultTimers;
  }

  /** Canonical store key: `agent:<agentId>:<rest>`; short keys get the default agent. */
  storeKey(key: string, agentId?: string): string {
    const trimmed = key.trim();
    if (trimmed === "") throw new StateError("STATE_INVALID_KEY", "session key is empty");
    const prefixed = /^agent:([^:]+):(.+)$/.exec(trimmed);
    if (prefixed) return `agent:${prefixed[1]!.toLowerCase()}:${prefixed[2]}`;
    // OpenClaw keeps these un-prefixed (session.scope "global", unresolvable senders)
    if (trimmed === "global" || trimmed === "unknown") return trimmed;
    return `agent:${(agentId ?? this.defaultAgentId).toLowerCase()}:${trimmed}`;
  }

  /** Agent id of a key (`agent:<id>:…`), else the default agent. */
  agentIdOf(key: string): string {
    const match = /^agent:([^:]+):/.exec(key.trim());
    return match ? match[1]!.toLowerCase() : this.defaultAgentId;
  }

  private indexPath(agentId: string): string {
    return `agents/${agentId}/sessions/sessions.json`;
  }

  transcriptPath(agentId: string, entry: SessionEntry): string {
    const name = entry.sessionFile ? basename(entry.sessionFile) : `${entry.sessionId}.jsonl`;
    return `agents/${agentId}/sessions/${name}`;
  }

  /** Absolute transcript path for file stores (the relative state path for the memory store). */
  transcriptFile(agentId: string, entry: SessionEntry): string {
    const relative = this.transcriptPath(agentId, entry);
    return this.state.root.startsWith("memory:") ? relative : join(this.state.root, relative);
  }

  private async readIndex(agentId: string): Promise<Record<string, SessionEntry>> {
    const path = this.indexPath(agentId);
    const text = await this.state.readText(path);
    if (text === undefined || text.trim() === "") return {};
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
        return parsed as Record<string, SessionEntry>;
      throw new Error("not an object");
    } catch (error) {
      this.options.onIssue?.({
        path,
        message: `session index unreadable (${(error as Error).message}); treated as empty, file kept`,
      });
      return {};
    }
  }

  private async withIndex<T>(
    agentId: string,
    fn: (index: Record<string, SessionEntry>) => Promise<{ result: T; changed: boolean }>,
  ): Promise<T> {
    const path = this.indexPath(agentId);
    const release = await this.lock(path);
    try {
      const text = await this.state.readText(path);
      let index: Record<string, SessionEntry> = {};
      if (text !== undefined && text.trim() !== "") {
        try {
          index = JSON.parse(text) as Record<string, SessionEntry>;
          if (typeof index !== "object" || index === null || Array.isArray(index))
            throw new Error("not an object");
        } catch (error) {
          // keep the unreadable file for the user instead of overwriting it
          const aside = `${path}.corrupt.${stamp(this.now())}`;
          await this.state.rename(path, aside);
          this.options.onIssue?.({
            path,
            message: `session index unreadable (${(error as Error).message}); moved to ${aside}`,
          });
          index = {};
        }
      }
      const { result, changed } = await fn(index);
      if (changed) await this.state.writeText(path, `${JSON.stringify(index, null, 2)}\n`);
      return result;
    } finally {
      await release();
    }
  }

  private async lock(path: string): Promise<() => Promise<void>> {
    try {
      return await this.state.lock(path, { timeoutMs: this.options.lockTimeoutMs });
    } catch (error) {
      if (LockTimeoutError.isInstance(error))
        throw new StateError("STATE_LOCKED", error.message, { cause: error });
      throw error;
    }
  }

  async get(key: string, agentId?: string): Promise<SessionRecord | undefined> {
    const storeKey = this.storeKey(key, agentId);
    const owner = this.agentIdOf(storeKey);
    const entry = (await this.readIndex(owner))[storeKey];
    return entry ? { key: storeKey, agentId: owner, entry } : undefined;
  }

  /** Create a session (new id + transcript header). Fails with STATE_SESSION_EXISTS when present. */
  async create(key: string, init: Partial<SessionEntry> = {}, agentId?: string): Promise<SessionRecord> {
    const storeKey = this.storeKey(key, agentId);
    const owner = this.agentIdOf(storeKey);
    return this.withIndex(owner, async (index) => {
      if (index[storeKey]) throw new StateError("STATE_SESSION_EXISTS", `session ${storeKey} already exists`);
      const entry = await this.newEntry(owner, init);
      index[storeKey] = entry;
      return { result: { key: storeKey, agentId: owner, entry }, changed: true };
    });
  }

  /** The existing session, or a new one. */
  async ensure(
    key: string,
    init: Partial<SessionEntry> = {},
    agentId?: string,
  ): Promise<SessionRecord & { created: boolean }> {
    const existing = await this.get(key, agentId);
    if (existing) return { ...existing, created: false };
    const storeKey = this.storeKey(key, agentId);
    const owner = this.agentIdOf(storeKey);
    return this.withIndex<SessionRecord & { created: boolean }>(owner, async (index) => {
      const current = index[storeKey];
      if (current)
        return { result: { key: storeKey, agentId: owner, entry: current, created: false }, changed: false };
      const entry = await this.newEntry(owner, init);
      index[storeKey] = entry;
      return { result: { key: storeKey, agentId: owner, entry, created: true }, changed: true };
    });
  }

  private async newEntry(
    agentId: string,
    init: Partial<SessionEntry>,
    parentSession?: string,
  ): Promise<SessionEntry> {
    const now = this.now();
    const sessionId = init.sessionId ?? newSessionId();
    const entry: SessionEntry = {
      ...init,
      sessionId,
      updatedAt: init.updatedAt ?? now,
      sessionStartedAt: init.sessionStartedAt ?? now,
    };
    const path = this.transcriptPath(agentId, entry);
    if (!(await this.state.exists(path))) {
      const header = createTranscriptHeader(sessionId, {
        cwd: this.options.workspaceFor?.(agentId),
        parentSession,
        now: new Date(now),
      });
      await this.state.writeText(path, `${JSON.stringify(header)}\n`);
    }
    return entry;
  }

  async list(filter: SessionListFilter = {}): Promise<SessionRecord[]> {
    const agentIds = filter.agentId ? [filter.agentId.toLowerCase()] : await this.state.list("agents");
    const needle = filter.search?.toLowerCase();
    const out: SessionRecord[] = [];
    for (const agentId of agentIds) {
      const index = await this.readIndex(agentId);
      for (const [key, entry] of Object.entries(index)) {
        if (!entry || typeof entry !== "object") continue;
        if (filter.activeSince !== undefined && !((entry.updatedAt ?? 0) >= filter.activeSince)) continue;
        if (filter.label !== undefined && entry.label !== filter.label) continue;
        if (needle) {
          const haystack = [
            key,
            entry.sessionId,
            entry.label,
            entry.displayName,
            entry.subject,
            entry.origin?.label,
          ]
            .filter((value): value is string => typeof value === "string")
            .join("\n")
            .toLowerCase();
          if (!haystack.includes(needle)) continue;
        }
        out.push({ key, agentId, entry });
      }
    }
    out.sort((a, b) => (b.entry.updatedAt ?? 0) - (a.entry.updatedAt ?? 0));
    return filter.limit !== undefined ? out.slice(0, filter.limit) : out;
  }

  /** Merge fields into an entry (`undefined` removes a field). `sessionId` cannot be patched. */
  async patch(key: string, patch: Partial<SessionEntry>, agentId?: string): Promise<SessionRecord> {
    const storeKey = this.storeKey(key, agentId);
    const owner = this.agentIdOf(storeKey);
    return this.withIndex(owner, async (index) => {
      const entry = index[storeKey];
      if (!entry) throw new StateError("STATE_SESSION_NOT_FOUND", `no session ${storeKey}`);
      for (const [field, value] of Object.entries(patch)) {
        if (field === "sessionId") continue;
        if (value === undefined) delete entry[field];
        else entry[field] = value;
      }
      return { result: { key: storeKey, agentId: owner, entry }, changed: true };
    });
  }

  /**
   * Start over: the old transcript is archived as `<file>.reset.<ts>`, a new session id begins,
   * and the entry keeps only the fields every reset keeps (`KEPT_ON_RESET`).
   */
  async reset(key: string, agentId?: string): Promise<SessionRecord & { archivedTranscript?: string }> {
    const storeKey = this.storeKey(key, agentId);
    const owner = this.agentIdOf(storeKey);
    return this.withIndex(owner, async (index) => {
      const entry = index[storeKey];
      if (!entry) throw new StateError("STATE_SESSION_NOT_FOUND", `no session ${storeKey}`);
      const oldPath = this.transcriptPath(owner, entry);
      const archived = await this.archive(oldPath, "reset");
      const kept = Object.fromEntries(
        Object.entries(entry).filter(([field]) => KEPT_ON_RESET.includes(field)),
      );
      const next = await this.newEntry(owner, kept, entry.sessionId);
      index[storeKey] = next;
      return {
        result: { key: storeKey, agentId: owner, entry: next, archivedTranscript: archived },
        changed: true,
      };
    });
  }

  /** Remove a session; its transcript is archived as `<file>.deleted.<ts>`. */
  async delete(key: string, agentId?: string): Promise<{ deleted: boolean; archivedTranscript?: string }> {
    const storeKey = this.storeKey(key, agentId);
    const owner = this.agentIdOf(storeKey);
    return this.withIndex<{ deleted: boolean; archivedTranscript?: string }>(owner, async (index) => {
      const entry = index[storeKey];
      if (!entry) return { result: { deleted: false }, changed: false };
      const archived = await this.archive(this.transcriptPath(owner, entry), "deleted");
      delete index[storeKey];
      return { result: { deleted: true, archivedTranscript: archived }, changed: true };
    });
  }

  /**
   * Archive one session's transcript the OpenClaw way (`<sessionId>.jsonl.reset.<ts>` or
   * `.deleted.<ts>`) without touching the index; returns the archive's path (undefined when the
   * session had no transcript file yet).
   */
  async archiveTranscript(
    agentId: string,
    entry: SessionEntry,
    reason: "reset" | "deleted",
  ): Promise<string | undefined> {
    const path = await this.archive(this.transcriptPath(agentId, entry), reason);
    return path === undefined || this.state.root.startsWith("memory:") ? path : join(this.state.root, path);
  }

  private async archive(path: string, reason: "reset" | "deleted"): Promise<string | undefined> {
    await this.releaseWriter(path);
    // another process may be this transcript's writer: wait for it (or fail with STATE_LOCKED)
    const release = await this.lock(path);
    try {
      if (!(await this.state.exists(path))) return undefined;
      const target = `${path}.${reason}.${stamp(this.now())}`;
      await this.state.rename(path, target);
      return target;
    } finally {
      await release();
    }
  }

  /** The transcript's writer, taken (lock + tail read) when this store does not hold it. */
  private async writer(path: string): Promise<Writer> {
    for (;;) {
      let pending = this.writers.get(path);
      if (pending)
        this.writers.delete(path); // re-inserted below: most recently used last
      else {
        pending = (async () => {
          const release = await this.lock(path);
          const tail = await this.state.readTail(path, 64 * 1024);
          return {
            release,
            leafId: tail === undefined ? undefined : (lastEntryIdFromTail(tail) ?? null),
            chain: Promise.resolve(),
            usedAt: this.now(),
            released: false,
            keys: new Set<string>(),
          } satisfies Writer;
        })();
        pending.catch(() => {
          if (this.writers.get(path) === pending) this.writers.delete(path);
        });
        this.evictOverCap();
        this.scheduleIdleRelease();
      }
      this.writers.set(path, pending);
      const writer = await pending;
      // released while we waited for it: take the lock again (after the releaser gives it back)
      if (writer.released) continue;
      writer.usedAt = this.now();
      return writer;
    }
  }

  /** Release the least recently used writers beyond `maxWriters` (one slot kept for a new one). */
  private evictOverCap(): void {
    let excess = this.writers.size + 1 - this.maxWriters;
    if (excess <= 0) return;
    for (const path of this.writers.keys()) {
      if (excess-- <= 0) break;
      void this.releaseWriter(path).catch((error) => this.releaseFailed(path, error));
    }
  }

  private releaseFailed(path: string, error: unknown): void {
    this.options.onIssue?.({
      path,
      message: `releasing the transcript lock failed: ${(error as Error).message}`,
    });
  }

  private scheduleIdleRelease(): void {
    if (this.writerIdleMs <= 0 || this.idleTimer !== undefined) return;
    this.idleTimer = this.timers.setTimeout(() => {
      this.idleTimer = undefined;
      void this.releaseIdleWriters().finally(() => {
        if (this.writers.size > 0) this.scheduleIdleRelease();
      });
    }, this.writerIdleMs);
  }

  /**
   * Release the writers of transcripts without an append for `writerIdleMs` (their lock files go;
   * the next append takes the lock again). Runs on a timer; returns how many were released.
   */
  async releaseIdleWriters(): Promise<number> {
    const cutoff = this.now() - this.writerIdleMs;
    const idle: string[] = [];
    for (const [path, pending] of this.writers) {
      const writer = await Promise.race([pending, undefined]).catch(() => undefined);
      if (writer && writer.usedAt <= cutoff && this.writers.get(path) === pending) idle.push(path);
    }
    // one at a time: no hurry, and a thousand concurrent unlinks would only raise the peak
    for (const path of idle) await this.releaseWriter(path).catch((error) => this.releaseFailed(path, error));
    return idle.length;
  }

  /**
   * Append entries to a session's transcript. Ids, parentIds (the current leaf) and timestamps
   * are filled in when missing. Returns the entries as written.
   */
  async append(key: string, inputs: TranscriptEntryInput[], agentId?: string): Promise<TranscriptEntry[]> {
    const storeKey = this.storeKey(key, agentId);
    // while we are the writer, the key → transcript mapping cannot change under us (reset and
    // delete take the transcript lock), so the index is read once, not on every append
    let record = this.appendTargets.get(storeKey);
    if (!record) {
      record = await this.get(storeKey);
      if (!record) throw new StateError("STATE_SESSION_NOT_FOUND", `no session ${storeKey}`);
    }
    const target = record;
    const path = this.transcriptPath(record.agentId, record.entry);
    const writer = await this.writer(path);
    const run = writer.chain.then(async () => {
      const lines: string[] = [];
      const written: TranscriptEntry[] = [];
      if (writer.leafId === undefined) {
        // transcript missing (deleted by hand): start it again with a header
        lines.push(
          JSON.stringify(
            createTranscriptHeader(target.entry.sessionId, {
              cwd: this.options.workspaceFor?.(target.agentId),
            }),
          ),
        );
        writer.leafId = null;
      }
      let leaf = writer.leafId;
      const timestamp = new Date(this.now()).toISOString();
      for (const input of inputs) {
        const entry = {
          ...input,
          id: input.id ?? newEntryId(),
          parentId: input.parentId !== undefined ? input.parentId : leaf,
          timestamp: input.timestamp ?? timestamp,
        } as TranscriptEntry;
        leaf = entry.id;
        lines.push(JSON.stringify(entry));
        written.push(entry);
      }
      await this.state.appendLines(path, lines);
      writer.leafId = leaf;
      return written;
    });
    writer.chain = run.catch(() => {});
    this.appendTargets.set(storeKey, target);
    writer.keys.add(storeKey);
    return run;
  }

  // ── exact-key access (no key canonicalization), for runtimes that already hold store keys ──

  /** Entry stored under exactly `key` in `agentId`'s index. */
  async getEntry(agentId: string, key: string): Promise<SessionEntry | undefined> {
    return (await this.readIndex(agentId))[key];
  }

  /** All entries of one agent's index (a copy). */
  async listEntries(agentId: string): Promise<Record<string, SessionEntry>> {
    return { ...(await this.readIndex(agentId)) };
  }

  /** Locked read-modify-write of one entry; returning `undefined` deletes it (transcript kept). */
  async updateEntry(
    agentId: string,
    key: string,
    update: (entry: SessionEntry | undefined) => SessionEntry | undefined,
  ): Promise<SessionEntry | undefined> {
    return this.withIndex<SessionEntry | undefined>(agentId, async (index) => {
      const next = update(index[key] ? { ...index[key] } : undefined);
      if (next) index[key] = next;
      else delete index[key];
      return { result: next, changed: true };
    });
  }

  /** Several {@link updateEntry} calls of one agent in one locked read-modify-write of the index. */
  async updateEntries(
    agentId: string,
    updates: ReadonlyArray<
      [key: string, update: (entry: SessionEntry | undefined) => SessionEntry | undefined]
    >,
  ): Promise<void> {
    if (updates.length === 0) return;
    await this.withIndex<void>(agentId, async (index) => {
      for (const [key, update] of updates) {
        const next = update(index[key] ? { ...index[key] } : undefined);
        if (next) index[key] = next;
        else delete index[key];
      }
      return { result: undefined, changed: true };
    });
  }

  /**
   * Append already-stamped entries (ids/parentIds set by the caller) to an entry's transcript,
   * writing `header` first when the file does not exist yet. One writer per transcript.
   */
  async appendToTranscript(
    agentId: string,
    entry: SessionEntry,
    entries: unknown[],
    header?: TranscriptHeader,
  ): Promise<void> {
    const path = this.transcriptPath(agentId, entry);
    const writer = await this.writer(path);
    const run = writer.chain.then(async () => {
      const lines: string[] = [];
      if (writer.leafId === undefined) {
        lines.push(
          JSON.stringify(
            header ?? createTranscriptHeader(entry.sessionId, { cwd: this.options.workspaceFor?.(agentId) }),
          ),
        );
        writer.leafId = null;
      }
      for (const item of entries) lines.push(JSON.stringify(item));
      await this.state.appendLines(path, lines);
      const last = entries[entries.length - 1] as { id?: string } | undefined;
      if (last?.id) writer.leafId = last.id;
    });
    writer.chain = run.catch(() => {});
    return run;
  }

  /** Parse an entry's transcript (tolerant: torn last line dropped, corrupt lines reported). */
  async readTranscriptOf(
    agentId: string,
    entry: SessionEntry,
  ): Promise<TranscriptReadResult & { path: string }> {
    const path = this.transcriptPath(agentId, entry);
    const result = parseTranscriptJsonl((await this.state.readText(path)) ?? "");
    for (const issue of result.issues) if (issue.kind !== "torn_tail") this.report(path, issue);
    return { ...result, path };
  }

  /** Read a session's transcript; corrupt lines are skipped and reported, never fatal. */
  async readTranscript(key: string, agentId?: string): Promise<TranscriptReadResult & { path: string }> {
    const record = await this.get(key, agentId);
    if (!record) throw new StateError("STATE_SESSION_NOT_FOUND", `no session ${this.storeKey(key, agentId)}`);
    const path = this.transcriptPath(record.agentId, record.entry);
    const text = (await this.state.readText(path)) ?? "";
    const result = parseTranscriptJsonl(text);
    for (const issue of result.issues) if (issue.kind !== "torn_tail") this.report(path, issue);
    return { ...result, path };
  }

  private report(path: string, issue: TranscriptIssue): void {
    this.options.onIssue?.({ path, message: `line ${issue.line}: ${issue.message}` });
  }

  /** Stop being the writer of a session's transcript (releases its lock file). */
  async release(key: string, agentId?: string): Promise<void> {
    const record = await this.get(key, agentId);
    if (record) await this.releaseWriter(this.transcriptPath(record.agentId, record.entry));
  }

  private async releaseWriter(path: string): Promise<void> {
    const pending = this.writers.get(path);
    if (!pending) return;
    this.writers.delete(path);
    const writer = await pending.catch(() => undefined);
    if (!writer || writer.released) return;
    // appends that got this writer before it left the map chain onto it: wait for all of them
    let chain: Promise<unknown>;
    do {
      chain = writer.chain;
      await chain;
    } while (chain !== writer.chain);
    writer.released = true;
    for (const key of writer.keys) this.appendTargets.delete(key);
    await writer.release();
  }

  /** Release every transcript lock this store holds. */
  async close(): Promise<void> {
    if (this.idleTimer !== undefined) this.timers.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    await Promise.all([...this.writers.keys()].map((path) => this.releaseWriter(path)));
  }

  /** Export sessions (all, one agent, or some keys) with their raw transcripts. */
  async exportSessions(options: { keys?: string[]; agentId?: string } = {}): Promise<SessionBundle> {
    let records: SessionRecord[];
    if (options.keys) {
      records = [];
      for (const key of options.keys) {
        const record = await this.get(key, options.agentId);
        if (!record)
          throw new StateError(
            "STATE_SESSION_NOT_FOUND",
            `no session ${this.storeKey(key, options.agentId)}`,
          );
        records.push(record);
      }
    } else records = await this.list({ agentId: options.agentId });
    const sessions: SessionBundle["sessions"] = [];
    for (const record of records) {
      const transcript = (await this.state.readText(this.transcriptPath(record.agentId, record.entry))) ?? "";
      sessions.push({ agentId: record.agentId, key: record.key, entry: record.entry, transcript });
    }
    return {
      type: "openclaw.sessions.bundle",
      version: 1,
      exportedAt: new Date(this.now()).toISOString(),
      sessions,
    };
  }

  /** Import a bundle. Existing keys are skipped unless `overwrite` (then the old transcript is archived). */
  async importSessions(
    bundle: SessionBundle,
    options: { overwrite?: boolean } = {},
  ): Promise<{ imported: string[]; skipped: { key: string; reason: string }[] }> {
    if (
      bundle?.type !== "openclaw.sessions.bundle" ||
      bundle.version !== 1 ||
      !Array.isArray(bundle.sessions)
    )
      throw new StateError("STATE_BUNDLE_INVALID", "not an OpenClaw sessions bundle (version 1)");
    const imported: string[] = [];
    const skipped: { key: string; reason: string }[] = [];
    for (const item of bundle.sessions) {
      if (
        !item ||
        typeof item.key !== "string" ||
        typeof item.entry?.sessionId !== "string" ||
        typeof item.transcript !== "string"
      ) {
        skipped.push({ key: String(item?.key), reason: "malformed bundle entry" });
        continue;
      }
      const owner = this.agentIdOf(item.key);
      await this.withIndex(owner, async (index) => {
        const existing = index[item.key];
        if (existing && !options.overwrite) {
          skipped.push({ key: item.key, reason: "exists (use overwrite)" });
          return { result: undefined, changed: false };
        }
        if (existing) await this.archive(this.transcriptPath(owner, existing), "reset");
        const entry: SessionEntry = { ...item.entry };
        delete entry.sessionFile;
        const path = this.transcriptPath(owner, entry);
        if (await this.state.exists(path)) {
          // a different session already uses this id here: give the imported one a fresh id
          const fresh = newSessionId();
          entry.sessionId = fresh;
          const rewritten = item.transcript.replace(
            /^(\{[^\n]*"type":"session"[^\n]*"id":")[^"]+/,
            `$1${fresh}`,
          );
          await this.state.writeText(this.transcriptPath(owner, entry), rewritten);
        } else await this.state.writeText(path, item.transcript);
        index[item.key] = entry;
        imported.push(item.key);
        return { result: undefined, changed: true };
      });
    }
    return { imported, skipped };
  }
}

/** Serialize a bundle as JSONL: a header line, then one line per session. */
export function serializeSessionBundle(bundle: SessionBundle): string {
  const { sessions, ...header } = bundle;
  return `${[JSON.stringify({ ...header, count: sessions.length }), ...sessions.map((session) => JSON.stringify(session))].join("\n")}\n`;
}

export function parseSessionBundle(text: string): SessionBundle {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  let header: { type?: string; version?: number; exportedAt?: string; count?: number };
  try {
    header = JSON.parse(lines[0] ?? "");
  } catch {
    throw new StateError("STATE_BUNDLE_INVALID", "bundle header is not JSON");
  }
  if (header.type !== "openclaw.sessions.bundle" || header.version !== 1)
    throw new StateError("STATE_BUNDLE_INVALID", "not an OpenClaw sessions bundle (version 1)");
  const sessions: SessionBundle["sessions"] = [];
  lines.slice(1).forEach((line, index) => {
    try {
      sessions.push(JSON.parse(line));
    } catch {
      throw new StateError("STATE_BUNDLE_INVALID", `bundle line ${index + 2} is not JSON (file truncated?)`);
    }
  });
  if (header.count !== undefined && header.count !== sessions.length)
    throw new StateError(
      "STATE_BUNDLE_INVALID",
      `bundle is incomplete: ${sessions.length} of ${header.count} sessions`,
    );
  return { type: "openclaw.sessions.bundle", version: 1, exportedAt: header.exportedAt ?? "", sessions };
}
