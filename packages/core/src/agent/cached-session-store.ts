import type { SessionEntry, SessionStoreLike, TranscriptStoreLike } from "./session-store.js";

/**
 * Write-behind cache in front of a SessionStoreLike. Session entries are read once and then
 * served from memory; updates apply in memory at once and reach sessions.json in the
 * background (one writer per agent, later updates of a key coalesced). A turn then waits only
 * for its transcript append, never for a locked, fsynced rewrite of the whole index.
 * Transcripts pass straight through (they are the durable record). At most `maxEntries` entries
 * per agent stay in memory: beyond that the least recently used one already written is dropped
 * (read again from sessions.json when its session comes back).
 */
export class CachedSessionStore implements SessionStoreLike {
  private readonly entries = new Map<string, Map<string, SessionEntry | null>>();
  private readonly loading = new Map<string, Promise<SessionEntry | undefined>>();
  private readonly dirty = new Map<string, Set<string>>();
  private readonly writers = new Map<string, Promise<void>>();
  /** Keys whose last write failed: kept in memory (never trimmed) until a write succeeds. */
  private readonly unwritten = new Map<string, Set<string>>();
  private failures = 0;
  private flushing = false;

  constructor(
    private readonly inner: SessionStoreLike,
    private readonly onError: (error: unknown) => void = () => {},
    /** Coalescing window before index writes (ms). */
    private readonly writeDelayMs = 50,
    /** Entries kept per agent (least recently used dropped first; never one not yet written). */
    private readonly maxEntries = 10_000,
  ) {}

  /** Drop the least recently used written entries beyond `maxEntries` (not while a write is on its way). */
  private trim(agentId: string): void {
    const map = this.entries.get(agentId);
    if (!map || map.size <= this.maxEntries || this.writers.has(agentId)) return;
    const dirty = this.dirty.get(agentId);
    const unwritten = this.unwritten.get(agentId);
    let excess = map.size - this.maxEntries;
    for (const key of map.keys()) {
      if (excess <= 0) break;
      if (dirty?.has(key) || unwritten?.has(key)) continue;
      map.delete(key);
      excess -= 1;
    }
  }

  private agentMap(agentId: string): Map<string, SessionEntry | null> {
    let map = this.entries.get(agentId);
    if (!map) {
      map = new Map();
      this.entries.set(agentId, map);
    }
    return map;
  }

  private unwrittenOf(agentId: string): Set<string> {
    let keys = this.unwritten.get(agentId);
    if (!keys) {
      keys = new Set();
      this.unwritten.set(agentId, keys);
    }
    return keys;
  }

  async get(agentId: string, sessionKey: string): Promise<SessionEntry | undefined> {
    const map = this.agentMap(agentId);
    const cached = map.get(sessionKey);
    if (cached !== undefined) {
      // most recently used last
      map.delete(sessionKey);
      map.set(sessionKey, cached);
      return cached ?? undefined;
    }
    const loadKey = `${agentId}\u0000${sessionKey}`;
    let loading = this.loading.get(loadKey);
    if (!loading) {
      loading = this.inner.get(agentId, sessionKey).then((entry) => {
        if (!map.has(sessionKey)) map.set(sessionKey, entry ?? null);
        this.loading.delete(loadKey);
        const loaded = map.get(sessionKey) ?? undefined;
        this.trim(agentId);
        return loaded;
      });
      this.loading.set(loadKey, loading);
    }
    return loading;
  }

  async update(
    agentId: string,
    sessionKey: string,
    update: (entry: SessionEntry | undefined) => SessionEntry | undefined,
  ): Promise<SessionEntry | undefined> {
    const current = await this.get(agentId, sessionKey);
    const next = update(current ? { ...current } : undefined);
    const map = this.agentMap(agentId);
    map.delete(sessionKey);
    map.set(sessionKey, next ?? null);
    let keys = this.dirty.get(agentId);
    if (!keys) {
      keys = new Set();
      this.dirty.set(agentId, keys);
    }
    keys.add(sessionKey);
    this.startWriter(agentId);
    return next;
  }

  private startWriter(agentId: string): void {
    if (this.writers.has(agentId)) return;
    const run = (async () => {
      // wait a little so a burst of updates is written together (fewer fsynced index rewrites)
      if (!this.flushing) await new Promise((resolve) => setTimeout(resolve, this.writeDelayMs));
      const keys = this.dirty.get(agentId);
      if (keys && keys.size > 0 && this.inner.updateMany) {
        // every session changed since the last write, in one index rewrite
        const batch = [...keys].map((key): [string, () => SessionEntry | undefined] => {
          const value = this.agentMap(agentId).get(key);
          return [key, () => value ?? undefined];
        });
        keys.clear();
        try {
          await this.inner.updateMany(agentId, batch);
          for (const [key] of batch) this.unwrittenOf(agentId).delete(key);
        } catch (error) {
          for (const [key] of batch) this.unwrittenOf(agentId).add(key);
          this.failures += 1;
          this.onError(error);
        }
        return;
      }
      while (keys && keys.size > 0) {
        const [key] = keys;
        keys.delete(key!);
        const value = this.agentMap(agentId).get(key!);
        try {
          await this.inner.update(agentId, key!, () => value ?? undefined);
          this.unwrittenOf(agentId).delete(key!);
        } catch (error) {
          this.unwrittenOf(agentId).add(key!);
          this.failures += 1;
          this.onError(error);
        }
      }
    })().finally(() => {
      this.writers.delete(agentId);
      if (this.dirty.get(agentId)?.size) this.startWriter(agentId);
      else this.trim(agentId);
    });
    this.writers.set(agentId, run);
  }

  async list(agentId: string): Promise<Record<string, SessionEntry>> {
    const stored = await this.inner.list(agentId);
    for (const [key, entry] of this.agentMap(agentId)) {
      if (entry) stored[key] = entry;
      else delete stored[key];
    }
    return stored;
  }

  transcript(agentId: string, entry: SessionEntry): TranscriptStoreLike {
    return this.inner.transcript(agentId, entry);
  }

  async archiveTranscript(
    agentId: string,
    entry: SessionEntry,
    reason: "reset" | "deleted",
  ): Promise<string | undefined> {
    return this.inner.archiveTranscript?.(agentId, entry, reason);
  }

  /** Wait until every pending update reached the inner store. */
  async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.writers.size > 0) await Promise.all([...this.writers.values()]);
      await this.inner.flush();
    } finally {
      this.flushing = false;
    }
  }

  /** Number of background writes that failed (reported through `onError`). */
  get writeFailures(): number {
    return this.failures;
  }
}
