import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DeviceTokenRecord, PairedDevice, PendingDeviceRequest } from "@openclaw/core/state";

// Device proofs (key format, id, skew, nonce, Ed25519 signature) are checked by
// @openclaw/protocol's `verifyDeviceProof`; this module only keeps the pairing records, in core's
// record shapes (`devices/paired.json`, `devices/pending.json`). It stays synchronous because the
// handshake and the `device.*` handlers read it inline; core's `DevicePairingStore` is the async one.

export type { DeviceTokenRecord, PairedDevice, PendingDeviceRequest };

function readJson<T>(path: string, fallback: T): T {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return fallback;
  }
}

function writeJson(path: string, value: unknown): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

/** Pending requests expire after this long (core's `DEVICE_PAIRING_TTL_MS`). */
export const PAIRING_REQUEST_TTL_MS = 5 * 60_000;

/**
 * Device pairing records under `<stateDir>/devices/` (`paired.json`, `pending.json`), re-read on
 * every call so a CLI approving from another process is seen at once.
 */
export class DevicePairingStore {
  private readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, "devices");
  }

  private pairedPath() {
    return join(this.dir, "paired.json");
  }
  private pendingPath() {
    return join(this.dir, "pending.json");
  }

  paired(): Record<string, PairedDevice> {
    return readJson(this.pairedPath(), {});
  }

  pending(now = Date.now()): Record<string, PendingDeviceRequest> {
    const all = readJson<Record<string, PendingDeviceRequest>>(this.pendingPath(), {});
    for (const [id, request] of Object.entries(all))
      if (now - request.ts > PAIRING_REQUEST_TTL_MS) delete all[id];
    return all;
  }

  private save(paired?: Record<string, PairedDevice>, pending?: Record<string, PendingDeviceRequest>): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    if (paired) writeJson(this.pairedPath(), paired);
    if (pending) writeJson(this.pendingPath(), pending);
  }

  get(deviceId: string): PairedDevice | undefined {
    return this.paired()[deviceId];
  }

  /** Find the device + token record a presented device token belongs to. */
  findToken(token: string): { device: PairedDevice; record: DeviceTokenRecord } | undefined {
    for (const device of Object.values(this.paired())) {
      for (const record of Object.values(device.tokens ?? {})) {
        if (!record.revokedAtMs && record.token === token) return { device, record };
      }
    }
    return undefined;
  }

  /** Open (or refresh) a pairing request for a device; same device + role reuses its request id. */
  request(input: Omit<PendingDeviceRequest, "requestId" | "ts">): PendingDeviceRequest {
    const pending = this.pending();
    const existing = Object.values(pending).find(
      (request) => request.deviceId === input.deviceId && request.role === input.role,
    );
    const request: PendingDeviceRequest = {
      ...input,
      requestId: existing?.requestId ?? randomUUID(),
      ts: Date.now(),
    };
    pending[request.requestId] = request;
    this.save(undefined, pending);
    return request;
  }

  /** Approve a pending request (or pair directly, for auto-approved loopback devices). */
  approve(
    requestIdOrDevice: string | Omit<PendingDeviceRequest, "requestId" | "ts">,
  ): PairedDevice | undefined {
    const pending = this.pending();
    let request: Omit<PendingDeviceRequest, "requestId" | "ts"> | undefined;
    if (typeof requestIdOrDevice === "string") {
      request = pending[requestIdOrDevice];
      if (!request) return undefined;
      delete pending[requestIdOrDevice];
    } else {
      request = requestIdOrDevice;
      for (const [id, entry] of Object.entries(pending))
        if (entry.deviceId === request.deviceId) delete pending[id];
    }
    const paired = this.paired();
    const now = Date.now();
    const previous = paired[request.deviceId];
    const roles = [...new Set([...(previous?.roles ?? []), request.role])];
    const scopes = [...new Set([...(previous?.scopes ?? []), ...request.scopes])];
    const device: PairedDevice = {
      deviceId: request.deviceId,
      publicKey: request.publicKey,
      role: request.role,
      roles,
      scopes,
      createdAtMs: previous?.createdAtMs ?? now,
      approvedAtMs: now,
      tokens: previous?.tokens ?? {},
      ...(request.displayName ? { displayName: request.displayName } : {}),
      ...(request.platform ? { platform: request.platform } : {}),
      ...(request.clientId ? { clientId: request.clientId } : {}),
      ...(request.clientMode ? { clientMode: request.clientMode } : {}),
      ...(request.remoteIp ? { remoteIp: request.remoteIp } : {}),
    };
    paired[device.deviceId] = device;
    this.save(paired, pending);
    return device;
  }

  reject(requestId: string): PendingDeviceRequest | undefined {
    const pending = this.pending();
    const request = pending[requestId];
    if (!request) return undefined;
    delete pending[requestId];
    this.save(undefined, pending);
    return request;
  }

  remove(deviceId: string): PairedDevice | undefined {
    const paired = this.paired();
    const device = paired[deviceId];
    if (!device) return undefined;
    delete paired[deviceId];
    this.save(paired);
    return device;
  }

  /** Issue (or keep) the device token for a role. */
  ensureToken(deviceId: string, role: string, scopes: string[]): DeviceTokenRecord | undefined {
    const paired = this.paired();
    const device = paired[deviceId];
    if (!device) return undefined;
    device.tokens ??= {};
    const existing = device.tokens[role];
    if (existing && !existing.revokedAtMs) return existing;
    const record: DeviceTokenRecord = {
      token: randomBytes(32).toString("base64url"),
      role,
      scopes,
      createdAtMs: Date.now(),
    };
    device.tokens[role] = record;
    this.save(paired);
    return record;
  }

  rotateToken(deviceId: string, role: string, scopes?: string[]): DeviceTokenRecord | undefined {
    const paired = this.paired();
    const device = paired[deviceId];
    if (!device) return undefined;
    device.tokens ??= {};
    const previous = device.tokens[role];
    const now = Date.now();
    const record: DeviceTokenRecord = {
      token: randomBytes(32).toString("base64url"),
      role,
      scopes: scopes ?? previous?.scopes ?? device.scopes,
      createdAtMs: previous?.createdAtMs ?? now,
      rotatedAtMs: now,
    };
    device.tokens[role] = record;
    this.save(paired);
    return record;
  }

  revokeToken(deviceId: string, role: string): DeviceTokenRecord | undefined {
    const paired = this.paired();
    const record = paired[deviceId]?.tokens?.[role];
    if (!record) return undefined;
    record.revokedAtMs = Date.now();
    this.save(paired);
    return record;
  }
}

/** Strip tokens from a paired device before it leaves the process. */
export function publicDevice(device: PairedDevice): Omit<PairedDevice, "tokens"> & {
  tokens: {
    role: string;
    scopes: string[];
    createdAtMs: number;
    rotatedAtMs?: number;
    revokedAtMs?: number;
  }[];
} {
  const { tokens, ...rest } = device;
  return {
    ...rest,
    tokens: Object.values(tokens ?? {}).map(({ token: _token, ...meta }) => meta),
  };
}
