import { EventEmitter } from "node:events";
import { existsSync, type FSWatcher, watch } from "node:fs";
import { lstat, stat } from "node:fs/promises";
import path from "node:path";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { type Chunk, chunkMarkdown, sha256 } from "./chunker.js";
import type { Embedder, NoEmbedder } from "./embeddings.js";
import { type MemoryHit, rankHybrid } from "./search.js";
import type { MemorySettings } from "./settings.js";
import { listSources, readSource, type SourceFile } from "./sources.js";
import { type FileRecord, MemoryStore } from "./store.js";

export interface MemoryIndexOptions {
  agentId: string;
  workspaceDir: string;
  settings: MemorySettings;
  embedder: Embedder | NoEmbedder;
  /** The agent's transcripts (for `sources: ["sessions"]`). */
  sessionsDir?: string;
  now?: () => number;
}

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
};

const INDEX_VERSION = 1;
/** Chunks written per transaction (each one holds the event loop for a few milliseconds). */
const WRITE_SLICE = 8;

function isEmbedder(value: Embedder | NoEmbedder): value is Embedder {
  return "embed" in value;
}

function errorText(error: unknown): string {
  return (error as Error)?.message ?? String(error);
}

/**
 * One agent's memory index: syncs the sources into SQLite (changed files only, embeddings
 * cached by content hash), answers hybrid searches, watches the files (1.5 s debounce).
 * Events: `dirty`, `synced` (SyncReport), `error`.
 */
export class MemoryIndex extends EventEmitter {
  readonly store: MemoryStore;
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
    this.store = new MemoryStore(options.settings.store.path, options.settings.store);
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

  /** Sync now (or join the running sync; a request during a sync runs once more after it). */
  sync(options: { force?: boolean; progress?: (progress: SyncProgress) => void } = {}): Promise<SyncReport> {
    if (this.running && !options.force) {
      this.again = true;
      return this.running;
    }
    const run = async (): Promise<SyncReport> => {
      if (this.running) await this.running.catch(() => {});
      try {
        let report = await this.syncOnce(options);
        while (this.again) {
          this.again = false;
          report = await this.syncOnce({});
        }
        return report;
      } finally {
        this.running = undefined;
      }
    };
    const promise = run();
    this.running = promise;
    return promise;
  }

  private async syncOnce(options: { force?: boolean; progress?: (progress: SyncProgress) => void }) {
    const started = this.now();
    this.dirty = false;
    const { settings } = this.options;
    const fingerprint = this.fingerprint();
    const rebuilt = options.force === true || this.store.getMeta("fingerprint") !== fingerprint;
    if (rebuilt) {
      this.store.clearIndex();
      this.store.setMeta("fingerprint", fingerprint);
    }
    options.progress?.({ phase: "scan", total: 0, done: 0 });
    const sources = await listSources({
      workspaceDir: this.options.workspaceDir,
      extraPaths: settings.extraPaths,
      sources: settings.sources,
      sessionsDir: this.options.sessionsDir,
    });
    const known = new Map(this.store.files().map((file) => [file.path, file]));
    const report: SyncReport = { rebuilt, indexed: 0, removed: 0, unchanged: 0, chunks: 0, durationMs: 0 };
    const changed = sources.filter((file) => {
      const record = known.get(file.path);
      return !record || record.mtimeMs !== file.mtimeMs || record.size !== file.size;
    });
    report.unchanged = sources.length - changed.length;
    let done = 0;
    for (const file of changed) {
      options.progress?.({ phase: "index", total: changed.length, done, file: file.path });
      report.chunks += await this.indexFile(file, known.get(file.path), report);
      report.indexed++;
      done++;
      await yieldToLoop();
    }
    const present = new Set(sources.map((file) => file.path));
    for (const file of known.keys())
      if (!present.has(file)) {
        this.store.transaction(() => this.store.removeFile(file));
        report.removed++;
      }
    await this.backfillEmbeddings(report, options.progress);
    if (settings.cache.enabled) this.store.pruneCache(settings.cache.maxEntries);
    this.store.checkpoint();
    options.progress?.({ phase: "done", total: changed.length, done: changed.length });
    this.lastSyncAt = this.now();
    report.durationMs = this.lastSyncAt - started;
    if (report.embeddingError) this.embeddingError = report.embeddingError;
    this.emit("synced", report);
    return report;
  }

  /** Chunks + embeddings (cache first) of one file, written in one transaction. */
  private async indexFile(file: SourceFile, previous: FileRecord | undefined, report: SyncReport) {
    let text: string;
    try {
      text = await readSource(file);
    } catch {
      return 0;
    }
    const hash = sha256(text);
    const record: FileRecord = {
      path: file.path,
      source: file.source,
      hash,
      mtimeMs: file.mtimeMs,
      size: file.size,
    };
    if (previous?.hash === hash) {
      this.store.transaction(() =>
        this.store.db
          .prepare("UPDATE files SET mtime_ms = ?, size = ? WHERE path = ?")
          .run(file.mtimeMs, file.size, file.path),
      );
      return 0;
    }
    const chunks = chunkMarkdown(text, this.options.settings.chunking);
    const vectors = report.embeddingError ? new Map() : await this.embedChunks(chunks, report);
    const rows = chunks.map((chunk) => ({ ...chunk, embedding: vectors.get(chunk.hash) }));
    // small transactions with the event loop free in between; the file's record goes last, so a
    // crash in the middle leaves a file the next sync indexes again (its chunks are replaced)
    for (let start = 0; start === 0 || start < rows.length; start += WRITE_SLICE) {
      this.store.transaction(() => {
        if (start === 0) this.store.removeFile(record.path);
        this.store.insertChunks(record, rows.slice(start, start + WRITE_SLICE));
      });
      await yieldToLoop();
    }
    this.store.transaction(() => this.store.upsertFile(record));
    return chunks.length;
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
    try {
      const vectors = await embedder.embed(missing.map((hash) => textByHash.get(hash)!));
      const fresh: Array<[string, Float32Array]> = missing.map((hash, index) => [hash, vectors[index]!]);
      for (const [hash, vector] of fresh) out.set(hash, vector);
      if (cacheOn)
        this.store.transaction(() => this.store.cacheEmbeddings(embedder.fingerprint, fresh, this.now()));
    } catch (error) {
      report.embeddingError = `${embedder.provider} embeddings failed: ${errorText(error)}`;
    }
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
      const dims = vectors.values().next().value?.length;
      if (dims) this.store.ensureVecTable(dims);
      this.store.transaction(() => {
        for (const row of slice) {
          const vector = vectors.get(row.hash);
          if (vector) this.store.setEmbedding(row.id, vector);
        }
      });
      await yieldToLoop();
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
    const dbPath = this.store.file;
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
    this.store.close();
  }
}
