import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Chunk } from "./chunker.js";

/** How vectors are searched: the sqlite-vec extension, or cosine in JS over Float32 blobs. */
export type VectorMode = "sqlite-vec" | "js";

export interface StoredChunk {
  id: number;
  path: string;
  source: string;
  startLine: number;
  endLine: number;
  text: string;
}

export interface FileRecord {
  path: string;
  source: string;
  hash: string;
  mtimeMs: number;
  size: number;
}

const WAL_LIMIT_BYTES = 32 * 1024 * 1024;
const SCHEMA_VERSION = "1";

/** Float32 little-endian blob (what sqlite-vec and the JS fallback both read). */
export function toBlob(vector: ArrayLike<number>): Uint8Array {
  const floats = vector instanceof Float32Array ? vector : Float32Array.from(vector);
  return new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength);
}

export function fromBlob(blob: Uint8Array): Float32Array {
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float32Array(copy.buffer);
}

function loadSqlite(): typeof import("node:sqlite") {
  // node:sqlite through require: loaded only when a memory index is opened
  return createRequire(import.meta.url)("node:sqlite") as typeof import("node:sqlite");
}

/** The sqlite-vec extension's file, or why it cannot be loaded. */
function vecExtensionPath(configured?: string): { path?: string; reason?: string } {
  if (configured) return { path: configured };
  try {
    const vec = createRequire(import.meta.url)("sqlite-vec") as { getLoadablePath(): string };
    return { path: vec.getLoadablePath() };
  } catch (error) {
    return { reason: `sqlite-vec is not available: ${(error as Error).message.split("\n")[0]}` };
  }
}

/**
 * One agent's memory index: `files`, `chunks` (text + Float32 embedding blob), FTS5 tables
 * (unicode61 for all chunks, trigram for CJK ones), an optional `vec0` table, the embedding
 * cache and `meta` (fingerprint of provider/model/chunking). WAL with a size limit.
 */
export class MemoryStore {
  readonly db: DatabaseSync;
  vectorMode: VectorMode = "js";
  vectorReason?: string;
  private vecDims?: number;
  private statements = new Map<string, StatementSync>();

  constructor(
    readonly file: string,
    options: { vector: { enabled: boolean; extensionPath?: string } },
  ) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const { DatabaseSync } = loadSqlite();
    this.db = new DatabaseSync(file, { allowExtension: true });
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;
      PRAGMA journal_size_limit = ${WAL_LIMIT_BYTES}; PRAGMA wal_autocheckpoint = 1000;`);
    if (options.vector.enabled) this.loadVec(options.vector.extensionPath);
    else this.vectorReason = "memorySearch.store.vector.enabled is false";
    this.migrate();
  }

  private loadVec(extensionPath?: string): void {
    const found = vecExtensionPath(extensionPath);
    if (!found.path) {
      this.vectorReason = found.reason;
      return;
    }
    try {
      this.db.enableLoadExtension(true);
      this.db.loadExtension(found.path);
      this.db.enableLoadExtension(false);
      this.vectorMode = "sqlite-vec";
    } catch (error) {
      this.vectorReason = `sqlite-vec could not load: ${(error as Error).message}`;
    }
  }

  private migrate(): void {
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, source TEXT NOT NULL, hash TEXT NOT NULL,
        mtime_ms REAL NOT NULL, size INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS chunks (id INTEGER PRIMARY KEY, path TEXT NOT NULL, source TEXT NOT NULL,
        start_line INTEGER NOT NULL, end_line INTEGER NOT NULL, hash TEXT NOT NULL, text TEXT NOT NULL,
        cjk INTEGER NOT NULL DEFAULT 0, embedding BLOB);
      CREATE INDEX IF NOT EXISTS chunks_path ON chunks(path);
      CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(text, content='', contentless_delete=1,
        tokenize='unicode61 remove_diacritics 2');
      CREATE VIRTUAL TABLE IF NOT EXISTS chunks_cjk USING fts5(text, content='', contentless_delete=1,
        tokenize='trigram');
      CREATE TABLE IF NOT EXISTS embedding_cache (model TEXT NOT NULL, hash TEXT NOT NULL, vector BLOB NOT NULL,
        used_at INTEGER NOT NULL, PRIMARY KEY (model, hash));
    `);
    if (!this.getMeta("schema")) this.setMeta("schema", SCHEMA_VERSION);
    const dims = Number(this.getMeta("vec_dims"));
    if (this.vectorMode === "sqlite-vec" && dims > 0) this.ensureVecTable(dims);
  }

  private stmt(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  getMeta(key: string): string | undefined {
    const row = this.stmt("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmt(
      "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    ).run(key, value);
  }

  /** Creates the vec0 table for `dims`-wide vectors (dropping one of another width). */
  ensureVecTable(dims: number): void {
    if (this.vectorMode !== "sqlite-vec" || this.vecDims === dims) return;
    const current = Number(this.getMeta("vec_dims"));
    if (current && current !== dims) this.db.exec("DROP TABLE IF EXISTS chunks_vec");
    this.db.exec(
      `CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vec USING vec0(embedding float[${dims}] distance_metric=cosine)`,
    );
    if (current !== dims) {
      // (re)fill from the chunk blobs: the vec table is derived data
      const rows = this.stmt("SELECT id, embedding FROM chunks WHERE embedding IS NOT NULL").all() as {
        id: number;
        embedding: Uint8Array;
      }[];
      const insert = this.stmt("INSERT INTO chunks_vec(rowid, embedding) VALUES (?, ?)");
      for (const row of rows)
        if (row.embedding.byteLength === dims * 4) insert.run(BigInt(row.id), row.embedding);
      this.setMeta("vec_dims", String(dims));
    }
    this.vecDims = dims;
  }

  transaction<T>(work: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  files(): FileRecord[] {
    return (
      this.stmt(
        "SELECT path, source, hash, mtime_ms AS mtimeMs, size FROM files",
      ).all() as unknown as FileRecord[]
    ).map((row) => ({ ...row }));
  }

  /** Replace one file's chunks in one go (call inside a transaction). */
  replaceFile(record: FileRecord, chunks: Array<Chunk & { embedding?: Float32Array }>): void {
    this.removeFile(record.path);
    this.insertChunks(record, chunks);
    this.upsertFile(record);
  }

  /** Add chunks of a file (call inside a transaction); the file's record comes last, with {@link upsertFile}. */
  insertChunks(
    record: Pick<FileRecord, "path" | "source">,
    chunks: Array<Chunk & { embedding?: Float32Array }>,
  ): void {
    const insert = this.stmt(
      "INSERT INTO chunks(path, source, start_line, end_line, hash, text, cjk, embedding) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const fts = this.stmt("INSERT INTO chunks_fts(rowid, text) VALUES (?, ?)");
    const cjk = this.stmt("INSERT INTO chunks_cjk(rowid, text) VALUES (?, ?)");
    this.matrix = undefined;
    const dims = chunks.find((chunk) => chunk.embedding)?.embedding?.length;
    if (dims) this.ensureVecTable(dims);
    for (const chunk of chunks) {
      const blob = chunk.embedding ? toBlob(chunk.embedding) : null;
      const { lastInsertRowid } = insert.run(
        record.path,
        record.source,
        chunk.startLine,
        chunk.endLine,
        chunk.hash,
        chunk.text,
        chunk.cjk ? 1 : 0,
        blob,
      );
      const id = BigInt(lastInsertRowid);
      fts.run(id, chunk.text);
      if (chunk.cjk) cjk.run(id, chunk.text);
      if (blob && this.vecDims === chunk.embedding?.length)
        this.stmt("INSERT INTO chunks_vec(rowid, embedding) VALUES (?, ?)").run(id, blob);
    }
  }

  /** Record a file as indexed (its mtime, size and content hash). */
  upsertFile(record: FileRecord): void {
    this.stmt(
      "INSERT INTO files(path, source, hash, mtime_ms, size) VALUES (?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET source = excluded.source, hash = excluded.hash, mtime_ms = excluded.mtime_ms, size = excluded.size",
    ).run(record.path, record.source, record.hash, record.mtimeMs, record.size);
  }

  /** A file whose content is unchanged: only its mtime and size are new (call inside a transaction). */
  touchFile(file: string, mtimeMs: number, size: number): void {
    this.stmt("UPDATE files SET mtime_ms = ?, size = ? WHERE path = ?").run(mtimeMs, size, file);
  }

  /**
   * Forget what this connection derived from the data (the JS vector array, the vec table's
   * width) after another connection — the index worker — wrote to the database.
   */
  refresh(): void {
    this.matrix = undefined;
    if (this.vectorMode !== "sqlite-vec") return;
    const dims = Number(this.getMeta("vec_dims"));
    this.vecDims = dims > 0 ? dims : undefined;
  }

  /** Store a vector for an existing chunk (call inside a transaction). */
  setEmbedding(id: number, vector: Float32Array): void {
    const blob = toBlob(vector);
    this.matrix = undefined;
    this.stmt("UPDATE chunks SET embedding = ? WHERE id = ?").run(blob, id);
    if (this.vecDims !== vector.length) return;
    this.stmt("DELETE FROM chunks_vec WHERE rowid = ?").run(BigInt(id));
    this.stmt("INSERT INTO chunks_vec(rowid, embedding) VALUES (?, ?)").run(BigInt(id), blob);
  }

  /** Drop a file and its chunks (call inside a transaction). */
  removeFile(file: string): void {
    this.matrix = undefined;
    const ids = this.stmt("SELECT id FROM chunks WHERE path = ?").all(file) as { id: number }[];
    const ftsDelete = this.stmt("DELETE FROM chunks_fts WHERE rowid = ?");
    const cjkDelete = this.stmt("DELETE FROM chunks_cjk WHERE rowid = ?");
    const hasVec = this.vectorMode === "sqlite-vec" && this.vecDims !== undefined;
    for (const { id } of ids) {
      ftsDelete.run(BigInt(id));
      cjkDelete.run(BigInt(id));
      if (hasVec) this.stmt("DELETE FROM chunks_vec WHERE rowid = ?").run(BigInt(id));
    }
    this.stmt("DELETE FROM chunks WHERE path = ?").run(file);
    this.stmt("DELETE FROM files WHERE path = ?").run(file);
  }

  /** Everything derived from the sources, for a rebuild (the embedding cache stays). */
  clearIndex(): void {
    this.transaction(() => {
      this.db.exec("DELETE FROM chunks; DELETE FROM files; DELETE FROM chunks_fts; DELETE FROM chunks_cjk;");
      this.db.exec("DROP TABLE IF EXISTS chunks_vec");
      this.stmt("DELETE FROM meta WHERE key = 'vec_dims'").run();
    });
    this.vecDims = undefined;
    this.matrix = undefined;
  }

  cachedEmbeddings(model: string, hashes: string[]): Map<string, Float32Array> {
    const found = new Map<string, Float32Array>();
    const select = this.stmt("SELECT vector FROM embedding_cache WHERE model = ? AND hash = ?");
    for (const hash of hashes) {
      const row = select.get(model, hash) as { vector: Uint8Array } | undefined;
      if (row) found.set(hash, fromBlob(row.vector));
    }
    return found;
  }

  cacheEmbeddings(model: string, entries: Array<[string, Float32Array]>, now: number): void {
    const insert = this.stmt(
      "INSERT INTO embedding_cache(model, hash, vector, used_at) VALUES (?, ?, ?, ?) ON CONFLICT(model, hash) DO UPDATE SET used_at = excluded.used_at",
    );
    for (const [hash, vector] of entries) insert.run(model, hash, toBlob(vector), now);
  }

  /** Keep the newest `maxEntries` cache rows. */
  pruneCache(maxEntries: number): void {
    this.stmt(
      "DELETE FROM embedding_cache WHERE rowid NOT IN (SELECT rowid FROM embedding_cache ORDER BY used_at DESC LIMIT ?)",
    ).run(maxEntries);
  }

  /** Whether the index holds any file or chunk (a rebuild of an empty index is a few statements). */
  holdsData(): boolean {
    const row = this.stmt(
      "SELECT EXISTS(SELECT 1 FROM files) OR EXISTS(SELECT 1 FROM chunks) AS n",
    ).get() as { n: number };
    return Number(row.n) === 1;
  }

  counts(): { files: number; chunks: number; embedded: number; cache: number } {
    const one = (sql: string) => Number((this.stmt(sql).get() as { n: number }).n);
    return {
      files: one("SELECT count(*) AS n FROM files"),
      chunks: one("SELECT count(*) AS n FROM chunks"),
      embedded: one("SELECT count(*) AS n FROM chunks WHERE embedding IS NOT NULL"),
      cache: one("SELECT count(*) AS n FROM embedding_cache"),
    };
  }

  chunk(id: number): StoredChunk | undefined {
    const row = this.stmt(
      "SELECT id, path, source, start_line AS startLine, end_line AS endLine, text FROM chunks WHERE id = ?",
    ).get(id) as StoredChunk | undefined;
    return row ? { ...row } : undefined;
  }

  /** BM25 keyword candidates: chunk id and rank (lower is better). */
  keyword(query: string, cjkQuery: string | undefined, limit: number): Array<{ id: number; rank: number }> {
    const out: Array<{ id: number; rank: number }> = [];
    if (query)
      out.push(
        ...(this.stmt(
          "SELECT rowid AS id, bm25(chunks_fts) AS rank FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ?",
        ).all(query, limit) as { id: number; rank: number }[]),
      );
    if (cjkQuery)
      out.push(
        ...(this.stmt(
          "SELECT rowid AS id, bm25(chunks_cjk) AS rank FROM chunks_cjk WHERE chunks_cjk MATCH ? ORDER BY rank LIMIT ?",
        ).all(cjkQuery, limit) as { id: number; rank: number }[]),
      );
    return out.map((row) => ({ id: Number(row.id), rank: Number(row.rank) }));
  }

  /** Nearest chunks by cosine similarity (1 = same direction). */
  nearest(vector: Float32Array, limit: number): Array<{ id: number; similarity: number }> {
    if (this.vectorMode === "sqlite-vec" && this.vecDims === vector.length) {
      const rows = this.stmt(
        "SELECT rowid AS id, distance FROM chunks_vec WHERE embedding MATCH ? AND k = ? ORDER BY distance",
      ).all(toBlob(vector), limit) as { id: number; distance: number }[];
      return rows.map((row) => ({ id: Number(row.id), similarity: 1 - Number(row.distance) }));
    }
    return this.nearestJs(vector, limit);
  }

  /**
   * The in-process fallback: cosine over every chunk's Float32 vector, top `limit` kept. The
   * vectors are read once into one contiguous, normalized Float32Array (rebuilt after writes).
   */
  nearestJs(vector: Float32Array, limit: number): Array<{ id: number; similarity: number }> {
    const dims = vector.length;
    const matrix = this.vectorMatrix(dims);
    let queryNorm = 0;
    for (let index = 0; index < dims; index++) queryNorm += vector[index]! * vector[index]!;
    queryNorm = Math.sqrt(queryNorm) || 1;
    const top: Array<{ id: number; similarity: number }> = [];
    const { ids, values } = matrix;
    for (let row = 0; row < ids.length; row++) {
      const offset = row * dims;
      let dot = 0;
      for (let index = 0; index < dims; index++) dot += values[offset + index]! * vector[index]!;
      const similarity = dot / queryNorm;
      if (top.length < limit || similarity > top[top.length - 1]!.similarity) {
        top.push({ id: ids[row]!, similarity });
        top.sort((a, b) => b.similarity - a.similarity);
        if (top.length > limit) top.pop();
      }
    }
    return top;
  }

  private matrix?: { dims: number; ids: Int32Array; values: Float32Array };

  private vectorMatrix(dims: number): { ids: Int32Array; values: Float32Array } {
    if (this.matrix?.dims === dims) return this.matrix;
    const rows = this.stmt("SELECT id, embedding FROM chunks WHERE length(embedding) = ?").all(dims * 4) as {
      id: number;
      embedding: Uint8Array;
    }[];
    const ids = new Int32Array(rows.length);
    const values = new Float32Array(rows.length * dims);
    rows.forEach((row, index) => {
      const vector = fromBlob(row.embedding);
      let norm = 0;
      for (const value of vector) norm += value * value;
      norm = Math.sqrt(norm) || 1;
      for (let offset = 0; offset < dims; offset++) values[index * dims + offset] = vector[offset]! / norm;
      ids[index] = Number(row.id);
    });
    this.matrix = { dims, ids, values };
    return this.matrix;
  }

  /** Fold the WAL into the database and truncate it (after an index run). */
  checkpoint(): void {
    try {
      this.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch {}
  }

  close(): void {
    this.statements.clear();
    try {
      this.checkpoint();
      this.db.close();
    } catch {}
  }
}
