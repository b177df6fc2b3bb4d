import { randomInt } from "node:crypto";
import { mkdir, open, readFile, rename } from "node:fs/promises";
import path from "node:path";

/**
 * DM pairing store (spec §7.3): unknown senders get an 8-character code (uppercase, no 0/O/1/I),
 * valid 1 h, at most 3 pending per channel account. Approving a code adds the sender to the
 * channel's allow list. Files follow OpenClaw's layout under `<stateDir>/credentials/`:
 * `<channel>-pairing.json` and `<channel>-allowFrom.json`.
 *
 * Narrow adapter owned by the channels area until core/state ships its own store; the interface
 * below is what the pipeline and the CLI use.
 */
export interface PairingRequest {
  /** Sender id on the channel. */
  id: string;
  code: string;
  createdAt: string;
  lastSeenAt: string;
  meta?: { accountId?: string; username?: string; displayName?: string };
}

export interface PairingStore {
  /** Existing pending request for the sender, or a new one; `undefined` when 3 are already pending. */
  challenge(
    channel: string,
    accountId: string,
    sender: { id: string; username?: string; displayName?: string },
  ): Promise<{ request: PairingRequest; created: boolean } | undefined>;
  list(channel: string): Promise<PairingRequest[]>;
  /** Approve by code: removes the request and adds the sender to the allow list. */
  approve(channel: string, code: string): Promise<PairingRequest | undefined>;
  /**
   * Sender ids approved through pairing. May answer from a short-lived cache; `fresh: true` reads
   * the store itself (an approval can come from another process, e.g. `openclaw pairing approve`).
   */
  allowFrom(channel: string, options?: { fresh?: boolean }): Promise<string[]>;
}

export const PAIRING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const PAIRING_CODE_LENGTH = 8;
export const PAIRING_TTL_MS = 60 * 60 * 1000;
export const PAIRING_MAX_PENDING = 3;

export function generatePairingCode(random: (max: number) => number = randomInt): string {
  let code = "";
  for (let i = 0; i < PAIRING_CODE_LENGTH; i++)
    code += PAIRING_CODE_ALPHABET[random(PAIRING_CODE_ALPHABET.length)];
  return code;
}

const safeChannel = (channel: string) => channel.toLowerCase().replace(/[^a-z0-9_-]/g, "_");

async function readJson<T>(file: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return fallback;
    if (error instanceof SyntaxError) return fallback;
    throw error;
  }
}

async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const handle = await open(tmp, "w", 0o600);
  try {
    await handle.write(`${JSON.stringify(value, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

export function createFilePairingStore(options: { stateDir: string; now?: () => number }): PairingStore {
  const dir = path.join(options.stateDir, "credentials");
  const now = options.now ?? Date.now;
  const pairingFile = (channel: string) => path.join(dir, `${safeChannel(channel)}-pairing.json`);
  const allowFile = (channel: string) => path.join(dir, `${safeChannel(channel)}-allowFrom.json`);
  let chain: Promise<unknown> = Promise.resolve();
  const allowCache = new Map<string, { at: number; ids: Promise<string[]> }>();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };
  const readPending = async (channel: string) => {
    const data = await readJson<{ version: 1; requests: PairingRequest[] }>(pairingFile(channel), {
      version: 1,
      requests: [],
    });
    const fresh = (data.requests ?? []).filter((r) => now() - Date.parse(r.createdAt) < PAIRING_TTL_MS);
    return { fresh, expired: fresh.length !== (data.requests ?? []).length };
  };

  return {
    challenge: (channel, accountId, sender) =>
      serial(async () => {
        const { fresh } = await readPending(channel);
        const existing = fresh.find((r) => r.id === sender.id);
        const stamp = new Date(now()).toISOString();
        if (existing) {
          existing.lastSeenAt = stamp;
          await writeJsonAtomic(pairingFile(channel), { version: 1, requests: fresh });
          return { request: existing, created: false };
        }
        const forAccount = fresh.filter((r) => (r.meta?.accountId ?? "default") === accountId);
        if (forAccount.length >= PAIRING_MAX_PENDING) return undefined;
        const taken = new Set(fresh.map((r) => r.code));
        let code = generatePairingCode();
        while (taken.has(code)) code = generatePairingCode();
        const request: PairingRequest = {
          id: sender.id,
          code,
          createdAt: stamp,
          lastSeenAt: stamp,
          meta: {
            accountId,
            ...(sender.username ? { username: sender.username } : {}),
            ...(sender.displayName ? { displayName: sender.displayName } : {}),
          },
        };
        await writeJsonAtomic(pairingFile(channel), { version: 1, requests: [...fresh, request] });
        return { request, created: true };
      }),
    list: (channel) => serial(async () => (await readPending(channel)).fresh),
    approve: (channel, code) =>
      serial(async () => {
        const { fresh } = await readPending(channel);
        const wanted = code.trim().toUpperCase();
        const request = fresh.find((r) => r.code === wanted);
        if (!request) return undefined;
        const allow = await readJson<{ version: 1; allowFrom: string[] }>(allowFile(channel), {
          version: 1,
          allowFrom: [],
        });
        if (!allow.allowFrom.includes(request.id)) allow.allowFrom.push(request.id);
        await writeJsonAtomic(allowFile(channel), { version: 1, allowFrom: allow.allowFrom });
        allowCache.delete(channel);
        await writeJsonAtomic(pairingFile(channel), {
          version: 1,
          requests: fresh.filter((r) => r !== request),
        });
        return request;
      }),
    allowFrom: (channel, options) => {
      // One read shared by concurrent callers and reused for 500 ms: a file open per inbound message
      // would queue behind the journal's fsyncs in libuv's thread pool. Approvals in this process
      // clear the cache; callers about to deny ask for a fresh read.
      const cached = allowCache.get(channel);
      if (cached && !options?.fresh && now() - cached.at < 500) return cached.ids;
      const ids = readJson<{ version: 1; allowFrom: string[] }>(allowFile(channel), {
        version: 1,
        allowFrom: [],
      }).then((data) => (data.allowFrom ?? []).map(String));
      allowCache.set(channel, { at: now(), ids });
      ids.catch(() => allowCache.delete(channel));
      return ids;
    },
  };
}
