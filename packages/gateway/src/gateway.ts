import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import { hostname, platform } from "node:os";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
import {
  type ClientInfo,
  CONNECT_METHOD,
  CONNECT_TIMEOUT_MS,
  type ConnectParams,
  ConnectParamsSchema,
  DEFAULT_TICK_INTERVAL_MS,
  deviceAuthErrorShape,
  type ErrorShape,
  EVENT_NAMES,
  eventAllowed,
  formatZodIssues,
  frameErrorShape,
  isEventName,
  isMethodName,
  MAX_BUFFERED_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_PRECONNECT_PAYLOAD_BYTES,
  negotiateProtocol,
  OPERATOR_SCOPES,
  parseFrame,
  type RequestFrame,
  unknownMethodError,
  type ValidateRequestResult,
  validateRequest,
  verifyDeviceProof,
} from "@openclaw/protocol";
import type { WebSocket, WebSocketServer } from "ws";
import {
  type AuthOverrides,
  AuthRateLimiter,
  fingerprint,
  type ResolvedAuth,
  resolveAuth,
  resolveRateLimit,
  safeEqual,
} from "./auth.js";
import { getPath } from "./config-store.js";
import { DevicePairingStore } from "./devices.js";
import { createHandlers, type Handler } from "./handlers.js";
import { createHttpHandler } from "./http.js";
import { type GatewayLockInfo, readGatewayLock, releaseGatewayLock, writeGatewayLock } from "./lock.js";
import { createGatewayLogger, type Logger } from "./logging.js";
import {
  type BindMode,
  isLoopbackAddress,
  isLoopbackHost,
  normalizeAddress,
  resolveBindHost,
  wsUrl,
} from "./net.js";
import type { GatewayAssistant, GatewayChannels, GatewayConfigStore, JsonObject } from "./types.js";
import { GatewayMethodError } from "./types.js";

// `import … from "node:http"` would build node:http's ES module facade, which reads every export,
// including the lazy `WebSocket` / `MessageEvent` getters that load Node's bundled undici (~12 MB
// resident). The CommonJS object has the same functions without touching those getters.
const { createServer } = process.getBuiltinModule("node:http");

/** A start failure with a one-line, user-facing message (print it without a stack). */
export class GatewayStartError extends Error {
  override readonly name = "GatewayStartError";
  constructor(
    readonly code: "EADDRINUSE" | "BIND_WITHOUT_AUTH" | "AUTH_NONE_NOT_LOOPBACK" | "BIND_FAILED" | "CONFIG",
    message: string,
  ) {
    super(message);
  }
}

export interface GatewayOptions {
  /** The config the gateway runs on; auth is re-read from it on every check. */
  config: GatewayConfigStore;
  /** State dir (lock file, device pairing records). */
  stateDir: string;
  /** Port: this > `OPENCLAW_GATEWAY_PORT` > `gateway.port` > 18789. Use 0 for a free port. */
  port?: number;
  bind?: BindMode;
  /** Host for `bind: "custom"` (else `gateway.customBindHost`). */
  customBindHost?: string;
  /** CLI overrides of `gateway.auth.*`. */
  auth?: AuthOverrides;
  /** Generate `gateway.auth.token` into the config on first start when no secret exists (default true). */
  generateToken?: boolean;
  assistant?: GatewayAssistant;
  channels?: GatewayChannels;
  /** A logger; default: pino JSON lines to `logging.file` (or /tmp/openclaw/openclaw-YYYY-MM-DD.log). */
  logger?: Logger;
  /** Log file (used by `logs.tail`); default from config or the daily default. */
  logFile?: string;
  version?: string;
  tickIntervalMs?: number;
  connectTimeoutMs?: number;
  /** Max unauthenticated sockets per client address (default 32). */
  maxUnauthenticatedPerAddress?: number;
  /** HTTP request header / whole-request timeouts (slow-loris cut-off). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Opt-in HTTP endpoints beyond what config enables. */
  http?: { chatCompletions?: boolean; toolsInvoke?: boolean; metrics?: boolean };
  /** Upper bound for draining in-flight runs on close (default 5000 ms). */
  drainTimeoutMs?: number;
  /** Auto-approve devices connecting from loopback (default true). */
  autoApproveLoopback?: boolean;
  /** Take the state-dir lock (default true). */
  lock?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface GatewayAddress {
  host: string;
  port: number;
  /** `ws://host:port` to dial. */
  url: string;
  /** `http://host:port/` of the Control UI. */
  httpUrl: string;
}

export interface CloseOptions {
  reason?: string;
  /** Sent in the `shutdown` event; set when the process restarts in place. */
  restartExpectedMs?: number;
  drainTimeoutMs?: number;
}

export interface Gateway {
  listen(): Promise<GatewayAddress>;
  close(options?: CloseOptions): Promise<void>;
  readonly address: GatewayAddress | undefined;
  /** Send an event to every authenticated client allowed to see it. */
  broadcast(event: string, payload: unknown): void;
  /** Number of open WebSocket connections (authenticated or not). */
  connectionCount(): number;
  /** The token written into the config on first start, when that happened. */
  readonly generatedToken: string | undefined;
  readonly logger: Logger;
}

/** Per-connection state. */
export interface Connection {
  id: string;
  ws: WebSocket;
  address: string;
  loopback: boolean;
  origin: string | undefined;
  nonce: string;
  state: "challenged" | "connecting" | "open" | "closed";
  protocol?: number;
  client?: ClientInfo;
  role?: string;
  scopes: Set<string>;
  authKind?: "token" | "password" | "none" | "device-token";
  credential?: string;
  deviceId?: string;
  seq: number;
  connectedAt: number;
  timer?: NodeJS.Timeout;
}

const activeStateDirs = new Set<string>();

/** Compact stats the HTTP and health surfaces share. */
export interface GatewayRuntime {
  startedAt: number;
  version: string;
  options: GatewayOptions;
  logger: Logger;
  logFile: string | undefined;
  connections: Map<string, Connection>;
  devices: DevicePairingStore;
  currentAuth(): ResolvedAuth;
  config(): JsonObject;
  address(): GatewayAddress | undefined;
  closing(): boolean;
  eventLoop(): JsonObject;
  counters: { requests: Map<string, number>; authFailures: number; httpRequests: number };
  broadcast(event: string, payload: unknown): void;
  presence(): JsonObject[];
  stateVersion: { presence: number; health: number };
  rateLimiter: AuthRateLimiter;
  closeWhere(predicate: (conn: Connection) => boolean, reason: string): void;
}

export function createGateway(options: GatewayOptions): Gateway {
  const env = options.env ?? process.env;
  const version = options.version ?? "0.0.0";
  const config = () => options.config.snapshot().config;
  const logFile =
    options.logFile ??
    (typeof getPath(config(), "logging.file") === "string"
      ? (getPath(config(), "logging.file") as string)
      : undefined);
  const created = options.logger
    ? { logger: options.logger, file: logFile }
    : createGatewayLogger({ file: logFile, level: (getPath(config(), "logging.level") as string) ?? "info" });
  const logger = created.logger;
  const connections = new Map<string, Connection>();
  const devices = new DevicePairingStore(options.stateDir);
  const rateLimiter = new AuthRateLimiter(() => resolveRateLimit(config()));
  const counters = { requests: new Map<string, number>(), authFailures: 0, httpRequests: 0 };
  const stateVersion = { presence: 0, health: 0 };
  const idempotency = new Map<string, { at: number; result: Promise<unknown> }>();
  let server: Server | undefined;
  let wss: WebSocketServer | undefined;
  let address: GatewayAddress | undefined;
  let closing = false;
  let tick: NodeJS.Timeout | undefined;
  let histogram: ReturnType<typeof monitorEventLoopDelay> | undefined;
  let elu = performance.eventLoopUtilization();
  let unsubscribeConfig: (() => void) | undefined;
  let generatedToken: string | undefined;
  let lockTaken = false;
  const forwarders: { event: "agent" | "chat"; listener: (payload: JsonObject) => void }[] = [];
  const tickIntervalMs = options.tickIntervalMs ?? DEFAULT_TICK_INTERVAL_MS;

  const currentAuth = () => resolveAuth(config(), options.auth, env);

  function presence(): JsonObject[] {
    const self: JsonObject = {
      host: hostname(),
      ip: address?.host,
      version,
      platform: `${platform()}`,
      mode: "gateway",
      reason: "self",
      instanceId: runtimeId,
      text: `Gateway: ${hostname()} · app ${version} · mode gateway · reason self`,
      ts: Date.now(),
    };
    const clients = [...connections.values()]
      .filter((conn) => conn.state === "open" && conn.client)
      .map((conn) => ({
        host: conn.client?.displayName ?? conn.client?.id,
        ip: conn.address,
        version: conn.client?.version,
        platform: conn.client?.platform,
        ...(conn.client?.deviceFamily ? { deviceFamily: conn.client.deviceFamily } : {}),
        mode: conn.client?.mode,
        reason: "connect",
        ...(conn.client?.instanceId ? { instanceId: conn.client.instanceId } : {}),
        ...(conn.deviceId ? { deviceId: conn.deviceId } : {}),
        roles: conn.role ? [conn.role] : [],
        scopes: [...conn.scopes],
        ts: conn.connectedAt,
      }));
    return [self, ...clients];
  }
  const runtimeId = randomUUID();

  function eventLoop(): JsonObject {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, elu);
    elu = now;
    const p99 = histogram ? histogram.percentile(99) / 1e6 : 0;
    const max = histogram ? histogram.max / 1e6 : 0;
    const round = (value: number) => Math.round(value * 10) / 10;
    const degraded = p99 > 500;
    return {
      degraded,
      degradedSinceMs: null,
      reasons: degraded ? ["event_loop_delay"] : [],
      intervalMs: histogram ? 20 : 0,
      delayP99Ms: round(p99),
      delayMaxMs: round(Number.isFinite(max) ? max : 0),
      utilization: Math.round(delta.utilization * 1000) / 1000,
    };
  }

  function send(conn: Connection, frame: unknown): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    if (conn.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      closeConn(conn, 1008, "slow consumer: send buffer exceeded");
      return;
    }
    conn.ws.send(JSON.stringify(frame));
  }

  function closeConn(conn: Connection, code: number, reason: string): void {
    if (conn.state === "closed") return;
    conn.state = "closed";
    clearTimeout(conn.timer);
    try {
      // close reasons are capped at 123 bytes by the WebSocket protocol
      conn.ws.close(code, Buffer.byteLength(reason) > 123 ? reason.slice(0, 120) : reason);
    } catch {
      conn.ws.terminate();
    }
  }

  function canSee(conn: Connection, event: string): boolean {
    if (conn.state !== "open") return false;
    // unknown event families fail closed
    return isEventName(event) && eventAllowed(conn.scopes, event);
  }

  function broadcast(event: string, payload: unknown): void {
    for (const conn of connections.values()) {
      if (!canSee(conn, event)) continue;
      conn.seq += 1;
      send(conn, { type: "event", event, payload, seq: conn.seq, stateVersion: { ...stateVersion } });
    }
  }

  function closeWhere(predicate: (conn: Connection) => boolean, reason: string): void {
    for (const conn of connections.values())
      if (conn.state === "open" && predicate(conn)) closeConn(conn, 1008, reason);
  }

  /** Is the credential this connection authenticated with still valid right now? */
  function credentialValid(conn: Connection): boolean {
    const auth = currentAuth();
    switch (conn.authKind) {
      case "token":
        return (
          auth.mode === "token" && auth.token !== undefined && fingerprint(auth.token) === conn.credential
        );
      case "password":
        return (
          auth.mode === "password" &&
          auth.password !== undefined &&
          fingerprint(auth.password) === conn.credential
        );
      case "none":
        return auth.mode === "none";
      case "device-token": {
        if (!conn.credential || !conn.deviceId) return false;
        const found = devices.get(conn.deviceId);
        const record = found?.tokens?.[conn.role ?? "operator"];
        return Boolean(record && !record.revokedAtMs && fingerprint(record.token) === conn.credential);
      }
      default:
        return false;
    }
  }

  function revalidateAll(): void {
    for (const conn of connections.values()) {
      if (conn.state === "open" && !credentialValid(conn)) {
        logger.info(
          { connId: conn.id, authKind: conn.authKind },
          "closing connection: credential rotated or revoked",
        );
        closeConn(conn, 1008, "unauthorized: credential rotated or revoked");
      }
    }
  }

  const runtime: GatewayRuntime = {
    startedAt: Date.now(),
    version,
    options,
    logger,
    logFile: created.file,
    connections,
    devices,
    currentAuth,
    config,
    address: () => address,
    closing: () => closing,
    eventLoop,
    counters,
    broadcast,
    presence,
    stateVersion,
    rateLimiter,
    closeWhere,
  };
  const handlers: Record<string, Handler> = createHandlers(runtime, { revalidateAll });
  const httpHandler = createHttpHandler(runtime);

  function connectError(conn: Connection, id: string, error: ErrorShape, closeCode = 1008): void {
    send(conn, { type: "res", id, ok: false, error });
    closeConn(conn, closeCode, error.message);
  }

  function authFailure(conn: Connection, id: string, error: ErrorShape): void {
    counters.authFailures += 1;
    rateLimiter.recordFailure(conn.address);
    logger.warn(
      { connId: conn.id, remote: conn.address, code: (error.details as JsonObject | undefined)?.code },
      error.message,
    );
    connectError(conn, id, error);
  }

  function originAllowed(conn: Connection): boolean {
    if (!conn.origin) return true;
    const allowed = (getPath(config(), "gateway.controlUi.allowedOrigins") as string[] | undefined) ?? [];
    if (allowed.includes("*") || allowed.includes(conn.origin)) return true;
    try {
      const origin = new URL(conn.origin);
      return conn.loopback && isLoopbackHost(origin.hostname.replace(/^\[|\]$/g, ""));
    } catch {
      return false;
    }
  }

  async function handleConnect(conn: Connection, frame: RequestFrame): Promise<void> {
    conn.state = "connecting";
    const parsed = ConnectParamsSchema.safeParse(frame.params);
    if (!parsed.success) {
      connectError(conn, frame.id, {
        code: "INVALID_REQUEST",
        message: `invalid connect params: ${formatZodIssues(parsed.error.issues, ["params"])}`,
        details: { code: "INVALID_PARAMS" },
      });
      return;
    }
    const params: ConnectParams = parsed.data;
    const negotiated = negotiateProtocol(params.minProtocol, params.maxProtocol);
    if (!negotiated.ok) {
      connectError(conn, frame.id, negotiated.error, 1002);
      return;
    }
    if (!originAllowed(conn)) {
      connectError(conn, frame.id, {
        code: "INVALID_REQUEST",
        message: `origin not allowed: ${conn.origin} (add it to gateway.controlUi.allowedOrigins)`,
        details: { code: "CONTROL_UI_ORIGIN_NOT_ALLOWED", origin: conn.origin },
      });
      return;
    }
    const retryAfterMs = rateLimiter.retryAfter(conn.address);
    if (retryAfterMs > 0) {
      connectError(conn, frame.id, {
        code: "UNAVAILABLE",
        message: "unauthorized: too many failed authentication attempts; retry later",
        details: { code: "AUTH_RATE_LIMITED", recommendedNextStep: "wait_then_retry" },
        retryable: true,
        retryAfterMs,
      });
      return;
    }
    const role = params.role ?? "operator";
    const auth = currentAuth();
    const presented = params.auth ?? {};
    const requestedScopes = params.scopes;
    // 1. shared secret or device token
    let authKind: Connection["authKind"];
    let credential: string | undefined;
    let granted: string[] = role === "operator" ? [...OPERATOR_SCOPES] : [];
    let deviceTokenDevice: string | undefined;
    const deviceTokenValue = presented.deviceToken ?? (auth.mode === "token" ? presented.token : undefined);
    const deviceTokenMatch = deviceTokenValue ? devices.findToken(deviceTokenValue) : undefined;
    if (auth.mode === "none") {
      authKind = "none";
    } else if (
      auth.mode === "token" &&
      presented.token !== undefined &&
      auth.token &&
      safeEqual(presented.token, auth.token)
    ) {
      authKind = "token";
      credential = fingerprint(auth.token);
    } else if (
      auth.mode === "password" &&
      presented.password !== undefined &&
      auth.password &&
      safeEqual(presented.password, auth.password)
    ) {
      authKind = "password";
      credential = fingerprint(auth.password);
    } else if (
      deviceTokenMatch &&
      deviceTokenMatch.record.role === role &&
      (!params.device || params.device.id === deviceTokenMatch.device.deviceId)
    ) {
      authKind = "device-token";
      credential = fingerprint(deviceTokenMatch.record.token);
      granted = deviceTokenMatch.record.scopes;
      deviceTokenDevice = deviceTokenMatch.device.deviceId;
    } else {
      const label = auth.mode === "password" ? "password" : "token";
      const suffix = `(use this gateway's gateway.auth.${label} or pair the device)`;
      if (presented.deviceToken !== undefined) {
        authFailure(conn, frame.id, {
          code: "INVALID_REQUEST",
          message: `unauthorized: device token mismatch ${suffix}`,
          details: {
            code: "AUTH_DEVICE_TOKEN_MISMATCH",
            authReason: "device_token_mismatch",
            canRetryWithDeviceToken: false,
            recommendedNextStep: "update_auth_credentials",
          },
        });
        return;
      }
      const given = auth.mode === "password" ? presented.password : presented.token;
      if (given === undefined && !params.device) {
        connectError(conn, frame.id, {
          code: "NOT_PAIRED",
          message: "device identity required",
          details: { code: "DEVICE_IDENTITY_REQUIRED" },
        });
        return;
      }
      const configured = auth.mode === "password" ? auth.password : auth.token;
      const reason =
        configured === undefined ? "not_configured" : given === undefined ? "missing" : "mismatch";
      const detail = `AUTH_${label.toUpperCase()}_${reason.toUpperCase()}`;
      const text = reason === "not_configured" ? "not configured" : reason;
      const error: ErrorShape = {
        code: "INVALID_REQUEST",
        message: `unauthorized: gateway ${label} ${text} ${suffix}`,
        details: {
          code: detail,
          authReason: `${label}_${reason}`,
          canRetryWithDeviceToken: false,
          recommendedNextStep:
            reason === "mismatch" ? "update_auth_credentials" : "update_auth_configuration",
        },
      };
      if (reason === "mismatch") authFailure(conn, frame.id, error);
      else connectError(conn, frame.id, error);
      return;
    }
    // 2. device identity and pairing
    let deviceId: string | undefined = deviceTokenDevice;
    let issuedDeviceToken: { token: string; issuedAtMs: number } | undefined;
    if (params.device) {
      const verified = await verifyDeviceProof(params.device, {
        client: params.client,
        role,
        scopes: requestedScopes ?? [],
        ...(params.auth ? { auth: params.auth } : {}),
        expectedNonce: conn.nonce,
      });
      if (!verified.ok) {
        authFailure(conn, frame.id, deviceAuthErrorShape(verified.code, verified.message));
        return;
      }
      deviceId = params.device.id.toLowerCase();
      const paired = devices.get(deviceId);
      const wanted = requestedScopes ?? (role === "operator" ? ["operator.read", "operator.write"] : []);
      const upgrade =
        paired && (!paired.roles.includes(role) || wanted.some((scope) => !paired.scopes.includes(scope)));
      if (!paired || upgrade) {
        const request = {
          deviceId,
          publicKey: params.device.publicKey,
          role,
          scopes: wanted,
          remoteIp: conn.address,
          clientId: params.client.id,
          clientMode: params.client.mode,
          platform: params.client.platform,
          ...(params.client.displayName ? { displayName: params.client.displayName } : {}),
        };
        if (conn.loopback && options.autoApproveLoopback !== false) {
          devices.approve(request);
          logger.info({ deviceId, role }, "device auto-approved (loopback)");
        } else {
          const pending = devices.request({ ...request, ...(upgrade ? { isRepair: true } : {}) });
          broadcast("device.pair.requested", pending);
          logger.info(
            { deviceId, requestId: pending.requestId, remote: conn.address },
            "device pairing requested",
          );
          connectError(conn, frame.id, {
            code: "NOT_PAIRED",
            message: `pairing required: approve this device with \`openclaw devices approve ${pending.requestId}\``,
            details: {
              code: "PAIRING_REQUIRED",
              reason: !paired
                ? "not-paired"
                : !paired.roles.includes(role)
                  ? "role-upgrade"
                  : "scope-upgrade",
              requestId: pending.requestId,
              remediationHint: `openclaw devices approve ${pending.requestId}`,
              requestedRole: role,
              requestedScopes: wanted,
            },
          });
          return;
        }
      }
      const record = devices.ensureToken(deviceId, role, devices.get(deviceId)?.scopes ?? wanted);
      if (record)
        issuedDeviceToken = { token: record.token, issuedAtMs: record.rotatedAtMs ?? record.createdAtMs };
      if (authKind === "device-token") granted = record?.scopes ?? granted;
    }
    // 3. scopes: the grant, narrowed by what the client declared
    const scopes = requestedScopes ? granted.filter((scope) => requestedScopes.includes(scope)) : granted;
    rateLimiter.recordSuccess(conn.address);
    clearTimeout(conn.timer);
    conn.state = "open";
    conn.protocol = negotiated.protocol;
    conn.client = params.client;
    conn.role = role;
    conn.scopes = new Set(role === "node" ? ["node"] : scopes);
    conn.authKind = authKind;
    if (credential) conn.credential = credential;
    if (deviceId) conn.deviceId = deviceId;
    try {
      (conn.ws as unknown as { _receiver: { _maxPayload: number } })._receiver._maxPayload =
        MAX_PAYLOAD_BYTES;
    } catch {
      // older ws: the server-wide cap still applies
    }
    stateVersion.presence += 1;
    const hello = {
      type: "hello-ok",
      protocol: negotiated.protocol,
      server: { version, connId: conn.id },
      features: {
        methods: Object.keys(handlers),
        events: EVENT_NAMES.filter(
          (name) => !name.startsWith("node.") && !name.startsWith("exec.") && name !== "cron",
        ),
      },
      snapshot: {
        presence: presence(),
        health: await handlers.health!(conn, {}),
        stateVersion: { ...stateVersion },
        uptimeMs: Date.now() - runtime.startedAt,
        configPath: options.config.path,
        stateDir: options.stateDir,
        sessionDefaults: {
          defaultAgentId: "main",
          mainKey: "main",
          mainSessionKey: "agent:main:main",
          scope: "per-sender",
        },
        authMode: auth.mode,
      },
      auth: {
        role,
        scopes: [...conn.scopes],
        ...(issuedDeviceToken
          ? { deviceToken: issuedDeviceToken.token, issuedAtMs: issuedDeviceToken.issuedAtMs }
          : {}),
      },
      policy: { maxPayload: MAX_PAYLOAD_BYTES, maxBufferedBytes: MAX_BUFFERED_BYTES, tickIntervalMs },
    };
    send(conn, { type: "res", id: frame.id, ok: true, payload: hello });
    logger.info(
      {
        connId: conn.id,
        remote: conn.address,
        client: params.client.id,
        mode: params.client.mode,
        role,
        authKind,
        protocol: negotiated.protocol,
      },
      "client connected",
    );
    broadcast("presence", { presence: presence() });
  }

  async function dispatch(conn: Connection, frame: RequestFrame): Promise<void> {
    const reply = (payload: unknown) => send(conn, { type: "res", id: frame.id, ok: true, payload });
    const fail = (error: ErrorShape) => send(conn, { type: "res", id: frame.id, ok: false, error });
    if (frame.method === CONNECT_METHOD) {
      fail({
        code: "INVALID_REQUEST",
        message: "already connected",
        details: { code: "HANDSHAKE_REQUIRED" },
      });
      return;
    }
    const handler = Object.hasOwn(handlers, frame.method) ? handlers[frame.method] : undefined;
    if (!handler) {
      fail(
        isMethodName(frame.method)
          ? {
              code: "UNAVAILABLE",
              message: `${frame.method} is not available on this gateway yet`,
              retryable: false,
            }
          : unknownMethodError(frame.method),
      );
      return;
    }
    if (!credentialValid(conn)) {
      fail({
        code: "INVALID_REQUEST",
        message: "unauthorized: credential rotated or revoked",
        details: { code: "AUTH_UNAUTHORIZED" },
      });
      closeConn(conn, 1008, "unauthorized: credential rotated or revoked");
      return;
    }
    // the one policy gate: known method → scope (from the METHODS registry) → params (its zod schema)
    const checked = authorizeRequest(frame.method, frame.params, conn.scopes);
    if (!checked.ok) {
      fail(checked.error);
      return;
    }
    const spec = checked.spec;
    const params = (checked.params ?? {}) as JsonObject;
    counters.requests.set(frame.method, (counters.requests.get(frame.method) ?? 0) + 1);
    try {
      const key =
        typeof params.idempotencyKey === "string" && spec.sideEffect
          ? `${frame.method}\u0000${params.idempotencyKey}`
          : undefined;
      let result: unknown;
      if (key) {
        pruneIdempotency();
        const cached = idempotency.get(key);
        if (cached) result = await cached.result;
        else {
          const promise = handler(conn, params);
          idempotency.set(key, { at: Date.now(), result: promise });
          promise.catch(() => idempotency.delete(key));
          result = await promise;
        }
      } else result = await handler(conn, params);
      reply(result);
    } catch (error) {
      if (error instanceof GatewayMethodError) fail(error.shape);
      else {
        logger.error(
          { method: frame.method, err: error instanceof Error ? error.message : String(error) },
          "method failed",
        );
        fail({
          code: "UNAVAILABLE",
          message: `${frame.method} failed: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
  }

  function pruneIdempotency(): void {
    const cutoff = Date.now() - 5 * 60_000;
    for (const [key, entry] of idempotency) {
      if (entry.at >= cutoff && idempotency.size <= 5000) break;
      idempotency.delete(key);
    }
  }

  function onMessage(conn: Connection, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (conn.state === "closed") return;
    const text = isBinary
      ? data
      : Buffer.isBuffer(data)
        ? data.toString("utf8")
        : Array.isArray(data)
          ? Buffer.concat(data).toString("utf8")
          : Buffer.from(data).toString("utf8");
    if (conn.state !== "open") {
      if (conn.state === "connecting") return; // one connect at a time
      const parsed = parseFrame(text, { binary: isBinary, maxBytes: MAX_PRECONNECT_PAYLOAD_BYTES });
      if (!parsed.ok) {
        if (parsed.error.reason === "binary") closeConn(conn, 1003, "binary frames are not supported");
        else if (parsed.error.reason === "too-large") closeConn(conn, 1009, "frame too large before connect");
        else if (parsed.error.id) connectError(conn, parsed.error.id, frameErrorShape(parsed.error));
        else
          closeConn(
            conn,
            parsed.error.reason === "invalid-json" ? 1000 : 1008,
            parsed.error.reason === "invalid-json" ? "" : "invalid handshake",
          );
        return;
      }
      const frame = parsed.frame;
      if (frame.type !== "req" || frame.method !== CONNECT_METHOD) {
        const message = "invalid handshake: first request must be connect";
        if (frame.type === "req") connectError(conn, frame.id, { code: "INVALID_REQUEST", message });
        else closeConn(conn, 1008, message);
        return;
      }
      handleConnect(conn, frame).catch((error) => {
        logger.error({ err: error instanceof Error ? error.message : String(error) }, "connect failed");
        connectError(conn, frame.id, { code: "UNAVAILABLE", message: "connect failed" }, 1011);
      });
      return;
    }
    const parsed = parseFrame(text, { binary: isBinary });
    if (!parsed.ok && parsed.error.reason === "binary") {
      closeConn(conn, 1003, "binary frames are not supported");
      return;
    }
    if (!parsed.ok) {
      if (parsed.error.id)
        send(conn, { type: "res", id: parsed.error.id, ok: false, error: frameErrorShape(parsed.error) });
      else logger.debug({ connId: conn.id, reason: parsed.error.reason }, "dropped invalid frame");
      return;
    }
    if (parsed.frame.type !== "req") return; // clients only send requests
    dispatch(conn, parsed.frame).catch((error) => logger.error({ err: String(error) }, "dispatch failed"));
  }

  let wssLoading: Promise<WebSocketServer> | undefined;
  /** ws (and the TLS / zlib modules it pulls in) loads with the first WebSocket upgrade, not at start. */
  function webSocketServer(): Promise<WebSocketServer> {
    wssLoading ??= import("ws").then(({ WebSocketServer: Server }) => {
      wss = new Server({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false });
      return wss;
    });
    return wssLoading;
  }

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (closing) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const remote = normalizeAddress(request.socket.remoteAddress);
    const limit = options.maxUnauthenticatedPerAddress ?? 32;
    let pending = 0;
    for (const conn of connections.values())
      if (conn.state !== "open" && conn.state !== "closed" && conn.address === remote) pending++;
    if (pending >= limit) {
      logger.warn({ remote, pending }, "too many unauthenticated sockets from one address");
      socket.end(
        "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 34\r\n\r\ntoo many unauthenticated sockets\r\n",
      );
      return;
    }
    const upgrade = (target: WebSocketServer) =>
      target.handleUpgrade(request, socket, head, (ws) => onConnection(ws, request));
    if (wss) {
      upgrade(wss);
      return;
    }
    // clients send nothing before the 101 answer, so the socket can wait for the import
    webSocketServer().then(
      (target) => {
        if (closing) socket.destroy();
        else upgrade(target);
      },
      (error: unknown) => {
        logger.error({ err: String(error) }, "cannot load the WebSocket server");
        socket.destroy();
      },
    );
  }

  function onConnection(ws: WebSocket, request: IncomingMessage): void {
    const remote = normalizeAddress(request.socket.remoteAddress);
    const origin = typeof request.headers.origin === "string" ? request.headers.origin : undefined;
    const conn: Connection = {
      id: randomUUID(),
      ws,
      address: remote,
      loopback: isLoopbackAddress(remote),
      origin,
      nonce: randomUUID(),
      state: "challenged",
      scopes: new Set(),
      seq: 0,
      connectedAt: Date.now(),
    };
    try {
      (ws as unknown as { _receiver: { _maxPayload: number } })._receiver._maxPayload =
        MAX_PRECONNECT_PAYLOAD_BYTES;
    } catch {
      // keep the server-wide cap
    }
    connections.set(conn.id, conn);
    conn.timer = setTimeout(() => {
      if (conn.state === "challenged" || conn.state === "connecting") closeConn(conn, 1000, "");
    }, options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
    conn.timer.unref();
    ws.on("message", (data, isBinary) => {
      try {
        onMessage(conn, data as Buffer, isBinary);
      } catch (error) {
        logger.error({ err: String(error) }, "message handling failed");
      }
    });
    ws.on("error", (error) => logger.debug({ connId: conn.id, err: error.message }, "socket error"));
    ws.on("close", () => {
      const wasOpen = conn.state === "open" || (conn.state === "closed" && conn.client !== undefined);
      conn.state = "closed";
      clearTimeout(conn.timer);
      connections.delete(conn.id);
      if (wasOpen && !closing) {
        stateVersion.presence += 1;
        broadcast("presence", { presence: presence() });
      }
    });
    send(conn, { type: "event", event: "connect.challenge", payload: { nonce: conn.nonce, ts: Date.now() } });
  }

  function bindSettings(): { host: string; mode: BindMode; port: number } {
    const cfg = config();
    const mode = (options.bind ??
      (getPath(cfg, "gateway.bind") as BindMode | undefined) ??
      "loopback") as BindMode;
    const envPort = env.OPENCLAW_GATEWAY_PORT ? Number(env.OPENCLAW_GATEWAY_PORT) : undefined;
    const port =
      options.port ??
      (envPort !== undefined && Number.isInteger(envPort) ? envPort : undefined) ??
      (getPath(cfg, "gateway.port") as number | undefined) ??
      18789;
    let host: string;
    try {
      host = resolveBindHost(
        mode,
        options.customBindHost ?? (getPath(cfg, "gateway.customBindHost") as string | undefined),
      );
    } catch (error) {
      throw new GatewayStartError("CONFIG", error instanceof Error ? error.message : String(error));
    }
    return { host, mode, port };
  }

  async function ensureAuth(host: string, port: number): Promise<void> {
    let auth = currentAuth();
    const loopback = isLoopbackHost(host);
    const target = `${host.includes(":") ? `[${host}]` : host}:${port}`;
    if (auth.mode === "none" && !loopback) {
      throw new GatewayStartError(
        "BIND_WITHOUT_AUTH",
        `refusing to bind gateway to ${target} without auth (gateway.auth.mode is "none"; set a token or password, or bind to loopback)`,
      );
    }
    const hasSecret =
      auth.mode === "password" ? Boolean(auth.password) : auth.mode === "token" ? Boolean(auth.token) : true;
    if (hasSecret) return;
    if (!loopback) {
      throw new GatewayStartError(
        "BIND_WITHOUT_AUTH",
        `refusing to bind gateway to ${target} without auth (set gateway.auth.token or gateway.auth.password, pass --token, or use --bind loopback)`,
      );
    }
    if (auth.mode === "token" && options.generateToken !== false) {
      generatedToken = randomBytes(24).toString("hex");
      await options.config.setPath("gateway.auth.token", generatedToken);
      logger.info({ configPath: options.config.path }, "generated gateway.auth.token on first start");
      auth = currentAuth();
    }
  }

  function acquireLock(host: string, port: number): void {
    if (options.lock === false) return;
    const held = readGatewayLock(options.stateDir);
    if ((held && held.pid !== process.pid) || activeStateDirs.has(options.stateDir)) {
      const where = held ? held.url : "this state dir";
      throw new GatewayStartError(
        "EADDRINUSE",
        `another gateway instance is already listening on ${where} (EADDRINUSE; state dir ${options.stateDir}${held ? `, pid ${held.pid}` : ""}); stop it with \`openclaw gateway stop\` or start with --force`,
      );
    }
    activeStateDirs.add(options.stateDir);
    lockTaken = true;
    writeGatewayLock(options.stateDir, {
      pid: process.pid,
      host,
      port,
      url: wsUrl(host, port),
      startedAt: new Date().toISOString(),
    } satisfies GatewayLockInfo);
  }

  function releaseLock(): void {
    if (!lockTaken) return;
    lockTaken = false;
    activeStateDirs.delete(options.stateDir);
    releaseGatewayLock(options.stateDir);
  }

  async function listen(): Promise<GatewayAddress> {
    if (address) return address;
    const snapshot = options.config.snapshot();
    if (!snapshot.valid) {
      // one line per issue: core's loader appends a code frame to syntax errors
      const issues = (snapshot.issues ?? []).map((issue) => {
        const message = issue.message.split("\n", 1)[0]?.trim() ?? "";
        return issue.path && !message.startsWith(issue.path) ? `${issue.path}: ${message}` : message;
      });
      throw new GatewayStartError(
        "CONFIG",
        `invalid config at ${snapshot.path}: ${issues.join("; ") || "unreadable"}`,
      );
    }
    const { host, port } = bindSettings();
    await ensureAuth(host, port);
    acquireLock(host, port);
    const headersTimeout = options.headersTimeoutMs ?? 10_000;
    server = createServer(
      {
        headersTimeout,
        requestTimeout: options.requestTimeoutMs ?? 30_000,
        connectionsCheckingInterval: Math.min(1000, headersTimeout),
        keepAliveTimeout: 5_000,
      },
      httpHandler,
    );
    server.on("upgrade", onUpgrade);
    server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
      const timedOut = error.code === "ERR_HTTP_REQUEST_TIMEOUT" || error.code === "ERR_HTTP_HEADERS_TIMEOUT";
      if (socket.writable) {
        socket.end(
          timedOut
            ? "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"
            : "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n",
        );
      } else socket.destroy();
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server!.once("error", reject);
        server!.listen({ host, port }, () => {
          server!.off("error", reject);
          resolve();
        });
      });
    } catch (error) {
      releaseLock();
      server = undefined;
      const code = (error as NodeJS.ErrnoException).code;
      const target = wsUrl(host, port);
      if (code === "EADDRINUSE") {
        throw new GatewayStartError(
          "EADDRINUSE",
          `another gateway instance is already listening on ${target} (EADDRINUSE); stop it with \`openclaw gateway stop\`, pick another --port, or start with --force`,
        );
      }
      throw new GatewayStartError("BIND_FAILED", `cannot listen on ${target}: ${(error as Error).message}`);
    }
    const bound = server.address();
    const actualPort = typeof bound === "object" && bound ? bound.port : port;
    address = {
      host,
      port: actualPort,
      url: wsUrl(host, actualPort),
      httpUrl: `${wsUrl(host, actualPort).replace(/^ws:/, "http:")}/`,
    };
    if (lockTaken) {
      writeGatewayLock(options.stateDir, {
        pid: process.pid,
        host,
        port: actualPort,
        url: address.url,
        startedAt: new Date().toISOString(),
      });
    }
    histogram = monitorEventLoopDelay({ resolution: 20 });
    histogram.enable();
    tick = setInterval(() => broadcast("tick", { ts: Date.now() }), tickIntervalMs);
    tick.unref();
    unsubscribeConfig = options.config.onChange(() => {
      logger.info({ configPath: options.config.path }, "config reloaded");
      revalidateAll();
    });
    const events = options.assistant?.events;
    if (events) {
      for (const name of ["agent", "chat"] as const) {
        const listener = (payload: JsonObject) => broadcast(name, payload);
        events.on(name, listener);
        forwarders.push({ event: name, listener });
      }
    }
    logger.info({ url: address.url, authMode: currentAuth().mode }, "gateway listening");
    return address;
  }

  async function close(closeOptions: CloseOptions = {}): Promise<void> {
    if (closing) return;
    closing = true;
    const reason = closeOptions.reason ?? "gateway stopping";
    broadcast("shutdown", {
      reason,
      ...(closeOptions.restartExpectedMs !== undefined
        ? { restartExpectedMs: closeOptions.restartExpectedMs }
        : {}),
    });
    clearInterval(tick);
    unsubscribeConfig?.();
    for (const { event, listener } of forwarders) options.assistant?.events?.off(event, listener);
    const serverClosed = server
      ? new Promise<void>((resolve) => server!.close(() => resolve()))
      : Promise.resolve();
    if (options.assistant?.drain) {
      const limit = closeOptions.drainTimeoutMs ?? options.drainTimeoutMs ?? 5000;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        options.assistant.drain().catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, limit);
        }),
      ]);
      clearTimeout(timer);
    }
    const code = closeOptions.restartExpectedMs !== undefined ? 1012 : 1001;
    for (const conn of connections.values()) closeConn(conn, code, reason);
    // give close frames a moment, then cut what is left
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const conn of connections.values()) conn.ws.terminate();
    wss?.close();
    server?.closeAllConnections();
    await serverClosed;
    histogram?.disable();
    releaseLock();
    logger.info({ reason }, "gateway stopped");
    address = undefined;
  }

  return {
    listen,
    close,
    get address() {
      return address;
    },
    broadcast,
    connectionCount: () => connections.size,
    get generatedToken() {
      return generatedToken;
    },
    logger,
  };
}

/**
 * The one policy function every request goes through: unknown method, missing scope (the
 * METHODS registry's scope for the method) and invalid params (its zod schema) each yield the
 * error shape to send; otherwise the parsed params.
 */
export function authorizeRequest(
  method: string,
  params: unknown,
  scopes: Iterable<string>,
): ValidateRequestResult {
  return validateRequest(method, params, scopes);
}
