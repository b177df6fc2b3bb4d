import * as fsp from "node:fs/promises";
import { dirname, join, normalize, sep } from "node:path";
import { appendLines } from "../fs/append.js";
import { ensureDir, writeFileAtomic } from "../fs/atomic-write.js";
import { acquireFileLock } from "../fs/file-lock.js";

/**
 * Everything the state layer needs from storage, keyed by paths relative to the state dir
 * (`agents/main/sessions/sessions.json`). The file implementation maps them under the state
 * dir with crash-safe writes; the memory implementation keeps them in a Map (tests, embedding).
 */
export interface StateStore {
  /** Where this store lives ("memory:" for the in-memory store). */
  readonly root: string;
  readText(path: string): Promise<string | undefined>;
  /** Replace a file atomically (temp + fsync + rename). `mode` default 0o600. */
  writeText(path: string, data: string, options?: { mode?: number }): Promise<void>;
  /** Append complete lines; a torn last line of a previous writer is isolated first. */
  appendLines(path: string, lines: string[]): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** Names in a directory (empty when missing). */
  list(dir: string): Promise<string[]>;
  /** Size in bytes, undefined when missing. */
  size(path: string): Promise<number | undefined>;
  /** Read `length` bytes ending at the end of the file (fast tail reads of large transcripts). */
  readTail(path: string, length: number): Promise<string | undefined>;
  /**
   * Exclusive lock held until `release()`: in-process and, for files, across processes via
   * `<path>.lock`. Throws when another live process holds it longer than `timeoutMs`.
   */
  lock(path: string, options?: { timeoutMs?: number }): Promise<() => Promise<void>>;
}

function safeRelative(path: string): string {
  const normalized = normalize(path).replace(/^([/\\])+/, "");
  if (normalized === ".." || normalized.startsWith(`..${sep}`))
    throw new Error(`state path escapes the state dir: ${path}`);
  return normalized;
}

class InProcessLocks {
  private readonly tails = new Map<string, Promise<void>>();
  async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}

/** The real thing: files under `stateDir`, dirs 0700, files 0600. */
export function createFileStateStore(stateDir: string): StateStore {
  const locks = new InProcessLocks();
  const abs = (path: string) => join(stateDir, safeRelative(path));
  return {
    root: stateDir,
    async readText(path) {
      try {
        return await fsp.readFile(abs(path), "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
    },
    writeText: (path, data, options) => writeFileAtomic(abs(path), data, { mode: options?.mode ?? 0o600 }),
    appendLines: (path, lines) => appendLines(abs(path), lines),
    async rename(from, to) {
      await ensureDir(dirname(abs(to)));
      await fsp.rename(abs(from), abs(to));
    },
    async remove(path) {
      await fsp.rm(abs(path), { force: true, recursive: true });
    },
    async exists(path) {
      return fsp.access(abs(path)).then(
        () => true,
        () => false,
      );
    },
    async list(dir) {
      try {
        return await fsp.readdir(abs(dir));
      } catch (error) {
        if (
          (error as NodeJS.ErrnoException).code === "ENOENT" ||
          (error as NodeJS.ErrnoException).code === "ENOTDIR"
        )
          return [];
        throw error;
      }
    },
    async size(path) {
      try {
        return (await fsp.stat(abs(path))).size;
      } catch {
        return undefined;
      }
    },
    async readTail(path, length) {
      let handle: fsp.FileHandle | undefined;
      try {
        handle = await fsp.open(abs(path), "r");
        const { size } = await handle.stat();
        const start = Math.max(0, size - length);
        const buffer = Buffer.alloc(size - start);
        await handle.read(buffer, 0, buffer.length, start);
        return buffer.toString("utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      } finally {
        await handle?.close();
      }
    },
    async lock(path, options) {
      const releaseLocal = await locks.acquire(path);
      try {
        await ensureDir(dirname(abs(path)));
        const releaseFile = await acquireFileLock(`${abs(path)}.lock`, {
          timeoutMs: options?.timeoutMs ?? 10_000,
        });
        return async () => {
          await releaseFile();
          releaseLocal();
        };
      } catch (error) {
        releaseLocal();
        throw error;
      }
    },
  };
}

/** Everything in memory; same semantics minus durability. */
export function createMemoryStateStore(): StateStore & { files: Map<string, string> } {
  const files = new Map<string, string>();
  const locks = new InProcessLocks();
  const key = (path: string) => safeRelative(path);
  return {
    root: "memory:",
    files,
    async readText(path) {
      return files.get(key(path));
    },
    async writeText(path, data) {
      files.set(key(path), data);
    },
    async appendLines(path, lines) {
      if (lines.length === 0) return;
      const current = files.get(key(path)) ?? "";
      const prefix = current !== "" && !current.endsWith("\n") ? "\n" : "";
      files.set(key(path), `${current}${prefix}${lines.join("\n")}\n`);
    },
    async rename(from, to) {
      const value = files.get(key(from));
      if (value === undefined) throw Object.assign(new Error(`ENOENT: ${from}`), { code: "ENOENT" });
      files.set(key(to), value);
      files.delete(key(from));
    },
    async remove(path) {
      const prefix = `${key(path)}${sep}`;
      for (const name of [...files.keys()])
        if (name === key(path) || name.startsWith(prefix)) files.delete(name);
    },
    async exists(path) {
      const prefix = `${key(path)}${sep}`;
      return files.has(key(path)) || [...files.keys()].some((name) => name.startsWith(prefix));
    },
    async list(dir) {
      const prefix = key(dir) === "." ? "" : `${key(dir)}${sep}`;
      const names = new Set<string>();
      for (const name of files.keys())
        if (name.startsWith(prefix)) names.add(name.slice(prefix.length).split(sep)[0]!);
      return [...names];
    },
    async size(path) {
      const value = files.get(key(path));
      return value === undefined ? undefined : Buffer.byteLength(value);
    },
    async readTail(path, length) {
      const value = files.get(key(path));
      if (value === undefined) return undefined;
      const buffer = Buffer.from(value);
      return buffer.subarray(Math.max(0, buffer.length - length)).toString("utf8");
    },
    async lock(path) {
      const release = await locks.acquire(key(path));
      return async () => release();
    },
  };
}
