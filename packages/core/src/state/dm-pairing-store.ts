import { randomInt } from "node:crypto";
import { StateError } from "./errors.js";
import { readJsonState, updateJsonState } from "./json-file.js";
import { createFileStateStore, type StateStore } from "./state-store.js";

// DM pairing (spec §4 `credentials/`, §13 DM safety): an unknown sender gets an 8-character
// code valid 1 h; at most 3 requests pending per channel account. Approving adds the sender to
// the channel's allowFrom store. Files: `credentials/<channel>-pairing.json` (pending) and
// `credentials/<channel>-allowFrom.json` / `<channel>-<accountId>-allowFrom.json` (approved).
// The one DM pairing store: the inbound pipeline (access gate), the channel manager and the CLI's
// `openclaw pairing` use it.

export const DM_PAIRING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const DM_PAIRING_CODE_LENGTH = 8;
export const DM_PAIRING_TTL_MS = 60 * 60 * 1000;
export const DM_PAIRING_MAX_PENDING = 3;

export interface DmPairingRequest {
  /** Sender id on the channel. */
  id: string;
  code: string;
  createdAt: string;
  lastSeenAt: string;
  meta?: { accountId?: string; username?: string; displayName?: string; [key: string]: unknown };
}

interface PairingFile {
  version: 1;
  requests: DmPairingRequest[];
}
interface AllowFile {
  version: 1;
  allowFrom: string[];
}

const safe = (value: string) => value.toLowerCase().replace(/[^a-z0-9_-]/g, "_");

export interface DmPairingStoreOptions {
  state: StateStore;
  now?: () => number;
  /** Random integer in [0, max) — injectable for deterministic tests. */
  random?: (max: number) => number;
}

/** What the inbound pipeline and the channel manager need from the DM pairing store. */
export type PairingStore = Pick<DmPairingStore, "challenge" | "list" | "approve" | "allowFrom">;

export function generatePairingCode(random: (max: number) => number = randomInt): string {
  let code = "";
  for (let index = 0; index < DM_PAIRING_CODE_LENGTH; index++)
    code += DM_PAIRING_CODE_ALPHABET[random(DM_PAIRING_CODE_ALPHABET.length)];
  return code;
}

/** How long an `allowFrom` read is reused (a file open per inbound message would queue behind fsyncs). */
const ALLOW_CACHE_MS = 500;

/** Pending DM pairing requests and approved senders, per channel (and account). */
export class DmPairingStore {
  private readonly now: () => number;
  private readonly random: (max: number) => number;
  private readonly allowCache = new Map<string, { at: number; ids: Promise<string[]> }>();
  constructor(private readonly options: DmPairingStoreOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? randomInt;
  }

  private pairingPath(channel: string): string {
    return `credentials/${safe(channel)}-pairing.json`;
  }

  private allowPath(channel: string, accountId?: string): string {
    return accountId && accountId !== "default"
      ? `credentials/${safe(channel)}-${safe(accountId)}-allowFrom.json`
      : `credentials/${safe(channel)}-allowFrom.json`;
  }

  private live(requests: DmPairingRequest[]): DmPairingRequest[] {
    const now = this.now();
    return requests.filter((request) => now - Date.parse(request.createdAt) < DM_PAIRING_TTL_MS);
  }

  newCode(taken: Set<string> = new Set()): string {
    for (;;) {
      const code = generatePairingCode(this.random);
      if (!taken.has(code)) return code;
    }
  }

  /**
   * The sender's pending request (refreshing `lastSeenAt`), or a new one. Returns `undefined`
   * when the account already has 3 pending requests from other senders.
   */
  async challenge(
    channel: string,
    accountId: string,
    sender: { id: string; username?: string; displayName?: string },
  ): Promise<{ request: DmPairingRequest; created: boolean } | undefined> {
    return updateJsonState<PairingFile, { request: DmPairingRequest; created: boolean } | undefined>(
      this.options.state,
      this.pairingPath(channel),
      () => ({ version: 1, requests: [] }),
      (file) => {
        const requests = this.live(Array.isArray(file.requests) ? file.requests : []);
        const nowIso = new Date(this.now()).toISOString();
        const existing = requests.find(
          (request) => request.id === sender.id && (request.meta?.accountId ?? "default") === accountId,
        );
        if (existing) {
          existing.lastSeenAt = nowIso;
          return { value: { version: 1, requests }, result: { request: existing, created: false } };
        }
        const pendingForAccount = requests.filter(
          (request) => (request.meta?.accountId ?? "default") === accountId,
        );
        if (pendingForAccount.length >= DM_PAIRING_MAX_PENDING)
          return { value: { version: 1, requests }, result: undefined };
        const request: DmPairingRequest = {
          id: sender.id,
          code: this.newCode(new Set(requests.map((item) => item.code))),
          createdAt: nowIso,
          lastSeenAt: nowIso,
          meta: {
            accountId,
            ...(sender.username ? { username: sender.username } : {}),
            ...(sender.displayName ? { displayName: sender.displayName } : {}),
          },
        };
        requests.push(request);
        return { value: { version: 1, requests }, result: { request, created: true } };
      },
    );
  }

  /** Pending (unexpired) requests of a channel. */
  async list(channel: string, accountId?: string): Promise<DmPairingRequest[]> {
    const file = await readJsonState<PairingFile>(this.options.state, this.pairingPath(channel), {
      version: 1,
      requests: [],
    });
    const live = this.live(Array.isArray(file.requests) ? file.requests : []);
    return accountId === undefined
      ? live
      : live.filter((request) => (request.meta?.accountId ?? "default") === accountId);
  }

  /** Approve by code (case-insensitive): removes the request and allows the sender. */
  async approve(channel: string, code: string): Promise<DmPairingRequest | undefined> {
    const wanted = code.trim().toUpperCase();
    const approved = await updateJsonState<PairingFile, DmPairingRequest | undefined>(
      this.options.state,
      this.pairingPath(channel),
      () => ({ version: 1, requests: [] }),
      (file) => {
        const requests = this.live(Array.isArray(file.requests) ? file.requests : []);
        const match = requests.find((request) => request.code === wanted);
        return {
          value: { version: 1, requests: requests.filter((request) => request !== match) },
          result: match,
          changed: true,
        };
      },
    );
    if (approved) await this.addAllowFrom(channel, approved.id, approved.meta?.accountId);
    return approved;
  }

  /** Drop a pending request without approving it. */
  async reject(channel: string, code: string): Promise<boolean> {
    const wanted = code.trim().toUpperCase();
    return updateJsonState<PairingFile, boolean>(
      this.options.state,
      this.pairingPath(channel),
      () => ({ version: 1, requests: [] }),
      (file) => {
        const requests = Array.isArray(file.requests) ? file.requests : [];
        const remaining = requests.filter((request) => request.code !== wanted);
        return { value: { version: 1, requests: remaining }, result: remaining.length !== requests.length };
      },
    );
  }

  private async readAllow(path: string): Promise<string[]> {
    const file = await readJsonState<AllowFile>(this.options.state, path, { version: 1, allowFrom: [] });
    return Array.isArray(file.allowFrom) ? file.allowFrom.map(String) : [];
  }

  /**
   * Senders approved through pairing for a channel account: the channel's file, plus the
   * account's own file for an account other than "default" (the config's `allowFrom` is separate
   * and also applies). A read is shared by concurrent callers and reused for 500 ms; approvals in
   * this process clear it, and `fresh: true` reads the files now (an approval may come from
   * another process, e.g. `openclaw pairing approve`).
   */
  async allowFrom(
    channel: string,
    options: string | { accountId?: string; fresh?: boolean } = {},
  ): Promise<string[]> {
    const { accountId, fresh } = typeof options === "string" ? { accountId: options, fresh: true } : options;
    const key = `${channel}\u0000${accountId ?? "default"}`;
    const cached = this.allowCache.get(key);
    if (cached && !fresh && this.now() - cached.at < ALLOW_CACHE_MS) return cached.ids;
    const paths = [...new Set([this.allowPath(channel), this.allowPath(channel, accountId)])];
    const ids = Promise.all(paths.map((path) => this.readAllow(path))).then((lists) => [
      ...new Set(lists.flat()),
    ]);
    this.allowCache.set(key, { at: this.now(), ids });
    ids.catch(() => this.allowCache.delete(key));
    return ids;
  }

  async addAllowFrom(channel: string, senderId: string, accountId?: string): Promise<void> {
    this.allowCache.clear();
    await updateJsonState<AllowFile, void>(
      this.options.state,
      this.allowPath(channel, accountId),
      () => ({ version: 1, allowFrom: [] }),
      (file) => {
        const list = Array.isArray(file.allowFrom) ? file.allowFrom.map(String) : [];
        if (list.includes(senderId)) return { value: file, result: undefined, changed: false };
        return { value: { version: 1, allowFrom: [...list, senderId] }, result: undefined };
      },
    );
  }

  async removeAllowFrom(channel: string, senderId: string, accountId?: string): Promise<boolean> {
    this.allowCache.clear();
    return updateJsonState<AllowFile, boolean>(
      this.options.state,
      this.allowPath(channel, accountId),
      () => ({ version: 1, allowFrom: [] }),
      (file) => {
        const list = Array.isArray(file.allowFrom) ? file.allowFrom.map(String) : [];
        const next = list.filter((entry) => entry !== senderId);
        return {
          value: { version: 1, allowFrom: next },
          result: next.length !== list.length,
          changed: next.length !== list.length,
        };
      },
    );
  }

  /** Throwing variant of `challenge` for callers that prefer an error to `undefined`. */
  async challengeOrThrow(
    channel: string,
    accountId: string,
    sender: { id: string },
  ): Promise<{ request: DmPairingRequest; created: boolean }> {
    const result = await this.challenge(channel, accountId, sender);
    if (!result)
      throw new StateError(
        "STATE_PAIRING_LIMIT",
        `${channel}: ${DM_PAIRING_MAX_PENDING} pairing requests already pending`,
      );
    return result;
  }
}

/** The DM pairing store on a state dir (files under `<stateDir>/credentials/`). */
export function createFilePairingStore(options: {
  stateDir: string;
  now?: () => number;
  random?: (max: number) => number;
}): DmPairingStore {
  return new DmPairingStore({
    state: createFileStateStore(options.stateDir),
    ...(options.now ? { now: options.now } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
}
