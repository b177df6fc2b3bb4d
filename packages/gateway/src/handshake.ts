import { randomUUID } from "node:crypto";
import type { MethodCaller } from "@openclaw/core";
import {
  type ConnectParams,
  ConnectParamsSchema,
  deviceAuthErrorShape,
  type ErrorShape,
  EVENT_NAMES,
  formatZodIssues,
  MAX_BUFFERED_BYTES,
  MAX_PAYLOAD_BYTES,
  negotiateProtocol,
  OPERATOR_SCOPES,
  type RequestFrame,
  verifyDeviceProof,
} from "@openclaw/protocol";
import { fingerprint, safeEqual } from "./auth.js";
import { canGrantScopes } from "./authority.js";
import { getPath } from "./config-path.js";
import type { Fanout } from "./fanout.js";
import type { Connection, GatewayRuntime } from "./gateway.js";
import type { MethodTable } from "./handlers.js";
import { sessionDefaultsOf } from "./methods/session-defaults.js";
import { isLoopbackHost } from "./net.js";
import type { JsonObject } from "./types.js";

/** Identifies this process in hello-ok (`server.bootId`): a restart gives a new one. */
const BOOT_ID = randomUUID();

/**
 * The connect handshake: params, protocol, Origin, credential (shared secret or device token,
 * under the failed-auth limiter), device proof and pairing, then hello-ok. Each step sends its
 * own error (and closes) when it refuses.
 */
export interface HandshakeContext {
  runtime: GatewayRuntime;
  io: Fanout;
  methods: MethodTable;
  tickIntervalMs: number;
  /** Who a request runs as: the server's record of the connection. */
  callerOf(conn: Connection): MethodCaller;
}

export function connectError(
  ctx: HandshakeContext,
  conn: Connection,
  id: string,
  error: ErrorShape,
  closeCode = 1008,
): void {
  ctx.io.send(conn, { type: "res", id, ok: false, error });
  ctx.io.closeConn(conn, closeCode, error.message);
}

function authFailure(
  ctx: HandshakeContext,
  conn: Connection,
  id: string,
  error: ErrorShape,
  scope: "shared" | "device" = "shared",
): void {
  ctx.runtime.counters.authFailures += 1;
  ctx.runtime.rateLimiter.recordFailure(conn.address, Date.now(), scope);
  ctx.runtime.logger.warn(
    { connId: conn.id, remote: conn.address, code: (error.details as JsonObject | undefined)?.code },
    error.message,
  );
  connectError(ctx, conn, id, error);
}

function originAllowed(ctx: HandshakeContext, conn: Connection): boolean {
  if (!conn.origin) return true;
  const allowed =
    (getPath(ctx.runtime.config(), "gateway.controlUi.allowedOrigins") as string[] | undefined) ?? [];
  if (allowed.includes("*") || allowed.includes(conn.origin)) return true;
  try {
    const origin = new URL(conn.origin);
    return conn.loopback && isLoopbackHost(origin.hostname.replace(/^\[|\]$/g, ""));
  } catch {
    return false;
  }
}

/** The credential a connect presented, once checked: who it is and what it grants. */
interface Authenticated {
  authKind: NonNullable<Connection["authKind"]>;
  credential?: string;
  granted: string[];
  deviceId?: string;
}

function rateLimited(ctx: HandshakeContext, conn: Connection, id: string, retryAfterMs: number): void {
  connectError(ctx, conn, id, {
    code: "UNAVAILABLE",
    message: "unauthorized: too many failed authentication attempts; retry later",
    details: { code: "AUTH_RATE_LIMITED", recommendedNextStep: "wait_then_retry" },
    retryable: true,
    retryAfterMs,
  });
}

/**
 * Step 1 of a connect: the shared secret or a device token. A valid device token is accepted
 * even while shared-secret guesses from the client's address range are locked out (so a local
 * process cannot lock the operator's paired devices out); failed device tokens have their own
 * budget. Sends the error and returns undefined when the connect is refused.
 */
function authenticate(
  ctx: HandshakeContext,
  conn: Connection,
  id: string,
  params: ConnectParams,
  role: string,
): Authenticated | undefined {
  const auth = ctx.runtime.currentAuth();
  const presented = params.auth ?? {};
  const { rateLimiter } = ctx.runtime;
  const scope = presented.deviceToken !== undefined ? "device" : "shared";
  const retryAfterMs = auth.mode === "none" ? 0 : rateLimiter.retryAfter(conn.address, Date.now(), scope);
  const granted = role === "operator" ? [...OPERATOR_SCOPES] : [];
  // the shared secret first (no device record read for the common login), unless locked out
  if (retryAfterMs === 0) {
    if (auth.mode === "none") return { authKind: "none", granted };
    const secret = auth.mode === "password" ? auth.password : auth.token;
    const given = auth.mode === "password" ? presented.password : presented.token;
    if (secret && given !== undefined && safeEqual(given, secret)) {
      rateLimiter.recordSuccess(conn.address);
      return { authKind: auth.mode, credential: fingerprint(secret), granted };
    }
  }
  // a paired device's own token works even while shared-secret guesses are locked out
  const deviceTokenValue = presented.deviceToken ?? (auth.mode === "token" ? presented.token : undefined);
  const match = deviceTokenValue ? ctx.runtime.devices.findTokenSync(deviceTokenValue) : undefined;
  if (match && match.record.role === role && (!params.device || params.device.id === match.device.deviceId)) {
    rateLimiter.recordSuccess(conn.address, "device");
    return {
      authKind: "device-token",
      credential: fingerprint(match.record.token),
      granted: match.record.scopes,
      deviceId: match.device.deviceId,
    };
  }
  if (retryAfterMs > 0) {
    rateLimited(ctx, conn, id, retryAfterMs);
    return undefined;
  }
  refuseCredential(ctx, conn, id, params);
  return undefined;
}

/** The error for a connect whose credential matched nothing (and the failure it records). */
function refuseCredential(ctx: HandshakeContext, conn: Connection, id: string, params: ConnectParams): void {
  const auth = ctx.runtime.currentAuth();
  const presented = params.auth ?? {};
  const label = auth.mode === "password" ? "password" : "token";
  const suffix = `(use this gateway's gateway.auth.${label} or pair the device)`;
  if (presented.deviceToken !== undefined) {
    authFailure(
      ctx,
      conn,
      id,
      {
        code: "INVALID_REQUEST",
        message: `unauthorized: device token mismatch ${suffix}`,
        details: {
          code: "AUTH_DEVICE_TOKEN_MISMATCH",
          authReason: "device_token_mismatch",
          canRetryWithDeviceToken: false,
          recommendedNextStep: "update_auth_credentials",
        },
      },
      "device",
    );
    return;
  }
  const given = auth.mode === "password" ? presented.password : presented.token;
  if (given === undefined && !params.device) {
    connectError(ctx, conn, id, {
      code: "NOT_PAIRED",
      message: "device identity required",
      details: { code: "DEVICE_IDENTITY_REQUIRED" },
    });
    return;
  }
  const configured = auth.mode === "password" ? auth.password : auth.token;
  const reason = configured === undefined ? "not_configured" : given === undefined ? "missing" : "mismatch";
  const text = reason === "not_configured" ? "not configured" : reason;
  const error: ErrorShape = {
    code: "INVALID_REQUEST",
    message: `unauthorized: gateway ${label} ${text} ${suffix}`,
    details: {
      code: `AUTH_${label.toUpperCase()}_${reason.toUpperCase()}`,
      authReason: `${label}_${reason}`,
      canRetryWithDeviceToken: false,
      recommendedNextStep: reason === "mismatch" ? "update_auth_credentials" : "update_auth_configuration",
    },
  };
  if (reason === "mismatch") authFailure(ctx, conn, id, error);
  else connectError(ctx, conn, id, error);
}

/**
 * Step 2 of a connect that carries a device proof: verify it, pair the device (loopback
 * auto-approval only within what the credential already grants; anything else is a pairing
 * request an admin approves) and issue its token. Returns undefined when the connect is refused.
 */
async function pairConnectingDevice(
  ctx: HandshakeContext,
  conn: Connection,
  id: string,
  params: ConnectParams,
  role: string,
  authenticated: Authenticated,
): Promise<
  { deviceId: string; issued?: { token: string; issuedAtMs: number }; granted: string[] } | undefined
> {
  const device = params.device!;
  const verified = await verifyDeviceProof(device, {
    client: params.client,
    role,
    scopes: params.scopes ?? [],
    ...(params.auth ? { auth: params.auth } : {}),
    expectedNonce: conn.nonce,
  });
  if (!verified.ok) {
    authFailure(ctx, conn, id, deviceAuthErrorShape(verified.code, verified.message));
    return undefined;
  }
  const deviceId = device.id.toLowerCase();
  const paired = await ctx.runtime.devices.get(deviceId);
  const wanted = params.scopes ?? (role === "operator" ? ["operator.read", "operator.write"] : []);
  const upgrade =
    paired && (!paired.roles.includes(role) || wanted.some((scope) => !paired.scopes.includes(scope)));
  if (!paired || upgrade) {
    const request = {
      deviceId,
      publicKey: device.publicKey,
      role,
      scopes: wanted,
      remoteIp: conn.address,
      clientId: params.client.id,
      clientMode: params.client.mode,
      platform: params.client.platform,
      ...(params.client.displayName ? { displayName: params.client.displayName } : {}),
    };
    // loopback auto-approval is self-approval: only within what the credential already grants
    // (a device token asking for more is a scope upgrade an admin approves)
    const selfApproved =
      conn.loopback &&
      ctx.runtime.options.autoApproveLoopback !== false &&
      canGrantScopes(authenticated.granted, wanted).ok;
    if (selfApproved) {
      await ctx.runtime.devices.approve(request);
      ctx.runtime.logger.info({ deviceId, role }, "device auto-approved (loopback)");
    } else {
      const pending = await ctx.runtime.devices.request({
        ...request,
        ...(upgrade ? { isRepair: true } : {}),
      });
      ctx.io.broadcast("device.pair.requested", pending);
      ctx.runtime.logger.info(
        { deviceId, requestId: pending.requestId, remote: conn.address },
        "device pairing requested",
      );
      connectError(ctx, conn, id, {
        code: "NOT_PAIRED",
        message: `pairing required: approve this device with \`openclaw devices approve ${pending.requestId}\``,
        details: {
          code: "PAIRING_REQUIRED",
          reason: !paired ? "not-paired" : !paired.roles.includes(role) ? "role-upgrade" : "scope-upgrade",
          requestId: pending.requestId,
          remediationHint: `openclaw devices approve ${pending.requestId}`,
          requestedRole: role,
          requestedScopes: wanted,
        },
      });
      return undefined;
    }
  }
  const record = await ctx.runtime.devices.ensureToken(
    deviceId,
    role,
    (await ctx.runtime.devices.get(deviceId))?.scopes ?? wanted,
  );
  return {
    deviceId,
    ...(record
      ? { issued: { token: record.token, issuedAtMs: record.rotatedAtMs ?? record.createdAtMs } }
      : {}),
    granted:
      authenticated.authKind === "device-token"
        ? (record?.scopes ?? authenticated.granted)
        : authenticated.granted,
  };
}

export async function handleConnect(
  ctx: HandshakeContext,
  conn: Connection,
  frame: RequestFrame,
): Promise<void> {
  conn.state = "connecting";
  const parsed = ConnectParamsSchema.safeParse(frame.params);
  if (!parsed.success) {
    connectError(ctx, conn, frame.id, {
      code: "INVALID_REQUEST",
      message: `invalid connect params: ${formatZodIssues(parsed.error.issues, ["params"])}`,
      details: { code: "INVALID_PARAMS" },
    });
    return;
  }
  const params: ConnectParams = parsed.data;
  const negotiated = negotiateProtocol(params.minProtocol, params.maxProtocol);
  if (!negotiated.ok) {
    connectError(ctx, conn, frame.id, negotiated.error, 1002);
    return;
  }
  if (!originAllowed(ctx, conn)) {
    connectError(ctx, conn, frame.id, {
      code: "INVALID_REQUEST",
      message: `origin not allowed: ${conn.origin} (add it to gateway.controlUi.allowedOrigins)`,
      details: { code: "CONTROL_UI_ORIGIN_NOT_ALLOWED", origin: conn.origin },
    });
    return;
  }
  const role = params.role ?? "operator";
  const authenticated = authenticate(ctx, conn, frame.id, params, role);
  if (!authenticated) return;
  let granted = authenticated.granted;
  let deviceId = authenticated.deviceId;
  let issued: { token: string; issuedAtMs: number } | undefined;
  if (params.device) {
    const pairedDevice = await pairConnectingDevice(ctx, conn, frame.id, params, role, authenticated);
    if (!pairedDevice) return;
    ({ deviceId, issued, granted } = pairedDevice);
  }
  // 3. scopes: the grant, narrowed by what the client declared
  const requestedScopes = params.scopes;
  const scopes = requestedScopes ? granted.filter((scope) => requestedScopes.includes(scope)) : granted;
  clearTimeout(conn.timer);
  conn.state = "open";
  conn.protocol = negotiated.protocol;
  conn.client = params.client;
  conn.role = role;
  conn.scopes = new Set(role === "node" ? ["node"] : scopes);
  conn.authKind = authenticated.authKind;
  if (authenticated.credential) conn.credential = authenticated.credential;
  if (deviceId) conn.deviceId = deviceId;
  if (role === "node")
    conn.declared = {
      caps: params.caps ?? [],
      commands: params.commands ?? [],
      ...(params.permissions ? { permissions: params.permissions } : {}),
    };
  conn.releasePreconnect?.(); // from here the server-wide maxPayload (policy.maxPayload) applies
  ctx.io.presenceChanged();
  const hello = await helloOk(ctx, conn, negotiated.protocol, issued);
  ctx.io.send(conn, { type: "res", id: frame.id, ok: true, payload: hello });
  ctx.runtime.logger.info(
    {
      event: "connection",
      connId: conn.id,
      remote: conn.address,
      client: params.client.id,
      mode: params.client.mode,
      role,
      authKind: authenticated.authKind,
      protocol: negotiated.protocol,
    },
    "client connected",
  );
}

/** The hello-ok payload for a connection that just authenticated. */
async function helloOk(
  ctx: HandshakeContext,
  conn: Connection,
  protocol: number,
  issuedDeviceToken: { token: string; issuedAtMs: number } | undefined,
): Promise<JsonObject> {
  const auth = ctx.runtime.currentAuth();
  return {
    type: "hello-ok",
    protocol,
    server: {
      version: ctx.runtime.version,
      buildId: `openclaw-ts-${ctx.runtime.version}`,
      bootId: BOOT_ID,
      connId: conn.id,
    },
    features: {
      methods: [...ctx.methods.names],
      events: EVENT_NAMES.filter(
        (name) => !name.startsWith("node.") && !name.startsWith("exec.") && name !== "cron",
      ),
      // what OpenClaw's clients check before relying on a behaviour (`openclaw models list`
      // needs the published model catalog: models.list answers it)
      capabilities: ["published-model-catalog"],
    },
    snapshot: {
      presence: ctx.runtime.presence(),
      health: await ctx.methods.call("health", {}, ctx.callerOf(conn)),
      stateVersion: { ...ctx.runtime.stateVersion },
      uptimeMs: Date.now() - ctx.runtime.startedAt,
      configPath: ctx.runtime.options.config.path,
      stateDir: ctx.runtime.options.stateDir,
      sessionDefaults: sessionDefaultsOf(ctx.runtime.config()),
      authMode: auth.mode,
    },
    auth: {
      // how this connection authenticated (OpenClaw 2026.9.6 sends it; not in its 2026.9.1 schema)
      ...(conn.authKind && conn.authKind !== "none" ? { method: conn.authKind } : {}),
      role: conn.role,
      scopes: [...conn.scopes],
      ...(issuedDeviceToken
        ? { deviceToken: issuedDeviceToken.token, issuedAtMs: issuedDeviceToken.issuedAtMs }
        : {}),
    },
    policy: {
      maxPayload: MAX_PAYLOAD_BYTES,
      maxBufferedBytes: MAX_BUFFERED_BYTES,
      tickIntervalMs: ctx.tickIntervalMs,
    },
  };
}
