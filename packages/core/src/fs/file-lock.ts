import * as fsp from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";

const MARKER = Symbol.for("openclaw.core.LockTimeoutError");

export class LockTimeoutError extends Error {
  readonly [MARKER] = true;
  readonly code = "LOCK_TIMEOUT" as const;
  readonly lockPath: string;
  readonly holder?: LockInfo;
  constructor(lockPath: string, holder: LockInfo | undefined, waitedMs: number) {
    super(
      `timed out after ${waitedMs} ms waiting for ${lockPath}${holder ? ` (held by pid ${holder.pid} on ${holder.host} since ${new Date(holder.createdAt).toISOString()})` : ""}`,
    );
    this.name = "LockTimeoutError";
    this.lockPath = lockPath;
    this.holder = holder;
  }
  static isInstance(error: unknown): error is LockTimeoutError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}

export interface LockInfo {
  pid: number;
  host: string;
  createdAt: number;
}

export interface FileLockOptions {
  /** Give up after this long. Default 10 s. */
  timeoutMs?: number;
  /** A lock older than this whose owner cannot be checked is considered abandoned. Default 60 s. */
  staleMs?: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    const info = JSON.parse(await fsp.readFile(path, "utf8")) as LockInfo;
    return typeof info.pid === "number" ? info : undefined;
  } catch {
    return undefined;
  }
}

const heldInProcess = new Map<string, Promise<void>>();

/**
 * Run `fn` while holding an exclusive lock file (`O_EXCL` create). Waits with backoff; a lock
 * whose process is gone (same host) or that is older than `staleMs` is broken. Calls within one
 * process are also serialized, so the lock is safe across async callers and across processes.
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  // in-process queue first: one waiter per lock file touches the filesystem at a time
  const previous = heldInProcess.get(lockPath) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const chained = previous.then(() => mine);
  heldInProcess.set(lockPath, chained);
  await previous;
  try {
    await acquire(lockPath, options);
    try {
      return await fn();
    } finally {
      await fsp.unlink(lockPath).catch(() => {});
    }
  } finally {
    release();
    if (heldInProcess.get(lockPath) === chained) heldInProcess.delete(lockPath);
  }
}

/**
 * Take the lock file and keep it until the returned `release` is called (long-held locks, e.g.
 * one writer per session transcript). Throws LockTimeoutError when another live process holds it.
 */
export async function acquireFileLock(
  lockPath: string,
  options: FileLockOptions = {},
): Promise<() => Promise<void>> {
  await acquire(lockPath, options);
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    await fsp.unlink(lockPath).catch(() => {});
  };
}

async function acquire(lockPath: string, options: FileLockOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 60_000;
  const started = Date.now();
  const host = hostname();
  await fsp.mkdir(dirname(lockPath), { recursive: true, mode: 0o700 });
  let delay = 5;
  for (;;) {
    try {
      const handle = await fsp.open(lockPath, "wx", 0o600);
      await handle.writeFile(
        JSON.stringify({ pid: process.pid, host, createdAt: Date.now() } satisfies LockInfo),
      );
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await readLock(lockPath);
    let abandoned: boolean;
    if (holder)
      abandoned = (holder.host === host && !alive(holder.pid)) || Date.now() - holder.createdAt > staleMs;
    else {
      // no readable owner: either released meanwhile — just retry (treating the missing file as
      // abandoned would rename away the lock a new owner creates right after, and both would
      // then write) — or its creator died mid-write
      const age = await ageOf(lockPath);
      abandoned = age !== undefined && age > Math.min(staleMs, 2000);
    }
    if (abandoned) {
      // rename first so two breakers cannot both delete a fresh lock
      const grave = `${lockPath}.stale.${process.pid}.${Date.now()}`;
      await fsp.rename(lockPath, grave).then(
        () => fsp.unlink(grave).catch(() => {}),
        () => {},
      );
      continue;
    }
    const waited = Date.now() - started;
    if (waited >= timeoutMs) throw new LockTimeoutError(lockPath, holder, waited);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 100);
  }
}

/** Age (ms since last write) of a file, or undefined when it does not exist. */
async function ageOf(path: string): Promise<number | undefined> {
  try {
    const stat = await fsp.stat(path);
    return Date.now() - stat.mtimeMs;
  } catch {
    return undefined;
  }
}
