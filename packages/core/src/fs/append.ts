import * as fsp from "node:fs/promises";
import { dirname } from "node:path";
import { ensureDir, FileWriteError } from "./atomic-write.js";

export interface AppendOptions {
  /** Mode when the file is created. Default 0o600. */
  mode?: number;
  /** fsync after the write (durable against power loss, slower). Default false. */
  fsync?: boolean;
}

/**
 * Append complete lines to a JSONL file with a single write. If the file does not end with a
 * newline (a previous writer was killed mid-line), a newline is written first so the torn line
 * stays isolated and the new entries parse.
 */
export async function appendLines(path: string, lines: string[], options: AppendOptions = {}): Promise<void> {
  if (lines.length === 0) return;
  await ensureDir(dirname(path));
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(path, "a+", options.mode ?? 0o600);
    const { size } = await handle.stat();
    let prefix = "";
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = "\n";
    }
    await handle.write(`${prefix}${lines.join("\n")}\n`);
    if (options.fsync) await handle.sync();
  } catch (error) {
    throw new FileWriteError(path, error);
  } finally {
    await handle?.close();
  }
}
