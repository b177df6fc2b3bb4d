import { randomBytes } from "node:crypto";
import * as fsp from "node:fs/promises";
import { basename, dirname, join } from "node:path";

const MARKER = Symbol.for("openclaw.core.FileWriteError");

/** A write that did not happen; the previous file (if any) is untouched. */
export class FileWriteError extends Error {
  readonly [MARKER] = true;
  readonly code = "FILE_WRITE" as const;
  /** errno code of the failing call (ENOSPC, EACCES, EROFS…). */
  readonly errno?: string;
  readonly path: string;
  constructor(path: string, cause: unknown) {
    const errno = (cause as NodeJS.ErrnoException)?.code;
    const reason =
      errno === "ENOSPC"
        ? "no space left on device"
        : errno === "EACCES" || errno === "EPERM"
          ? "permission denied"
          : errno === "EROFS"
            ? "read-only file system"
            : errno === "EDQUOT"
              ? "disk quota exceeded"
              : String((cause as Error)?.message ?? cause);
    super(`cannot write ${path}: ${reason} (the previous file is unchanged)`, { cause });
    this.name = "FileWriteError";
    this.errno = errno;
    this.path = path;
  }
  static isInstance(error: unknown): error is FileWriteError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** The file operations an atomic write uses; inject a variant to simulate failures (disk full). */
export interface AtomicWriteFs {
  open(
    path: string,
    flags: string,
    mode: number,
  ): Promise<Pick<fsp.FileHandle, "writeFile" | "sync" | "close">>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

const realFs: AtomicWriteFs = {
  open: (path, flags, mode) => fsp.open(path, flags, mode),
  rename: fsp.rename,
  unlink: fsp.unlink,
};

export interface AtomicWriteOptions {
  /** File mode of the new file. Default 0o600 (state and config files may hold secrets). */
  mode?: number;
  /** Create the parent directory (0o700) when missing. Default true. */
  ensureDir?: boolean;
  /** fsync the file and its directory. Default true. */
  fsync?: boolean;
  fs?: AtomicWriteFs;
}

/**
 * Replace `path` with `data` atomically: write a temp file in the same directory, fsync, rename
 * over the target, fsync the directory. A crash at any point leaves either the old or the new
 * content; a failed write (disk full, read-only dir) leaves the old file and throws FileWriteError.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const fs = options.fs ?? realFs;
  const mode = options.mode ?? 0o600;
  const dir = dirname(path);
  if (options.ensureDir !== false) await ensureDir(dir);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  let handle: Awaited<ReturnType<AtomicWriteFs["open"]>> | undefined;
  try {
    handle = await fs.open(temp, "wx", mode);
    await handle.writeFile(data);
    if (options.fsync !== false) await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temp, path);
  } catch (error) {
    if (handle) await handle.close().catch(() => {});
    await fs.unlink(temp).catch(() => {});
    throw new FileWriteError(path, error);
  }
  if (options.fsync !== false) await fsyncDir(dir);
}

async function fsyncDir(dir: string): Promise<void> {
  try {
    const handle = await fsp.open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  }
}

/** mkdir -p with mode 0o700 for directories this call creates. */
export async function ensureDir(dir: string, mode = 0o700): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode });
}

/** Read a file as UTF-8, `undefined` when it does not exist. */
export async function readFileIfExists(path: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Keep up to `count` backups of `path`: `<path>.bak` (newest), `.bak.1` … `.bak.<count-1>`.
 * The current file is copied (never moved) so it stays in place if anything fails later.
 */
export async function rotateBackups(path: string, count = 5): Promise<string | undefined> {
  const current = await readFileIfExists(path);
  if (current === undefined) return undefined;
  const name = (index: number) => (index === 0 ? `${path}.bak` : `${path}.bak.${index}`);
  for (let index = count - 1; index > 0; index--) {
    await fsp.rename(name(index - 1), name(index)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
  }
  await writeFileAtomic(name(0), current, { mode: 0o600, ensureDir: false });
  return name(0);
}
