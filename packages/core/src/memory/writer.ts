import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Worker } from "node:worker_threads";
import type { Chunk } from "./chunker.js";
import type { FileRecord, MemoryStore } from "./store.js";

/**
 * Every write a sync makes to the index, as data: applied by {@link applyWrite} either on a
 * worker thread (the default: SQLite's work inside a transaction, FTS5 merges included, never
 * holds the gateway's event loop) or, when no worker can run, on the calling thread.
 */
export type WriteOp =
  /** A rebuild: everything derived from the sources is dropped, the new fingerprint recorded. */
  | { type: "reset"; fingerprint: string }
  /** One file's chunks replaced, its record last, in one transaction. */
  | { type: "file"; record: FileRecord; rows: Array<Chunk & { embedding?: Float32Array }> }
  /** Same content, new mtime/size. */
  | { type: "touch"; path: string; mtimeMs: number; size: number }
  | { type: "remove"; path: string }
  | { type: "cache"; model: string; entries: Array<[string, Float32Array]>; now: number }
  /** Vectors for chunks indexed while embeddings were failing. */
  | { type: "vectors"; entries: Array<[number, Float32Array]> }
  /** End of a sync that wrote something: cache pruned, WAL folded and truncated. */
  | { type: "finish"; pruneCacheTo?: number };

export type WriterThread = "worker" | "main";

/** Chunks per transaction when writing on the calling thread (each holds its event loop a few ms). */
const MAIN_THREAD_SLICE = 8;

/**
 * Writes cheap whatever the index holds: a touched mtime, the closing checkpoint, the rebuild of
 * an index with nothing in it (a new database). A sync made only of these starts no worker: the
 * first session-start sync of an agent with no memory files creates its database on the calling
 * thread instead of paying for a thread (a V8 isolate, a second connection) to write nothing.
 */
export function cheapWrite(store: MemoryStore, op: WriteOp): boolean {
  return op.type === "touch" || op.type === "finish" || (op.type === "reset" && !store.holdsData());
}

export function applyWrite(store: MemoryStore, op: WriteOp): void {
  switch (op.type) {
    case "reset":
      store.clearIndex();
      store.setMeta("fingerprint", op.fingerprint);
      return;
    case "file":
      store.transaction(() => store.replaceFile(op.record, op.rows));
      return;
    case "touch":
      store.transaction(() => store.touchFile(op.path, op.mtimeMs, op.size));
      return;
    case "remove":
      store.transaction(() => store.removeFile(op.path));
      return;
    case "cache":
      store.transaction(() => store.cacheEmbeddings(op.model, op.entries, op.now));
      return;
    case "vectors": {
      const dims = op.entries[0]?.[1].length;
      if (dims) store.ensureVecTable(dims);
      store.transaction(() => {
        for (const [id, vector] of op.entries) store.setEmbedding(id, vector);
      });
      return;
    }
    case "finish":
      if (op.pruneCacheTo !== undefined) store.pruneCache(op.pruneCacheTo);
      store.checkpoint();
      return;
  }
}

/** What the worker needs to open the same database the calling thread reads. */
export interface WorkerSetup {
  file: string;
  vector: { enabled: boolean; extensionPath?: string };
}

export type WorkerRequest = { id: number; op: WriteOp };
export type WorkerReply = { id: number; error?: string };

/**
 * The worker's script: `index-worker.ts` next to this file when running from the sources
 * (vitest, tsx: the worker gets tsx too), else `memory/index-worker.js` in the package's dist
 * (this code may sit in `dist/memory/` or in a shared chunk at `dist/`).
 */
export function workerScript(
  moduleUrl: string = import.meta.url,
): { url: URL; execArgv?: string[] } | { reason: string } {
  const here = fileURLToPath(moduleUrl);
  const dir = path.dirname(here);
  if (here.endsWith(".ts")) {
    const script = path.join(dir, "index-worker.ts");
    try {
      const tsx = createRequire(here).resolve("tsx");
      return { url: pathToFileURL(script), execArgv: ["--import", pathToFileURL(tsx).href] };
    } catch {
      return {
        reason: "the memory index worker runs from TypeScript sources and needs tsx, which is not installed",
      };
    }
  }
  const candidates = [
    path.join(dir, "index-worker.js"),
    path.join(dir, "memory", "index-worker.js"),
    path.join(dir, "..", "memory", "index-worker.js"),
  ];
  const found = candidates.find(
    (candidate) => path.basename(path.dirname(candidate)) === "memory" && existsSync(candidate),
  );
  return found
    ? { url: pathToFileURL(found) }
    : { reason: "memory/index-worker.js is missing from the package" };
}

type Pending = Map<number, { resolve: () => void; reject: (error: Error) => void }>;

/**
 * Applies a sync's writes in order on a worker thread, created on the first write that is not
 * {@link cheapWrite} and ended by {@link release} (an idle process holds no worker), or on this
 * thread when no worker can run (`reason` says why). Events go to `onState` (the index
 * re-emits them). A write that arrives while a released worker is still exiting goes to a new
 * worker; the old one's exit fails only the writes that were sent to it.
 */
export class IndexWriter {
  private worker?: Worker;
  private starting?: Promise<Worker | undefined>;
  private nextId = 1;
  /** The writes each worker has not acknowledged yet. */
  private readonly pending = new WeakMap<Worker, Pending>();
  /** The last write sent to each worker (acknowledged in order). */
  private readonly lastWrite = new WeakMap<Worker, Promise<void>>();
  reason?: string;

  constructor(
    /** This thread's connection (opened on demand by the index). */
    private readonly store: () => MemoryStore,
    private readonly setup: WorkerSetup,
    readonly thread: WriterThread,
    private readonly onState: (state: { state: "started" | "stopped"; threadId: number }) => void = () => {},
  ) {
    if (thread === "main") this.reason = "indexing on the calling thread (indexer: main)";
  }

  get mode(): WriterThread {
    return this.thread === "worker" && !this.reason ? "worker" : "main";
  }

  /** Whether a worker thread is alive now. */
  get active(): boolean {
    return this.worker !== undefined;
  }

  /** Apply one write (in order with the others). */
  async write(op: WriteOp): Promise<void> {
    // once a worker runs (or starts), every write goes to it, in order
    const here = this.mode === "main" || (!this.worker && !this.starting && cheapWrite(this.store(), op));
    const worker = here ? undefined : await this.start();
    if (!worker) return this.writeHere(op);
    const id = this.nextId++;
    const pending = this.pending.get(worker)!;
    const done = new Promise<void>((resolve, reject) => pending.set(id, { resolve, reject }));
    worker.postMessage({ id, op } satisfies WorkerRequest);
    this.lastWrite.set(worker, done);
    return done;
  }

  /**
   * On this thread: a file in small transactions with the event loop free in between, its
   * record last (a crash in the middle leaves a file the next sync indexes again).
   */
  private async writeHere(op: WriteOp): Promise<void> {
    if (op.type !== "file" || op.rows.length <= MAIN_THREAD_SLICE) {
      applyWrite(this.store(), op);
      await yieldToLoop();
      return;
    }
    for (let start = 0; start < op.rows.length; start += MAIN_THREAD_SLICE) {
      const store = this.store();
      store.transaction(() => {
        if (start === 0) store.removeFile(op.record.path);
        store.insertChunks(op.record, op.rows.slice(start, start + MAIN_THREAD_SLICE));
      });
      await yieldToLoop();
    }
    const store = this.store();
    store.transaction(() => store.upsertFile(op.record));
  }

  private start(): Promise<Worker | undefined> {
    if (this.worker) return Promise.resolve(this.worker);
    this.starting ??= (async () => {
      const script = workerScript();
      if ("reason" in script) {
        this.reason = script.reason;
        return undefined;
      }
      const { Worker } = await import("node:worker_threads");
      const worker = new Worker(script.url, {
        workerData: this.setup satisfies WorkerSetup,
        ...(script.execArgv ? { execArgv: script.execArgv } : {}),
      });
      const pending: Pending = new Map();
      this.pending.set(worker, pending);
      worker.on("message", (reply: WorkerReply) => {
        const waiting = pending.get(reply.id);
        if (!waiting) return;
        pending.delete(reply.id);
        if (reply.error) waiting.reject(new Error(reply.error));
        else waiting.resolve();
      });
      const fail = (error: Error) => {
        for (const waiting of pending.values()) waiting.reject(error);
        pending.clear();
      };
      worker.on("error", fail);
      const { threadId } = worker;
      worker.on("exit", (code) => {
        if (this.worker === worker) this.worker = undefined;
        fail(new Error(`the memory index worker exited (code ${code})`));
        this.onState({ state: "stopped", threadId });
      });
      this.worker = worker;
      this.onState({ state: "started", threadId });
      return worker;
    })().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** End the worker (after a sync: nothing is left to write). Resolves once it has exited. */
  async release(): Promise<void> {
    if (!this.worker) await this.starting;
    const worker = this.worker;
    if (!worker) return;
    // from here a write goes to a new worker; those already sent to this one complete first
    this.worker = undefined;
    await this.lastWrite.get(worker)?.catch(() => {});
    // the worker closes its database (WAL checkpointed) and exits on its own
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.postMessage({ close: true });
    await exited;
  }
}
