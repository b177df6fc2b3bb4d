import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import { hostname, platform } from "node:os";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
// only the zod-free entry at start: the schemas and registries load with the first WebSocket client
import type {
  ClientInfo,
  MethodName,
  MethodParsedParams,
  MethodResult,
  PresenceEntry,
  ValidateRequestResult,
} from "@openclaw/protocol";
import { DEFAULT_TICK_INTERVAL_MS, MAX_PAYLOAD_BYTES, OPERATOR_SCOPES } from "@openclaw/protocol/base";
import type { WebSocket, WebSocketServer } from "ws";
import {
  type AuthOverrides,
  AuthRateLimiter,
  generateGatewayToken,
  type ResolvedAuth,
  resolveAuth,
  resolveListenHost,
  resolveRateLimit,
} from "./auth.js";
import { getPath } from "./config-path.js";
import type { ConnectionLayer } from "./connections.js";
import { DevicePairingStore } from "./devices.js";
import type { MethodTable } from "./handlers.js";
import { createHttpHandler } from "./http.js";
import { type GatewayLockInfo, readGatewayLock, releaseGatewayLock, writeGatewayLock } from "./lock.js";
import { createGatewayLogger, type Logger } from "./logging.js";
import type { GatewayCapability } from "./methods/context.js";
import { type BindMode, isLoopbackHost, normalizeAddress, wsUrl } from "./net.js";
import { createPreauthGate, resolvePreauthLimits } from "./preauth.js";
import type { GatewayAssistant, GatewayChannels, GatewayConfigStore, JsonObject } from "./types.js";

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
  /** The assistant's capability (chat, agent, sessions, models, wake) and its events. */
  assistant?: GatewayAssistant;
  /**
   * More capabilities (cron, nodes, …): each adds its handlers to the one dispatch table; for a
   * method two of them answer, the later one wins (the gateway's own come first, then the
   * assistant's, then these in order).
   */
  capabilities?: GatewayCapability[];
  channels?: GatewayChannels;
  /** A logger; default: pino JSON lines to `logging.file` (or /tmp/openclaw/openclaw-YYYY-MM-DD.log). */
  logger?: Logger;
  /** Log file (used by `logs.tail`); default from config or the daily default. */
  logFile?: string;
  version?: string;
  tickIntervalMs?: number;
  connectTimeoutMs?: number;
  /** Max unauthenticated sockets per client address (default 32, env OPENCLAW_MAX_PREAUTH_CONNECTIONS_PER_IP). */
  maxUnauthenticatedPerAddress?: number;
  /** Max unauthenticated sockets from all addresses together (default 256, env OPENCLAW_MAX_PREAUTH_CONNECTIONS). */
  maxUnauthenticated?: number;
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
  /**
   * Call a method in-process, as an operator with every operator scope (what the HTTP endpoints
   * do). `params` must already be valid for the method; no scope or schema check runs.
   */
  call<M extends MethodName>(method: M, params: MethodParsedParams<M>): Promise<MethodResult<M>>;
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
  /** Stops the pre-connect byte count (the 64 KiB cap before hello-ok). */
  releasePreconnect?: () => void;
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
  presence(): PresenceEntry[];
  stateVersion: { presence: number; health: number };
  rateLimiter: AuthRateLimiter;
  closeWhere(predicate: (conn: Connection) => boolean, reason: string): void;
  /** Close every open connection whose credential is no longer valid (config edit, revocation). */
  revalidateAll(): void;
  /** The dispatch table, built on first use (with the first WebSocket client or HTTP call). */
  methods(): Promise<MethodTable>;
  /**
   * Call a method for one of the gateway's HTTP endpoints (an operator with every operator
   * scope: the endpoint authenticated the request). Params are not validated again.
   */
  call<M extends MethodName>(method: M, params: MethodParsedParams<M>): Promise<MethodResult<M>>;
}

/** Who an HTTP endpoint's method call runs as. */
const HTTP_CALLER = { connId: "http", role: "operator", scopes: new Set<string>(OPERATOR_SCOPES) };

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

  function presence(): PresenceEntry[] {
    const self: PresenceEntry = {
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

  // the WebSocket side (connections.ts) loads with the first upgrade; until then there is no
  // connection to send to, close or revalidate
  let layer: ConnectionLayer | undefined;
  const broadcast = (event: string, payload: unknown): void => layer?.broadcast(event, payload);
  const revalidateAll = (): void => layer?.revalidateAll();
  const closeWhere = (predicate: (conn: Connection) => boolean, reason: string): void =>
    layer?.closeWhere(predicate, reason);
  let table: Promise<MethodTable> | undefined;
  const methods = (): Promise<MethodTable> => {
    table ??= import("./handlers.js").then(
      ({ loadMethodTable }) => loadMethodTable(runtime),
      (error: unknown) => {
        table = undefined;
        throw error;
      },
    );
    return table;
  };

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
    revalidateAll,
    methods,
    call: async (method, params) => (await methods()).call(method, params, HTTP_CALLER),
  };
  const httpHandler = createHttpHandler(runtime);

  interface WebSocketSide {
    wss: WebSocketServer;
    layer: ConnectionLayer;
  }
  let loading: Promise<WebSocketSide> | undefined;
  /**
   * ws (and the TLS / zlib modules it pulls in) and the connection layer (the protocol's zod
   * schemas and registries, the method handlers) load with the first WebSocket upgrade, not at
   * start: an idle gateway, or one only probed over HTTP, never loads them.
   */
  function webSocketSide(): Promise<WebSocketSide> {
    loading ??= Promise.all([import("ws"), import("./connections.js"), methods()]).then(
      ([{ WebSocketServer: Server }, { createConnectionLayer }, table]) => {
        wss = new Server({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false });
        layer = createConnectionLayer(runtime, { tickIntervalMs, methods: table });
        return { wss, layer };
      },
      (error: unknown) => {
        loading = undefined; // the next upgrade tries again
        throw error;
      },
    );
    return loading;
  }

  /** Upgrades waiting for webSocketSide(), per client address: they count as unauthenticated sockets. */
  const upgrading = new Map<string, number>();
  const preauth = createPreauthGate(resolvePreauthLimits(options, env), logger);

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (closing) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const remote = normalizeAddress(request.socket.remoteAddress);
    if (preauth.check(remote, connections.values(), upgrading)) {
      socket.end(
        "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 34\r\n\r\ntoo many unauthenticated sockets\r\n",
      );
      return;
    }
    const upgrade = (side: WebSocketSide) =>
      side.wss.handleUpgrade(request, socket, head, (ws) => side.layer.onConnection(ws, request));
    if (wss && layer) {
      upgrade({ wss, layer });
      return;
    }
    // clients send nothing before the 101 answer, so the socket can wait for the import
    upgrading.set(remote, (upgrading.get(remote) ?? 0) + 1);
    const settled = () => {
      const left = (upgrading.get(remote) ?? 1) - 1;
      if (left > 0) upgrading.set(remote, left);
      else upgrading.delete(remote);
    };
    webSocketSide().then(
      (side) => {
        settled();
        if (closing) socket.destroy();
        else upgrade(side);
      },
      (error: unknown) => {
        settled();
        logger.error({ err: String(error) }, "cannot load the WebSocket server");
        socket.destroy();
      },
    );
  }

  function bindSettings(): { host: string; mode: BindMode; port: number } {
    const cfg = config();
    const envPort = env.OPENCLAW_GATEWAY_PORT ? Number(env.OPENCLAW_GATEWAY_PORT) : undefined;
    const port =
      options.port ??
      (envPort !== undefined && Number.isInteger(envPort) ? envPort : undefined) ??
      (getPath(cfg, "gateway.port") as number | undefined) ??
      18789;
    let listen: { mode: BindMode; host: string };
    try {
      listen = resolveListenHost(cfg, {
        ...(options.bind ? { bind: options.bind } : {}),
        ...(options.customBindHost ? { customBindHost: options.customBindHost } : {}),
      });
    } catch (error) {
      throw new GatewayStartError("CONFIG", error instanceof Error ? error.message : String(error));
    }
    const { host, mode } = listen;
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
      generatedToken = generateGatewayToken();
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
    const offChange = options.config.onChange(() => {
      logger.info({ configPath: options.config.path }, "config reloaded");
      revalidateAll();
    });
    const offError = options.config.onError?.((error, snapshot) => {
      const issue = snapshot.issues?.[0];
      logger.warn(
        {
          configPath: issue?.file ?? options.config.path,
          line: issue?.line,
          column: issue?.column,
          err: error.message,
        },
        "config reload skipped (invalid config)",
      );
    });
    unsubscribeConfig = () => {
      offChange();
      offError?.();
    };
    const events = options.assistant?.events;
    if (events) {
      for (const name of ["agent", "chat"] as const) {
        const listener = (payload: JsonObject) => broadcast(name, payload);
        events.on(name, listener);
        forwarders.push({ event: name, listener });
      }
    }
    logger.info(
      { url: address.url, authMode: currentAuth().mode, unauthenticatedSocketLimits: preauth.limits },
      "gateway listening",
    );
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
    layer?.closeAll(code, reason);
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
    call: runtime.call,
    get generatedToken() {
      return generatedToken;
    },
    logger,
  };
}

/**
 * The one policy function every request goes through: unknown method, missing scope (the
 * METHODS registry's scope for the method) and invalid params (its zod schema) each yield the
 * error shape to send; otherwise the parsed params. Asynchronous because it loads the protocol's
 * schemas on first use (the gateway keeps zod out of an idle process); the gateway itself calls
 * `validateRequest` from `@openclaw/protocol` directly once a client is connected.
 */
export async function authorizeRequest(
  method: string,
  params: unknown,
  scopes: Iterable<string>,
): Promise<ValidateRequestResult> {
  const { validateRequest } = await import("@openclaw/protocol");
  return validateRequest(method, params, scopes);
}
