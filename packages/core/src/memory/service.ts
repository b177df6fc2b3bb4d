import { EventEmitter } from "node:events";
import { existsSync, type FSWatcher, watch } from "node:fs";
import { lstat, stat } from "node:fs/promises";
import path from "node:path";
import { type Chunk, chunkMarkdown, sha256 } from "./chunker.js";
import type { Embedder, NoEmbedder } from "./embeddings.js";
import { type MemoryHit, rankHybrid } from "./search.js";
import type { MemorySettings } from "./settings.js";
import { listSources, readSource, type SourceFile, transcriptDeltaReached } from "./sources.js";
import { type FileRecord, MemoryStore } from "./store.js";
import { IndexWriter, type WriteOp, type WriterThread } from "./writer.js";

export interface MemoryIndexOptions {
  agentId: string;
  workspaceDir: string;
  settings: MemorySettings;
  embedder: Embedder | NoEmbedder;
  /** The agent's transcripts (for `sources: ["sessions"]`). */
  sessionsDir?: string;
  now?: () => number;
  /**
   * Where the index writes run: `worker` (default; a worker thread created when a sync has
   * something to write and ended when it is done) or `main` (this thread, in small steps).
   */
  indexer?: WriterThread;
  /**
   * Close this thread's database connection after this long without a call (default
   * {@link MEMORY_IDLE_CLOSE_MS}); the next search, sync or status opens it again.
   */
  idleCloseMs?: number;
}

/**
 * How long an index keeps its database connection (SQLite's page cache, prepared statements,
 * sqlite-vec, the in-process vector array) once nothing uses it: the session-start sync of a
 * chat opens it, and a gateway idle for longer gives that memory back.
 */
export const MEMORY_IDLE_CLOSE_MS = 30_000;

export interface SyncProgress {
  phase: "scan" | "index" | "embed" | "done";
  total: number;
  done: number;
  file?: string;
}

export interface SyncReport {
  rebuilt: boolean;
  indexed: number;
  removed: number;
  unchanged: number;
  /** Transcripts that changed but stay below `sync.sessions.deltaBytes` / `deltaMessages`. */
  pending: number;
  chunks: number;
  /** Set when embeddings failed during the sync (chunks are still keyword-searchable). */
  embeddingError?: string;
  durationMs: number;
}

export interface MemorySearchAnswer {
  results: MemoryHit[];
  /** `hybrid` (vectors + keywords) or `keyword` (no embeddings, or they failed: see `reason`). */
  mode: "hybrid" | "keyword";
  provider?: string;
  model?: string;
  /** Why the search is keyword-only, when it is. */
  reason?: string;
}

export type MemoryIndexStatus = {
  agentId: string;
  workspaceDir: string;
  dbPath: string;
  dbBytes: number;
  provider?: string;
  model?: string;
  /** Why there are no embeddings (no provider, or the last embedding call failed). */
  embeddingReason?: string;
  vector: { mode: "sqlite-vec" | "js"; reason?: string };
  fts: boolean;
  files: number;
  chunks: number;
  embedded: number;
  cacheEntries: number;
  dirty: boolean;
  lastSyncAt?: number;
  sources: string[];
  extraPaths: string[];
  /** Where index writes run, whether that worker is alive now, and why not a worker. */
  indexer: { thread: WriterThread; active: boolean; reason?: string };
};

const INDEX_VERSION = 1;
/** File writes in flight to the writer while the next files are read, chunked and embedded. */
const WRITES_IN_FLIGHT = 2;

function isEmbedder(value: Embedder | NoEmbedder): value is Embedder {
  return "embed" in value;
}

function errorText(error: unknown): string {
  return (error as Error)?.message ?? String(error);
}

/**
 * One agent's memory index: syncs the sources into SQLite (changed files only, embeddings
 * cached by content hash), answers hybrid searches, watches the files (1.5 s debounce).
 * Events: `dirty`, `synced` (SyncReport), `error`, `indexer` ({ state: "started" | "stopped",
 * threadId }: the writer thread's life).
 */
export class MemoryIndex extends EventEmitter {
  private openStore?: MemoryStore;
  private idleTimer?: NodeJS.Timeout;
  private closed = false;
  private readonly writer: IndexWriter;
  /** Whether the running sync has written anything (so it ends with a checkpoint). */
  private wrote = false;
  private dirty = true;
  private lastSyncAt?: number;
  private running?: Promise<SyncReport>;
  private again = false;
  private watchers: FSWatcher[] = [];
  private debounce?: NodeJS.Timeout;
  private embeddingError?: string;
  private readonly now: () => number;

  constructor(readonly options: MemoryIndexOptions) {
    super();
    this.now = options.now ?? Date.now;
    this.writer = new IndexWriter(
      () => this.store,
      { file: options.settings.store.path, vector: options.settings.store.vector },
      options.indexer ?? "worker",
      (state) => this.emit("indexer", state),
    );
  }

  /**
   * This thread's connection to the index, opened on demand and closed after
   * `idleCloseMs` without use (never during a sync). Each use restarts that clock.
   */
  get store(): MemoryStore {
    if (this.closed) throw new Error(`the memory index of agent "${this.options.agentId}" is closed`);
    if (!this.openStore) {
      this.openStore = new MemoryStore(this.options.settings.store.path, this.options.settings.store);
      this.idleTimer = setTimeout(() => this.closeIfIdle(), this.options.idleCloseMs ?? MEMORY_IDLE_CLOSE_MS);
      this.idleTimer.unref?.();
    } else this.idleTimer?.refresh();
    return this.openStore;
  }

  /** Whether this thread holds the database open now. */
  get storeOpen(): boolean {
    return this.openStore !== undefined;
  }

  private closeIfIdle(): void {
    // a sync holds it until done (its worker writes the same file); the clock starts again
    if (this.running) return void this.idleTimer?.refresh();
    this.closeStore();
  }

  private closeStore(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const store = this.openStore;
    this.openStore = undefined;
    store?.close();
  }

  get embedder(): Embedder | undefined {
    return isEmbedder(this.options.embedder) ? this.options.embedder : undefined;
  }

  /** What the index was built with; a change rebuilds it. */
  fingerprint(): string {
    const { chunking } = this.options.settings;
    return JSON.stringify({
      v: INDEX_VERSION,
      embeddings: this.embedder?.fingerprint ?? "none",
      chunking: [chunking.tokens, chunking.overlap],
    });
  }

  isDirty(): boolean {
    return this.dirty;
  }

  /**
   * Sync now, or join the running sync. A request that arrives during a sync, or while its
   * worker exits, runs one more sync after it (with a new worker when it has something to
   * write); a forced sync waits for the running one, then rebuilds.
   */
  sync(options: { force?: boolean; progress?: (progress: SyncProgress) => void } = {}): Promise<SyncReport> {
    if (this.running && !options.force) {
      this.again = true;
      return this.running;
    }
    const previous = this.running;
    const run = async (): Promise<SyncReport> => {
      if (previous) await previous.catch(() => {});
      let outcome: { report: SyncReport } | { error: unknown };
      let first = true;
      do {
        // requests so far are served by this pass
        this.again = false;
        try {
          outcome = { report: await this.syncOnce(first ? options : {}) };
        } catch (error) {
          outcome = { error };
          this.dirty = true;
        }
        first = false;
        // idle: the worker goes
        this.openStore?.refresh();
        await this.writer.release().catch(() => {});
      } while (this.again);
      // (no await between the last check and this: a later request starts a new sync)
      if (this.running === promise) this.running = undefined;
      if ("error" in outcome) throw outcome.error;
      return outcome.report;
    };
    const promise = run();
    this.running = promise;
    return promise;
  }

  private write(op: WriteOp): Promise<void> {
    this.wrote = true;
    return this.writer.write(op);
  }

  private async syncOnce(options: { force?: boolean; progress?: (progress: SyncProgress) => void }) {
    const started = this.now();
    this.dirty = false;
    this.wrote = false;
    const { settings } = this.options;
    options.progress?.({ phase: "scan", total: 0, done: 0 });
    const sources = await listSources({
      workspaceDir: this.options.workspaceDir,
      extraPaths: settings.extraPaths,
      sources: settings.sources,
      sessionsDir: this.options.sessionsDir,
    });
    const report: SyncReport = {
      rebuilt: false,
      indexed: 0,
      removed: 0,
      unchanged: 0,
      pending: 0,
      chunks: 0,
      durationMs: 0,
    };
    // nothing to index and no index yet: nothing to create (SQLite is not even opened)
    if (sources.length === 0 && !options.force && !this.openStore && !existsSync(settings.store.path)) {
      options.progress?.({ phase: "done", total: 0, done: 0 });
      this.lastSyncAt = this.now();
      report.durationMs = this.lastSyncAt - started;
      this.emit("synced", report);
      return report;
    }
    const fingerprint = this.fingerprint();
    report.rebuilt = options.force === true || this.store.getMeta("fingerprint") !== fingerprint;
    if (report.rebuilt) await this.write({ type: "reset", fingerprint });
    const known = new Map(this.store.files().map((file) => [file.path, file]));
    const changed: SourceFile[] = [];
    for (const file of sources) {
      const record = known.get(file.path);
      if (record && record.mtimeMs === file.mtimeMs && record.size === file.size) continue;
      // a transcript grows with every message: re-indexed only past the delta thresholds
      if (
        record &&
        file.source === "sessions" &&
        !(await transcriptDeltaReached(file, record, settings.sync.sessions))
      )
        report.pending++;
      else changed.push(file);
    }
    report.unchanged = sources.length - changed.length - report.pending;
    const inflight: Promise<void>[] = [];
    let done = 0;
    for (const file of changed) {
      options.progress?.({ phase: "index", total: changed.length, done, file: file.path });
      const prepared = await this.prepareFile(file, known.get(file.path), report);
      if (prepared.op) {
        const written = this.write(prepared.op);
        written.catch(() => {});
        inflight.push(written);
        if (inflight.length >= WRITES_IN_FLIGHT) await inflight.shift();
      }
      report.chunks += prepared.chunks;
      report.indexed++;
      done++;
    }
    await Promise.all(inflight);
    const present = new Set(sources.map((file) => file.path));
    for (const file of known.keys())
      if (!present.has(file)) {
        await this.write({ type: "remove", path: file });
        report.removed++;
      }
    await this.backfillEmbeddings(report, options.progress);
    if (this.wrote)
      await this.write({
        type: "finish",
        ...(settings.cache.enabled ? { pruneCacheTo: settings.cache.maxEntries } : {}),
      });
    this.store.refresh();
    options.progress?.({ phase: "done", total: changed.length, done: changed.length });
    this.lastSyncAt = this.now();
    report.durationMs = this.lastSyncAt - started;
    if (report.embeddingError) this.embeddingError = report.embeddingError;
    this.emit("synced", report);
    return report;
  }

  /** One file's write: its chunks with their embeddings (cache first), or a new mtime when the content is the same. */
  private async prepareFile(
    file: SourceFile,
    previous: FileRecord | undefined,
    report: SyncReport,
  ): Promise<{ op?: WriteOp; chunks: number }> {
    let text: string;
    try {
      text = await readSource(file);
    } catch {
      return { chunks: 0 };
    }
    const hash = sha256(text);
    if (previous?.hash === hash)
      return { op: { type: "touch", path: file.path, mtimeMs: file.mtimeMs, size: file.size }, chunks: 0 };
    const record: FileRecord = {
      path: file.path,
      source: file.source,
      hash,
      mtimeMs: file.mtimeMs,
      size: file.size,
    };
    const chunks = chunkMarkdown(text, this.options.settings.chunking);
    const vectors = report.embeddingError ? new Map() : await this.embedChunks(chunks, report);
    const rows = chunks.map((chunk) => ({ ...chunk, embedding: vectors.get(chunk.hash) }));
    return { op: { type: "file", record, rows }, chunks: chunks.length };
  }

  /** Vectors by chunk hash: cached ones, then the provider for the rest. Failures are reported, not thrown. */
  private async embedChunks(chunks: Chunk[], report: SyncReport): Promise<Map<string, Float32Array>> {
    const embedder = this.embedder;
    const out = new Map<string, Float32Array>();
    if (!embedder || chunks.length === 0) return out;
    const hashes = [...new Set(chunks.map((chunk) => chunk.hash))];
    const cacheOn = this.options.settings.cache.enabled;
    if (cacheOn)
      for (const [hash, vector] of this.store.cachedEmbeddings(embedder.fingerprint, hashes))
        out.set(hash, vector);
    const missing = hashes.filter((hash) => !out.has(hash));
    if (missing.length === 0) return out;
    const textByHash = new Map(chunks.map((chunk) => [chunk.hash, chunk.text]));
    let fresh: Array<[string, Float32Array]>;
    try {
      const vectors = await embedder.embed(missing.map((hash) => textByHash.get(hash)!));
      fresh = missing.map((hash, index) => [hash, vectors[index]!]);
    } catch (error) {
      report.embeddingError = `${embedder.provider} embeddings failed: ${errorText(error)}`;
      return out;
    }
    for (const [hash, vector] of fresh) out.set(hash, vector);
    if (cacheOn)
      await this.write({ type: "cache", model: embedder.fingerprint, entries: fresh, now: this.now() });
    return out;
  }

  /** Chunks indexed while embeddings were failing get their vectors once the provider answers. */
  private async backfillEmbeddings(report: SyncReport, progress?: (progress: SyncProgress) => void) {
    const embedder = this.embedder;
    if (!embedder || report.embeddingError) return;
    const rows = this.store.db
      .prepare("SELECT id, hash, text FROM chunks WHERE embedding IS NULL LIMIT 5000")
      .all() as { id: number; hash: string; text: string }[];
    if (rows.length === 0) {
      this.embeddingError = undefined;
      return;
    }
    for (let start = 0; start < rows.length; start += 256) {
      const slice = rows.slice(start, start + 256);
      progress?.({ phase: "embed", total: rows.length, done: start });
      const vectors = await this.embedChunks(
        slice.map((row) => ({ startLine: 0, endLine: 0, text: row.text, hash: row.hash, cjk: false })),
        report,
      );
      if (report.embeddingError) return;
      const entries: Array<[number, Float32Array]> = [];
      for (const row of slice) {
        const vector = vectors.get(row.hash);
        if (vector) entries.push([Number(row.id), vector]);
      }
      if (entries.length) await this.write({ type: "vectors", entries });
    }
    this.embeddingError = undefined;
  }

  /** Hybrid search (keyword-only with a reason when embeddings are unavailable). Syncs first when needed. */
  async search(
    query: string,
    options: { maxResults?: number; minScore?: number } = {},
  ): Promise<MemorySearchAnswer> {
    const { settings } = this.options;
    if (settings.sync.onSearch && (this.dirty || this.watchers.length === 0)) await this.sync();
    else if (this.running) await this.running.catch(() => {});
    const embedder = this.embedder;
    let reason = embedder ? undefined : (this.options.embedder as NoEmbedder).reason;
    let queryVector: Float32Array | undefined;
    if (embedder && settings.query.hybrid.enabled) {
      try {
        queryVector = (await embedder.embed([query]))[0];
      } catch (error) {
        reason = `${embedder.provider} embeddings failed (${errorText(error)}): keyword results only`;
        this.embeddingError = reason;
      }
    } else if (embedder) reason = "memorySearch.query.hybrid.enabled is false: keyword results only";
    const results = rankHybrid(this.store, query, queryVector, {
      maxResults: options.maxResults ?? settings.query.maxResults,
      minScore: options.minScore ?? settings.query.minScore,
      ...settings.query.hybrid,
    });
    return {
      results,
      mode: queryVector ? "hybrid" : "keyword",
      ...(embedder ? { provider: embedder.provider, model: embedder.model } : {}),
      ...(reason ? { reason } : {}),
    };
  }

  /**
   * The text of an indexed file, by the path search results show (extra paths and session
   * transcripts included); undefined for a file the index does not hold, or one that became a
   * symlink since.
   */
  async readIndexed(shown: string): Promise<string | undefined> {
    const record = this.store.files().find((file) => file.path === shown);
    if (!record) return undefined;
    const absolute = path.isAbsolute(shown)
      ? shown
      : record.source === "sessions" && this.options.sessionsDir
        ? path.join(this.options.sessionsDir, shown.replace(/^sessions\//, ""))
        : path.join(this.options.workspaceDir, shown);
    const info = await lstat(absolute).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    return readSource({
      path: shown,
      absolute,
      source: record.source as SourceFile["source"],
      mtimeMs: 0,
      size: 0,
    });
  }

  async status(): Promise<MemoryIndexStatus> {
    const counts = this.store.counts();
    const size = async (file: string) => (await stat(file).catch(() => undefined))?.size ?? 0;
    const dbPath = this.options.settings.store.path;
    const embedder = this.embedder;
    return {
      agentId: this.options.agentId,
      workspaceDir: this.options.workspaceDir,
      dbPath,
      dbBytes: (await size(dbPath)) + (await size(`${dbPath}-wal`)),
      ...(embedder ? { provider: embedder.provider, model: embedder.model } : {}),
      ...(embedder
        ? this.embeddingError
          ? { embeddingReason: this.embeddingError }
          : {}
        : { embeddingReason: (this.options.embedder as NoEmbedder).reason }),
      vector: {
        mode: this.store.vectorMode,
        ...(this.store.vectorReason ? { reason: this.store.vectorReason } : {}),
      },
      fts: true,
      files: counts.files,
      chunks: counts.chunks,
      embedded: counts.embedded,
      cacheEntries: counts.cache,
      dirty: this.dirty,
      ...(this.lastSyncAt ? { lastSyncAt: this.lastSyncAt } : {}),
      sources: this.options.settings.sources,
      extraPaths: this.options.settings.extraPaths,
      indexer: {
        thread: this.writer.mode,
        active: this.writer.active,
        ...(this.writer.reason ? { reason: this.writer.reason } : {}),
      },
    };
  }

  /** Watch the memory files: a change marks the index dirty after the debounce and syncs it. */
  watch(): void {
    if (this.watchers.length || !this.options.settings.sync.watch) return;
    const workspace = path.resolve(this.options.workspaceDir);
    const onChange = () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => {
        this.dirty = true;
        this.emit("dirty");
        this.sync().catch((error) => this.emit("error", error));
      }, this.options.settings.sync.watchDebounceMs);
      this.debounce.unref?.();
    };
    const watched = new Set<string>();
    const add = (target: string, recursive: boolean, filter?: (name: string) => boolean) => {
      // (a recursive watch of a missing folder does not throw on every platform: check first)
      if (watched.has(target) || !existsSync(target)) return;
      try {
        const watcher = watch(target, { recursive, persistent: false }, (_event, name) => {
          // a memory/ folder created after start: watch it too
          if (target === workspace && name === "memory") add(memoryDir, true);
          if (!filter || (name && filter(String(name)))) onChange();
        });
        watcher.on("error", () => {});
        this.watchers.push(watcher);
        watched.add(target);
      } catch {}
    };
    const memoryDir = path.join(workspace, "memory");
    add(workspace, false, (name) => name === "MEMORY.md" || name === "memory.md" || name === "memory");
    add(memoryDir, true);
    for (const extra of this.options.settings.extraPaths) add(path.resolve(workspace, extra), true);
  }

  async close(): Promise<void> {
    clearTimeout(this.debounce);
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
    await this.running?.catch(() => {});
    await this.writer.release().catch(() => {});
    this.closed = true;
    this.closeStore();
  }
}
