import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import path from "node:path";

/** `credentials/matrix/<accountId>/` under the state dir. */
export function matrixStateDir(stateDir: string, accountId: string): string {
  return path.join(stateDir, "credentials", "matrix", accountId);
}

/** Read the saved /sync position (undefined on first start). */
export async function readSyncToken(dir: string): Promise<string | undefined> {
  try {
    const data = JSON.parse(await readFile(path.join(dir, "sync.json"), "utf8")) as { nextBatch?: unknown };
    return typeof data.nextBatch === "string" ? data.nextBatch : undefined;
  } catch {
    return undefined;
  }
}

/** Save the /sync position atomically (0600, fsynced, renamed), asynchronously. */
export async function writeSyncToken(dir: string, nextBatch: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, "sync.json");
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const handle = await open(tmp, "w", 0o600);
  try {
    await handle.writeFile(JSON.stringify({ nextBatch }));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file).catch(async (error: unknown) => {
    await unlink(tmp).catch(() => undefined);
    throw error;
  });
}
