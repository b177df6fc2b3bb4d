import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { canGrantScopes } from "@openclaw/protocol/base";
import { readJsonState, updateJsonState } from "./json-file.js";
import { createFileStateStore, type StateStore } from "./state-store.js";

// Device pairing records (spec §4 `devices/paired.json`, `devices/pending.json`): operators,
// browsers and nodes that connect with a device identity. The one store for them: the gateway's
// handshake and `device.*` methods, the CLI's `openclaw devices` and the migration all use it.
// Device proofs (key format, id, skew, nonce, signature) are checked by @openclaw/protocol's
// `verifyDeviceProof`; this module only keeps the records.

export interface DeviceTokenRecord {
  token: string;
  role: string;
  scopes: string[];
  createdAtMs: number;
  rotatedAtMs?: number;
  revokedAtMs?: number;
}

export interface PairedDevice {
  deviceId: string;
  publicKey: string;
  displayName?: string;
  platform?: string;
  clientId?: string;
  clientMode?: string;
  role: string;
  roles: string[];
  scopes: string[];
  remoteIp?: string;
  createdAtMs: number;
  approvedAtMs: number;
  tokens: Record<string, DeviceTokenRecord>;
}

export interface PendingDeviceRequest {
  requestId: string;
  deviceId: string;
  publicKey: string;
  displayName?: string;
  platform?: string;
  clientId?: string;
  clientMode?: string;
  role: string;
  scopes: string[];
  remoteIp?: string;
  isRepair?: boolean;
  ts: number;
}

/** What a pairing request carries (the store adds `requestId` and `ts`). */
export type DevicePairingInput = Omit<PendingDeviceRequest, "requestId" | "ts">;

/** An approval or token rotation asked for scopes the caller may not grant ({@link canGrantScopes}). */
export class ScopeGrantDeniedError extends Error {
  readonly code = "MISSING_SCOPE";
  constructor(readonly missing: string[]) {
    super(
      `cannot grant ${missing.join(", ")}: a caller grants only scopes it holds (operator.admin only from an admin)`,
    );
    this.name = "ScopeGrantDeniedError";
  }
}

/**
 * Who asks for a grant. With `callerScopes`, the scopes the record will carry are checked against
 * them inside the locked write, so a device that reconnects and widens its request between the
 * caller's look and the write cannot slip more scopes through. Without it (the local CLI, which
 * has the files anyway), no check.
 */
export interface GrantAuthority {
  callerScopes?: Iterable<string>;
}

function assertGrantable(authority: GrantAuthority, scopes: Iterable<string>): void {
  if (!authority.callerScopes) return;
  const check = canGrantScopes(authority.callerScopes, scopes);
  if (!check.ok) throw new ScopeGrantDeniedError(check.missing);
}

/** Pending requests expire after this long. */
export const DEVICE_PAIRING_TTL_MS = 5 * 60_000;

const PAIRED = "devices/paired.json";
const PENDING = "devices/pending.json";

type Paired = Record<string, PairedDevice>;
type Pending = Record<string, PendingDeviceRequest>;

function newToken(role: string, scopes: string[], now: number): DeviceTokenRecord {
  return { token: randomBytes(32).toString("base64url"), role, scopes: [...scopes], createdAtMs: now };
}

/**
 * Paired and pending devices under `<stateDir>/devices/`. Every read goes to the files, so an
 * approval made by another process (the CLI) is seen at once; every write is a locked
 * read-modify-write replaced atomically (0600). Unknown fields OpenClaw wrote are kept.
 *
 * `getSync` / `findTokenSync` are the synchronous cache for code that cannot wait (the connect
 * handshake's credential check, re-checking open connections): the paired records as this store
 * last read or wrote them, re-read from disk when `paired.json` changed (another process).
 */
export class DevicePairingStore {
  private readonly state: StateStore;
  private readonly now: () => number;
  private snapshot: Paired = {};
  /** Absolute `paired.json` of a file store (undefined for in-memory state). */
  private readonly pairedFile: string | undefined;
  /** stat signature of `paired.json` when `snapshot` was read from it synchronously. */
  private syncSignature: string | undefined;

  /** `state`: a `StateStore`, or the state dir (files under `<stateDir>/devices/`). */
  constructor(state: StateStore | string, options: { now?: () => number } = {}) {
    this.state = typeof state === "string" ? createFileStateStore(state) : state;
    this.now = options.now ?? Date.now;
    this.pairedFile = this.state.root.startsWith("memory:") ? undefined : join(this.state.root, PAIRED);
  }

  private remember(paired: Paired): Paired {
    this.snapshot = paired;
    this.syncSignature = undefined;
    return paired;
  }

  /** The cache, re-read when `paired.json` changed on disk since it was last read here. */
  private synced(): Paired {
    if (!this.pairedFile) return this.snapshot;
    let signature: string;
    try {
      const stat = statSync(this.pairedFile);
      signature = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    } catch {
      signature = "missing";
    }
    if (signature === this.syncSignature) return this.snapshot;
    let paired: Paired = {};
    try {
      if (signature !== "missing") paired = JSON.parse(readFileSync(this.pairedFile, "utf8")) as Paired;
    } catch {
      paired = {};
    }
    this.snapshot = paired && typeof paired === "object" ? paired : {};
    this.syncSignature = signature;
    return this.snapshot;
  }

  private live(all: Pending): Pending {
    const now = this.now();
    for (const [id, request] of Object.entries(all))
      if (now - request.ts > DEVICE_PAIRING_TTL_MS) delete all[id];
    return all;
  }

  private updatePaired<R>(fn: (paired: Paired) => { result: R; changed?: boolean }): Promise<R> {
    return updateJsonState<Paired, R>(
      this.state,
      PAIRED,
      () => ({}),
      (paired) => {
        const { result, changed = true } = fn(paired);
        this.remember(paired);
        return { value: paired, result, changed };
      },
    );
  }

  private updatePending<R>(fn: (pending: Pending) => { result: R; changed?: boolean }): Promise<R> {
    return updateJsonState<Pending, R>(
      this.state,
      PENDING,
      () => ({}),
      (all) => {
        const before = Object.keys(all).length;
        this.live(all);
        const { result, changed = true } = fn(all);
        return { value: all, result, changed: changed || Object.keys(all).length !== before };
      },
    );
  }

  async paired(): Promise<Paired> {
    return this.remember(await readJsonState<Paired>(this.state, PAIRED, {}));
  }

  /** Requests not yet expired, by request id. */
  async pending(): Promise<Pending> {
    return this.live(await readJsonState<Pending>(this.state, PENDING, {}));
  }

  async get(deviceId: string): Promise<PairedDevice | undefined> {
    return (await this.paired())[deviceId];
  }

  /** Synchronous {@link get} from the cache (fresh for a file store: re-read when the file changed). */
  getSync(deviceId: string): PairedDevice | undefined {
    return this.synced()[deviceId];
  }

  /** The device and token record a presented (not revoked) device token belongs to. */
  async findToken(token: string): Promise<{ device: PairedDevice; record: DeviceTokenRecord } | undefined> {
    return tokenOwner(await this.paired(), token);
  }

  /** Synchronous {@link findToken} from the cache (fresh for a file store). */
  findTokenSync(token: string): { device: PairedDevice; record: DeviceTokenRecord } | undefined {
    return tokenOwner(this.synced(), token);
  }

  /** Open (or refresh) a pairing request; the same device and role keep their request id. */
  request(input: DevicePairingInput): Promise<PendingDeviceRequest> {
    return this.updatePending((all) => {
      const existing = Object.values(all).find(
        (request) => request.deviceId === input.deviceId && request.role === input.role,
      );
      const request: PendingDeviceRequest = {
        ...input,
        requestId: existing?.requestId ?? randomUUID(),
        ts: this.now(),
      };
      all[request.requestId] = request;
      return { result: request };
    });
  }

  /**
   * Pair a device: a pending request by id (undefined when unknown or expired), or a request
   * given directly (loopback auto-approval; the device's pending requests are dropped). Roles and
   * scopes add to what the device had; the role gets a token unless it has a valid one.
   * Throws {@link ScopeGrantDeniedError} (the request stays pending) when `authority` may not
   * grant the request's scopes as they are at the moment of the write.
   */
  async approve(
    requestIdOrInput: string | DevicePairingInput,
    authority: GrantAuthority = {},
  ): Promise<PairedDevice | undefined> {
    const request = await this.updatePending<DevicePairingInput | undefined>((all) => {
      if (typeof requestIdOrInput === "string") {
        const found = all[requestIdOrInput];
        if (found) assertGrantable(authority, found.scopes);
        if (found) delete all[requestIdOrInput];
        return { result: found, changed: Boolean(found) };
      }
      assertGrantable(authority, requestIdOrInput.scopes);
      let dropped = false;
      for (const [id, entry] of Object.entries(all))
        if (entry.deviceId === requestIdOrInput.deviceId) {
          delete all[id];
          dropped = true;
        }
      return { result: requestIdOrInput, changed: dropped };
    });
    if (!request) return undefined;
    return this.updatePaired((paired) => {
      const now = this.now();
      const previous = paired[request.deviceId];
      const scopes = [...new Set([...(previous?.scopes ?? []), ...request.scopes])];
      const tokens = { ...(previous?.tokens ?? {}) };
      if (!tokens[request.role] || tokens[request.role]!.revokedAtMs)
        tokens[request.role] = newToken(request.role, scopes, now);
      const device: PairedDevice = {
        ...previous,
        deviceId: request.deviceId,
        publicKey: request.publicKey,
        role: request.role,
        roles: [...new Set([...(previous?.roles ?? []), request.role])],
        scopes,
        createdAtMs: previous?.createdAtMs ?? now,
        approvedAtMs: now,
        tokens,
      };
      for (const field of ["displayName", "platform", "clientId", "clientMode", "remoteIp"] as const)
        if (request[field]) device[field] = request[field];
      paired[device.deviceId] = device;
      return { result: device };
    });
  }

  /** Drop a pending request; returns it (undefined when unknown or expired). */
  reject(requestId: string): Promise<PendingDeviceRequest | undefined> {
    return this.updatePending((all) => {
      const found = all[requestId];
      if (found) delete all[requestId];
      return { result: found, changed: Boolean(found) };
    });
  }

  /** Unpair a device (its tokens stop working); returns the removed record. */
  remove(deviceId: string): Promise<PairedDevice | undefined> {
    return this.updatePaired((paired) => {
      const found = paired[deviceId];
      if (found) delete paired[deviceId];
      return { result: found, changed: Boolean(found) };
    });
  }

  /** The role's valid token, issued now (with `scopes`) when it has none. */
  ensureToken(deviceId: string, role: string, scopes: string[]): Promise<DeviceTokenRecord | undefined> {
    return this.updatePaired<DeviceTokenRecord | undefined>((paired) => {
      const device = paired[deviceId];
      if (!device) return { result: undefined, changed: false };
      device.tokens ??= {};
      const existing = device.tokens[role];
      if (existing && !existing.revokedAtMs) return { result: existing, changed: false };
      const record = newToken(role, scopes, this.now());
      device.tokens[role] = record;
      return { result: record };
    });
  }

  /**
   * A new token for the role (scopes: given, else the old token's, else the device's). Throws
   * {@link ScopeGrantDeniedError} when `authority` may not grant the scopes the token would carry,
   * checked on the record as it is at the moment of the write.
   */
  rotateToken(
    deviceId: string,
    role: string,
    scopes?: string[],
    authority: GrantAuthority = {},
  ): Promise<DeviceTokenRecord | undefined> {
    return this.updatePaired<DeviceTokenRecord | undefined>((paired) => {
      const device = paired[deviceId];
      if (!device) return { result: undefined, changed: false };
      device.tokens ??= {};
      const previous = device.tokens[role];
      const granted = scopes ?? previous?.scopes ?? device.scopes;
      assertGrantable(authority, granted);
      const now = this.now();
      const record: DeviceTokenRecord = {
        ...newToken(role, granted, now),
        createdAtMs: previous?.createdAtMs ?? now,
        rotatedAtMs: now,
      };
      device.tokens[role] = record;
      return { result: record };
    });
  }

  /** Revoke the role's token (kept on record with `revokedAtMs`). */
  revokeToken(deviceId: string, role: string): Promise<DeviceTokenRecord | undefined> {
    return this.updatePaired<DeviceTokenRecord | undefined>((paired) => {
      const record = paired[deviceId]?.tokens?.[role];
      if (!record) return { result: undefined, changed: false };
      record.revokedAtMs = this.now();
      return { result: record };
    });
  }
}

function tokenOwner(
  paired: Paired,
  token: string,
): { device: PairedDevice; record: DeviceTokenRecord } | undefined {
  for (const device of Object.values(paired))
    for (const record of Object.values(device.tokens ?? {}))
      if (!record.revokedAtMs && record.token === token) return { device, record };
  return undefined;
}
