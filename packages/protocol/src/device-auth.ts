import { base64Decode, base64UrlEncode, bytesToHex, utf8Encode } from "./encoding.js";
import type { ErrorDetailCode, ErrorShape } from "./error-codes.js";
import type { ConnectAuth, DeviceProof } from "./handshake.js";

// Ed25519 + SHA-256 through WebCrypto (`globalThis.crypto.subtle`): Node 22+ and current browsers.

const ED25519 = { name: "Ed25519" } as const;
/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const SPKI_ED25519_PREFIX = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

/** How far `signedAt` may be from the verifier's clock, either way. */
export const DEVICE_SIGNATURE_MAX_SKEW_MS = 10 * 60_000;

function subtle(): SubtleCrypto {
  const crypto = globalThis.crypto;
  if (!crypto?.subtle) throw new Error("WebCrypto (globalThis.crypto.subtle) is not available");
  return crypto.subtle;
}

/** A device key pair: `publicKey` is base64url of the raw 32-byte key, `deviceId` its hex SHA-256. */
export interface DeviceIdentity {
  deviceId: string;
  publicKey: string;
  privateKey: CryptoKey;
}

/** A device identity as JSON, for the caller to persist (the private key as PKCS#8, base64url). */
export interface StoredDeviceIdentity {
  version: 1;
  deviceId: string;
  publicKey: string;
  privateKeyPkcs8: string;
  createdAtMs: number;
}

/** Raw 32-byte Ed25519 public key from base64url/base64 raw bytes, or an SPKI PEM / DER. */
export function decodePublicKey(publicKey: string): Uint8Array {
  const trimmed = publicKey.trim();
  const body = trimmed.startsWith("-----BEGIN")
    ? trimmed.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, "")
    : trimmed;
  const bytes = base64Decode(body);
  if (bytes.length === 32) return bytes;
  if (bytes.length === 44 && SPKI_ED25519_PREFIX.every((byte, index) => bytes[index] === byte)) {
    return bytes.slice(12);
  }
  throw new Error(`not an Ed25519 public key (${bytes.length} bytes)`);
}

/** Device id = lower-case hex SHA-256 of the raw 32-byte public key. */
export async function deviceIdFromPublicKey(publicKey: string | Uint8Array): Promise<string> {
  const raw = typeof publicKey === "string" ? decodePublicKey(publicKey) : publicKey;
  const digest = await subtle().digest("SHA-256", raw as Uint8Array<ArrayBuffer>);
  return bytesToHex(new Uint8Array(digest));
}

export async function generateDeviceIdentity(): Promise<DeviceIdentity> {
  const pair = (await subtle().generateKey(ED25519, true, ["sign", "verify"])) as CryptoKeyPair;
  const raw = new Uint8Array(await subtle().exportKey("raw", pair.publicKey));
  return {
    deviceId: await deviceIdFromPublicKey(raw),
    publicKey: base64UrlEncode(raw),
    privateKey: pair.privateKey,
  };
}

export async function exportDeviceIdentity(
  identity: DeviceIdentity,
  createdAtMs: number = Date.now(),
): Promise<StoredDeviceIdentity> {
  const pkcs8 = new Uint8Array(await subtle().exportKey("pkcs8", identity.privateKey));
  return {
    version: 1,
    deviceId: identity.deviceId,
    publicKey: identity.publicKey,
    privateKeyPkcs8: base64UrlEncode(pkcs8),
    createdAtMs,
  };
}

export async function importDeviceIdentity(stored: StoredDeviceIdentity): Promise<DeviceIdentity> {
  const privateKey = await subtle().importKey(
    "pkcs8",
    base64Decode(stored.privateKeyPkcs8) as Uint8Array<ArrayBuffer>,
    ED25519,
    true,
    ["sign"],
  );
  const deviceId = await deviceIdFromPublicKey(stored.publicKey);
  if (deviceId !== stored.deviceId)
    throw new Error("stored device identity: deviceId does not match publicKey");
  return { deviceId, publicKey: stored.publicKey, privateKey };
}

/** Fields every signed payload covers. */
export interface DeviceAuthPayloadFields {
  deviceId: string;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  signedAtMs: number;
  /** The auth token presented in the same connect (`""` when none). */
  token?: string | undefined;
  /** The `connect.challenge` nonce. */
  nonce?: string | undefined;
}

export interface DeviceAuthPayloadV3Fields extends DeviceAuthPayloadFields {
  platform?: string | undefined;
  deviceFamily?: string | undefined;
}

/** `v2|deviceId|clientId|clientMode|role|scopes|signedAtMs|token|nonce` */
export function buildDeviceAuthPayloadV2(fields: DeviceAuthPayloadFields): string {
  return [
    "v2",
    fields.deviceId,
    fields.clientId,
    fields.clientMode,
    fields.role,
    fields.scopes.join(","),
    String(fields.signedAtMs),
    fields.token ?? "",
    fields.nonce ?? "",
  ].join("|");
}

const normalizeMetadata = (value: string | undefined) => (value ?? "").trim().toLowerCase();

/** v2's fields (tagged `v3`) plus `|platform|deviceFamily`, both trimmed and lower-cased. */
export function buildDeviceAuthPayloadV3(fields: DeviceAuthPayloadV3Fields): string {
  const v2 = buildDeviceAuthPayloadV2(fields);
  return `v3${v2.slice(2)}|${normalizeMetadata(fields.platform)}|${normalizeMetadata(fields.deviceFamily)}`;
}

/** The token a device signature covers: the shared token, else the device token, else `""`. */
export function signedTokenOf(auth: ConnectAuth | undefined): string {
  return auth?.token ?? auth?.deviceToken ?? auth?.bootstrapToken ?? "";
}

export async function signDevicePayload(privateKey: CryptoKey, payload: string): Promise<string> {
  const signature = await subtle().sign(ED25519, privateKey, utf8Encode(payload) as Uint8Array<ArrayBuffer>);
  return base64UrlEncode(new Uint8Array(signature));
}

export interface CreateDeviceProofOptions {
  identity: DeviceIdentity;
  client: { id: string; mode: string; platform?: string; deviceFamily?: string };
  role: string;
  scopes: readonly string[];
  auth?: ConnectAuth;
  /** The challenge nonce. */
  nonce: string;
  signedAtMs?: number;
  /** Payload version; `v3` (default) binds platform and device family too. */
  version?: "v2" | "v3";
}

/** The `device` field of `ConnectParams`, signed for one challenge. */
export async function createDeviceProof(options: CreateDeviceProofOptions): Promise<DeviceProof> {
  const signedAtMs = options.signedAtMs ?? Date.now();
  const fields: DeviceAuthPayloadV3Fields = {
    deviceId: options.identity.deviceId,
    clientId: options.client.id,
    clientMode: options.client.mode,
    role: options.role,
    scopes: options.scopes,
    signedAtMs,
    token: signedTokenOf(options.auth),
    nonce: options.nonce,
    platform: options.client.platform,
    deviceFamily: options.client.deviceFamily,
  };
  const payload =
    options.version === "v2" ? buildDeviceAuthPayloadV2(fields) : buildDeviceAuthPayloadV3(fields);
  return {
    id: options.identity.deviceId,
    publicKey: options.identity.publicKey,
    signature: await signDevicePayload(options.identity.privateKey, payload),
    signedAt: signedAtMs,
    nonce: options.nonce,
  };
}

/** The device-auth failure codes {@link verifyDeviceProof} returns. */
export type DeviceAuthFailureCode = Extract<
  ErrorDetailCode,
  | "DEVICE_AUTH_INVALID"
  | "DEVICE_AUTH_DEVICE_ID_MISMATCH"
  | "DEVICE_AUTH_SIGNATURE_EXPIRED"
  | "DEVICE_AUTH_NONCE_REQUIRED"
  | "DEVICE_AUTH_NONCE_MISMATCH"
  | "DEVICE_AUTH_SIGNATURE_INVALID"
  | "DEVICE_AUTH_PUBLIC_KEY_INVALID"
>;

export interface VerifyDeviceProofContext {
  /** From the same `ConnectParams`. */
  client: { id: string; mode: string; platform?: string; deviceFamily?: string };
  role: string;
  scopes: readonly string[];
  auth?: ConnectAuth;
  /** The nonce this socket's `connect.challenge` carried. */
  expectedNonce: string;
  /** Verifier clock; default `Date.now()`. */
  nowMs?: number;
  /** Allowed |now − signedAt|; default {@link DEVICE_SIGNATURE_MAX_SKEW_MS}. */
  maxSkewMs?: number;
  /** Accept `v2` payloads (early-2026 clients); default true. */
  allowV2?: boolean;
}

export type VerifyDeviceProofResult =
  | { ok: true; deviceId: string; publicKey: Uint8Array; payloadVersion: "v2" | "v3" }
  | { ok: false; code: DeviceAuthFailureCode; message: string };

/**
 * Check a device proof: key format, id = SHA-256(key), `signedAt` within the skew window, nonce
 * equal to the challenge's, and an Ed25519 signature over the v3 (or v2) payload. Never throws.
 */
export async function verifyDeviceProof(
  proof: DeviceProof,
  context: VerifyDeviceProofContext,
): Promise<VerifyDeviceProofResult> {
  const fail = (code: DeviceAuthFailureCode, message: string): VerifyDeviceProofResult => ({
    ok: false,
    code,
    message,
  });
  let rawKey: Uint8Array;
  try {
    rawKey = decodePublicKey(proof.publicKey);
  } catch (error) {
    return fail("DEVICE_AUTH_PUBLIC_KEY_INVALID", `device public key invalid: ${(error as Error).message}`);
  }
  let key: CryptoKey;
  try {
    key = await subtle().importKey("raw", rawKey as Uint8Array<ArrayBuffer>, ED25519, false, ["verify"]);
  } catch {
    return fail("DEVICE_AUTH_PUBLIC_KEY_INVALID", "device public key invalid: not an Ed25519 key");
  }
  const deviceId = await deviceIdFromPublicKey(rawKey);
  if (proof.id.toLowerCase() !== deviceId) {
    return fail("DEVICE_AUTH_DEVICE_ID_MISMATCH", "device id does not match the SHA-256 of its public key");
  }
  const now = context.nowMs ?? Date.now();
  const skew = context.maxSkewMs ?? DEVICE_SIGNATURE_MAX_SKEW_MS;
  if (!Number.isFinite(proof.signedAt) || Math.abs(now - proof.signedAt) > skew) {
    return fail(
      "DEVICE_AUTH_SIGNATURE_EXPIRED",
      `device signature expired: signedAt is ${Math.round((now - proof.signedAt) / 1000)} s from the gateway clock (allowed ±${Math.round(skew / 1000)} s)`,
    );
  }
  if (!proof.nonce)
    return fail("DEVICE_AUTH_NONCE_REQUIRED", "device signature must include the challenge nonce");
  if (proof.nonce !== context.expectedNonce) {
    return fail("DEVICE_AUTH_NONCE_MISMATCH", "device signature nonce does not match the challenge");
  }
  let signature: Uint8Array;
  try {
    signature = base64Decode(proof.signature);
  } catch {
    return fail("DEVICE_AUTH_SIGNATURE_INVALID", "device signature is not base64url");
  }
  if (signature.length !== 64)
    return fail("DEVICE_AUTH_SIGNATURE_INVALID", "device signature must be 64 bytes");
  const fields: DeviceAuthPayloadV3Fields = {
    deviceId,
    clientId: context.client.id,
    clientMode: context.client.mode,
    role: context.role,
    scopes: context.scopes,
    signedAtMs: proof.signedAt,
    token: signedTokenOf(context.auth),
    nonce: proof.nonce,
    platform: context.client.platform,
    deviceFamily: context.client.deviceFamily,
  };
  const check = (payload: string) =>
    subtle().verify(
      ED25519,
      key,
      signature as Uint8Array<ArrayBuffer>,
      utf8Encode(payload) as Uint8Array<ArrayBuffer>,
    );
  if (await check(buildDeviceAuthPayloadV3(fields))) {
    return { ok: true, deviceId, publicKey: rawKey, payloadVersion: "v3" };
  }
  if (context.allowV2 !== false && (await check(buildDeviceAuthPayloadV2(fields)))) {
    return { ok: true, deviceId, publicKey: rawKey, payloadVersion: "v2" };
  }
  return fail("DEVICE_AUTH_SIGNATURE_INVALID", "device signature invalid");
}

/** The connect error to send for a failed device proof. */
export function deviceAuthErrorShape(code: DeviceAuthFailureCode, message: string): ErrorShape {
  return { code: "INVALID_REQUEST", message, details: { code } };
}
