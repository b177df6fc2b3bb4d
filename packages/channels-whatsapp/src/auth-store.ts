import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readdir, readFile, rename, rm, unlink } from "node:fs/promises";
import path from "node:path";
import type { AuthenticationCreds, AuthenticationState, SignalDataTypeMap } from "baileys";

/** `credentials/whatsapp/<accountId>` under the state dir (or the account's `authDir`). */
export function whatsappAuthDir(stateDir: string, accountId: string, authDir?: string): string {
  return authDir ?? path.join(stateDir, "credentials", "whatsapp", accountId);
}

const fileName = (name: string) => name.replace(/\//g, "__").replace(/:/g, "-");

/**
 * Write `data` to `file` atomically with mode 0600: a temporary file in the same directory,
 * fsynced, then renamed over the target. Only `fs/promises`: never a synchronous call that could
 * stall the event loop (a synchronous open on the session path deadlocked OpenClaw gateways).
 */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const handle = await open(tmp, "w", 0o600);
  try {
    await handle.writeFile(data, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}

export interface WhatsAppAuthStore {
  dir: string;
  state: AuthenticationState;
  /** Persist `state.creds` (called on Baileys' `creds.update`). */
  saveCreds(): Promise<void>;
  /** True when the credentials belong to a linked device (`creds.me` is set). */
  readonly linked: boolean;
  /** Wait for every pending write. */
  flush(): Promise<void>;
}

/** True when `dir` holds linked WhatsApp credentials (creds.json with `me`). */
export async function hasWhatsAppCreds(dir: string): Promise<boolean> {
  try {
    const creds = JSON.parse(await readFile(path.join(dir, "creds.json"), "utf8")) as { me?: unknown };
    return Boolean(creds.me);
  } catch {
    return false;
  }
}

/** Remove the account's credentials (`channels logout`). */
export async function removeWhatsAppCreds(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Baileys auth state in one directory of small JSON files (creds.json + one file per signal key),
 * like Baileys' multi-file store but with atomic 0600 writes, a 0700 directory, and writes to one
 * file serialized so a slow disk never interleaves two versions of a session.
 */
export async function openWhatsAppAuthStore(dir: string): Promise<WhatsAppAuthStore> {
  const baileys = await import("baileys");
  const { BufferJSON, initAuthCreds, proto } = baileys;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700).catch(() => undefined);
  // leftovers of writes interrupted by a crash
  for (const entry of await readdir(dir).catch(() => [] as string[]))
    if (entry.endsWith(".tmp")) await unlink(path.join(dir, entry)).catch(() => undefined);

  const chains = new Map<string, Promise<unknown>>();
  const serialized = <T>(file: string, task: () => Promise<T>): Promise<T> => {
    const previous = chains.get(file) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    chains.set(file, settled);
    void settled.then(() => {
      if (chains.get(file) === settled) chains.delete(file);
    });
    return next;
  };
  const write = (name: string, value: unknown) => {
    const file = path.join(dir, fileName(name));
    return serialized(file, () => writeFileAtomic(file, JSON.stringify(value, BufferJSON.replacer)));
  };
  const read = (name: string) => {
    const file = path.join(dir, fileName(name));
    return serialized(file, async () => {
      try {
        return JSON.parse(await readFile(file, "utf8"), BufferJSON.reviver) as unknown;
      } catch {
        return null;
      }
    });
  };
  const remove = (name: string) => {
    const file = path.join(dir, fileName(name));
    return serialized(file, () => unlink(file).catch(() => undefined));
  };

  const creds = ((await read("creds.json")) as AuthenticationCreds | null) ?? initAuthCreds();
  const state: AuthenticationState = {
    creds,
    keys: {
      async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
        const data: { [id: string]: SignalDataTypeMap[T] } = {};
        await Promise.all(
          ids.map(async (id) => {
            let value = await read(`${type}-${id}.json`);
            if (type === "app-state-sync-key" && value)
              value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
            if (value !== null) data[id] = value as SignalDataTypeMap[T];
          }),
        );
        return data;
      },
      async set(data) {
        const tasks: Promise<unknown>[] = [];
        for (const [category, entries] of Object.entries(data))
          for (const [id, value] of Object.entries(entries ?? {}))
            tasks.push(value ? write(`${category}-${id}.json`, value) : remove(`${category}-${id}.json`));
        await Promise.all(tasks);
      },
    },
  };
  return {
    dir,
    state,
    saveCreds: () => write("creds.json", state.creds),
    get linked() {
      return Boolean(state.creds.me);
    },
    flush: async () => {
      await Promise.all([...chains.values()]);
    },
  };
}
