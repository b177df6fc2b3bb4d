import { z } from "zod";
import type { ErrorShape } from "./errors.js";
import { StateVersionSchema } from "./frames.js";
import { lazy } from "./lazy.js";
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, PROTOCOL_VERSIONS } from "./limits.js";
import { ROLES } from "./scopes.js";

/** Known `client.id` values (OpenClaw `GATEWAY_CLIENT_IDS`, early and later 2026). */
export const GATEWAY_CLIENT_IDS = [
  "webchat-ui",
  "openclaw-control-ui",
  "webchat",
  "cli",
  "gateway-client",
  "openclaw-macos",
  "openclaw-ios",
  "openclaw-android",
  "node-host",
  "test",
  "fingerprint",
  "openclaw-probe",
  "openclaw-tui",
  "openclaw-linux",
  "openclaw-watchos",
  "openclaw-worker",
] as const;
export type GatewayClientId = (typeof GATEWAY_CLIENT_IDS)[number];

/** Known `client.mode` values (OpenClaw `GATEWAY_CLIENT_MODES`). */
export const GATEWAY_CLIENT_MODES = ["webchat", "cli", "ui", "backend", "node", "probe", "test"] as const;
export type GatewayClientMode = (typeof GATEWAY_CLIENT_MODES)[number];

/** Payload of the `connect.challenge` event. Open: 2026.9.6 adds `capabilities`. */
export const ConnectChallengePayloadSchema = lazy(() =>
  z.looseObject({
    nonce: z.string().min(1),
    ts: z.int().nonnegative(),
    capabilities: z.array(z.string()).optional(),
  }),
);
export type ConnectChallengePayload = z.infer<typeof ConnectChallengePayloadSchema>;

export const ClientInfoSchema = lazy(() =>
  z.strictObject({
    id: z.enum(GATEWAY_CLIENT_IDS),
    displayName: z.string().optional(),
    version: z.string().min(1),
    platform: z.string().min(1),
    deviceFamily: z.string().optional(),
    modelIdentifier: z.string().optional(),
    mode: z.enum(GATEWAY_CLIENT_MODES),
    instanceId: z.string().optional(),
  }),
);
export type ClientInfo = z.infer<typeof ClientInfoSchema>;

export const ConnectAuthSchema = lazy(() =>
  z.strictObject({
    token: z.string().optional(),
    password: z.string().optional(),
    deviceToken: z.string().optional(),
    bootstrapToken: z.string().optional(),
  }),
);
export type ConnectAuth = z.infer<typeof ConnectAuthSchema>;

/** Device identity proof: an Ed25519 signature over the v2/v3 payload (see `device-auth`). */
export const DeviceProofSchema = lazy(() =>
  z.strictObject({
    id: z.string().min(1),
    publicKey: z.string().min(1),
    signature: z.string().min(1),
    signedAt: z.int().nonnegative(),
    nonce: z.string().optional(),
  }),
);
export type DeviceProof = z.infer<typeof DeviceProofSchema>;

/** Params of the `connect` request. Closed: the server validates what it accepts strictly. */
export const ConnectParamsSchema = lazy(() =>
  z.strictObject({
    minProtocol: z.int().min(1),
    maxProtocol: z.int().min(1),
    client: ClientInfoSchema,
    role: z.enum(ROLES).optional(),
    scopes: z.array(z.string().min(1)).optional(),
    caps: z.array(z.string()).optional(),
    commands: z.array(z.string()).optional(),
    permissions: z.record(z.string(), z.boolean()).optional(),
    pathEnv: z.string().optional(),
    auth: ConnectAuthSchema.optional(),
    device: DeviceProofSchema.optional(),
    locale: z.string().optional(),
    userAgent: z.string().optional(),
  }),
);
export type ConnectParams = z.infer<typeof ConnectParamsSchema>;

/** One entry of `system-presence` / `snapshot.presence`. */
export const PresenceEntrySchema = lazy(() =>
  z.looseObject({
    host: z.string().optional(),
    ip: z.string().optional(),
    version: z.string().optional(),
    platform: z.string().optional(),
    deviceFamily: z.string().optional(),
    modelIdentifier: z.string().optional(),
    mode: z.string().optional(),
    lastInputSeconds: z.number().optional(),
    reason: z.string().optional(),
    tags: z.array(z.string()).optional(),
    text: z.string().optional(),
    ts: z.number(),
    deviceId: z.string().optional(),
    roles: z.array(z.string()).optional(),
    scopes: z.array(z.string()).optional(),
    instanceId: z.string().optional(),
  }),
);
export type PresenceEntry = z.infer<typeof PresenceEntrySchema>;

export const SessionDefaultsSchema = lazy(() =>
  z.looseObject({
    defaultAgentId: z.string(),
    mainKey: z.string(),
    mainSessionKey: z.string(),
    scope: z.string().optional(),
  }),
);

export const AUTH_MODES = ["none", "token", "password", "trusted-proxy"] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const SnapshotSchema = lazy(() =>
  z.looseObject({
    presence: z.array(PresenceEntrySchema),
    health: z.unknown(),
    stateVersion: StateVersionSchema,
    uptimeMs: z.number().nonnegative(),
    configPath: z.string().optional(),
    stateDir: z.string().optional(),
    sessionDefaults: SessionDefaultsSchema.optional(),
    authMode: z.enum(AUTH_MODES).optional(),
    updateAvailable: z.unknown().optional(),
  }),
);
export type Snapshot = z.infer<typeof SnapshotSchema>;

export const HelloPolicySchema = lazy(() =>
  z.looseObject({
    maxPayload: z.int().positive(),
    maxBufferedBytes: z.int().positive(),
    tickIntervalMs: z.int().positive(),
  }),
);
export type HelloPolicy = z.infer<typeof HelloPolicySchema>;

export const HelloAuthSchema = lazy(() =>
  z.looseObject({
    deviceToken: z.string().optional(),
    role: z.enum(ROLES),
    scopes: z.array(z.string()),
    issuedAtMs: z.number().optional(),
  }),
);
export type HelloAuth = z.infer<typeof HelloAuthSchema>;

/**
 * `hello-ok`, the payload of the successful `connect` response. Open at every level: OpenClaw
 * 2026.9.6 adds `server.buildId`, `features.capabilities`, `policy.attachments`, … and an old
 * client must keep parsing a newer server's hello.
 */
export const HelloOkSchema = lazy(() =>
  z.looseObject({
    type: z.literal("hello-ok"),
    protocol: z.int().min(1),
    server: z.looseObject({ version: z.string(), connId: z.string() }),
    features: z.looseObject({ methods: z.array(z.string()), events: z.array(z.string()) }),
    snapshot: SnapshotSchema,
    canvasHostUrl: z.string().optional(),
    auth: HelloAuthSchema.optional(),
    policy: HelloPolicySchema,
  }),
);
export type HelloOk = z.infer<typeof HelloOkSchema>;

export type NegotiateResult = { ok: true; protocol: number } | { ok: false; error: ErrorShape };

/**
 * Pick the protocol for a client range: the highest version both sides support. A range that
 * meets none of `supported` gets OpenClaw's `protocol mismatch` error (close the socket with 1002).
 */
export function negotiateProtocol(
  minProtocol: number,
  maxProtocol: number,
  supported: readonly number[] = PROTOCOL_VERSIONS,
): NegotiateResult {
  let best: number | undefined;
  for (const version of supported) {
    if (version >= minProtocol && version <= maxProtocol && (best === undefined || version > best)) {
      best = version;
    }
  }
  if (best !== undefined) return { ok: true, protocol: best };
  return {
    ok: false,
    error: {
      code: "INVALID_REQUEST",
      message: "protocol mismatch",
      details: {
        code: "PROTOCOL_MISMATCH",
        clientMinProtocol: minProtocol,
        clientMaxProtocol: maxProtocol,
        expectedProtocol: supported.length ? Math.max(...supported) : PROTOCOL_VERSION,
        minimumProbeProtocol: supported.length ? Math.min(...supported) : MIN_PROTOCOL_VERSION,
      },
    },
  };
}
