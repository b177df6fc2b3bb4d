import { randomBytes, randomUUID } from "node:crypto";
import { readJsonState, updateJsonState } from "./json-file.js";
import type { StateStore } from "./state-store.js";

// Device pairing records (spec §4 `devices/paired.json`, `devices/pending.json`): operators,
// browsers and nodes that connect with a device identity. Same record shapes as the gateway's.

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

export const DEVICE_PAIRING_TTL_MS = 5 * 60_000;

const PAIRED = "devices/paired.json";
const PENDING = "devices/pending.json";

/** Paired and pending devices; re-read on every call so another process's approval is seen. */
export class DevicePairingStore {
  private readonly now: () => number;
  constructor(
    private readonly state: StateStore,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async paired(): Promise<Record<string, PairedDevice>> {
    return readJsonState(this.state, PAIRED, {});
  }

  async pending(): Promise<Record<string, PendingDeviceRequest>> {
    const all = await readJsonState<Record<string, PendingDeviceRequest>>(this.state, PENDING, {});
    const now = this.now();
    return Object.fromEntries(
      Object.entries(all).filter(([, request]) => now - request.ts <= DEVICE_PAIRING_TTL_MS),
    );
  }

  /** Create (or refresh) the pending request of a device; one request per device. */
  async request(input: Omit<PendingDeviceRequest, "requestId" | "ts">): Promise<PendingDeviceRequest> {
    return updateJsonState<Record<string, PendingDeviceRequest>, PendingDeviceRequest>(
      this.state,
      PENDING,
      () => ({}),
      (all) => {
        const now = this.now();
        for (const [id, request] of Object.entries(all))
          if (now - request.ts > DEVICE_PAIRING_TTL_MS) delete all[id];
        const existing = Object.values(all).find((request) => request.deviceId === input.deviceId);
        const request: PendingDeviceRequest = {
          ...input,
          requestId: existing?.requestId ?? randomUUID(),
          ts: now,
        };
        all[request.requestId] = request;
        return { value: all, result: request };
      },
    );
  }

  /** Approve a pending request: the device is paired with a fresh token for its role. */
  async approve(requestId: string): Promise<PairedDevice | undefined> {
    const request = await updateJsonState<
      Record<string, PendingDeviceRequest>,
      PendingDeviceRequest | undefined
    >(
      this.state,
      PENDING,
      () => ({}),
      (all) => {
        const found = all[requestId];
        if (found) delete all[requestId];
        return { value: all, result: found, changed: Boolean(found) };
      },
    );
    if (!request || this.now() - request.ts > DEVICE_PAIRING_TTL_MS) return undefined;
    return updateJsonState<Record<string, PairedDevice>, PairedDevice>(
      this.state,
      PAIRED,
      () => ({}),
      (paired) => {
        const now = this.now();
        const previous = paired[request.deviceId];
        const roles = [...new Set([...(previous?.roles ?? []), request.role])];
        const scopes = [...new Set([...(previous?.scopes ?? []), ...request.scopes])];
        const device: PairedDevice = {
          ...previous,
          deviceId: request.deviceId,
          publicKey: request.publicKey,
          displayName: request.displayName ?? previous?.displayName,
          platform: request.platform ?? previous?.platform,
          clientId: request.clientId ?? previous?.clientId,
          clientMode: request.clientMode ?? previous?.clientMode,
          role: request.role,
          roles,
          scopes,
          remoteIp: request.remoteIp ?? previous?.remoteIp,
          createdAtMs: previous?.createdAtMs ?? now,
          approvedAtMs: now,
          tokens: {
            ...(previous?.tokens ?? {}),
            [request.role]: {
              token: randomBytes(32).toString("base64url"),
              role: request.role,
              scopes: request.scopes,
              createdAtMs: now,
            },
          },
        };
        paired[device.deviceId] = device;
        return { value: paired, result: device };
      },
    );
  }

  async reject(requestId: string): Promise<boolean> {
    return updateJsonState<Record<string, PendingDeviceRequest>, boolean>(
      this.state,
      PENDING,
      () => ({}),
      (all) => {
        const found = Boolean(all[requestId]);
        delete all[requestId];
        return { value: all, result: found, changed: found };
      },
    );
  }

  async remove(deviceId: string): Promise<boolean> {
    return updateJsonState<Record<string, PairedDevice>, boolean>(
      this.state,
      PAIRED,
      () => ({}),
      (paired) => {
        const found = Boolean(paired[deviceId]);
        delete paired[deviceId];
        return { value: paired, result: found, changed: found };
      },
    );
  }

  /** Replace a device's token for a role (rotate) and return the new token. */
  async rotateToken(deviceId: string, role: string): Promise<string | undefined> {
    return updateJsonState<Record<string, PairedDevice>, string | undefined>(
      this.state,
      PAIRED,
      () => ({}),
      (paired) => {
        const device = paired[deviceId];
        const current = device?.tokens[role];
        if (!device || !current) return { value: paired, result: undefined, changed: false };
        const token = randomBytes(32).toString("base64url");
        device.tokens[role] = { ...current, token, rotatedAtMs: this.now() };
        return { value: paired, result: token };
      },
    );
  }
}
