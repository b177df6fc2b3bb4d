import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { DevicePairingStore } from "@openclaw/core/state/devices";
// only the zod-free entry at start: the schemas and registries load with the first WebSocket client
import type {
  ClientInfo,
  MethodName,
  MethodParsedParams,
  MethodResult,
  PresenceEntry,
  ValidateRequestResult,
} from "@openclaw/protocol";
import { DEFAULT_TICK_INTERVAL_MS, OPERATOR_SCOPES } from "@openclaw/protocol/base";
import type { WebSocket } from "ws";
import {
  type AuthOverrides,
  AuthRateLimiter,
  type ResolvedAuth,
  resolveAuth,
  resolveRateLimit,
} from "./auth.js";
import { getPath } from "./config-path.js";
import type { MethodTable } from "./handlers.js";
import { createHttpHandler } from "./http.js";
import { createGatewayLogger, type Logger } from "./logging.js";
import type { GatewayCapability } from "./methods/context.js";
import { type BindMode, wsUrl } from "./net.js";
import { EventLoopMonitor, presenceEntries } from "./runtime-stats.js";
import {
  answerClientError,
  bindSettings,
  ensureAuth,
  invalidConfigError,
  listenOn,
  StateDirLock,
} from "./start.js";
import type { GatewayAssistant, GatewayChannels, GatewayConfigStore, JsonObject } from "./types.js";
import { createWebSocketSide, type WebSocketSide } from "./websocket-side.js";

export { GatewayStartError } from "./start.js";

// `import … from "node:http"` would build node:http's ES module facade, which reads every export,
// including the lazy `WebSocket` / `MessageEvent` getters that load Node's bundled undici (~12 MB
// resident). The CommonJS object has the same functions without touching those getters.
const { createServer } = process.getBuiltinModule("node:http");

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
  /**
   * The Control UI's build directory (apps/control-ui's dist), served at `/` or
   * `gateway.controlUi.basePath`; `gateway.controlUi.root` overrides it. Without one, `/` says how
   * to build the UI.
   */
  controlUiRoot?: string;
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
  /** What a `role: "node"` connection declared at connect (caps, commands, permissions). */
  declared?: { caps?: string[]; commands?: string[]; permissions?: Record<string, boolean> };
  seq: number;
  connectedAt: number;
  timer?: NodeJS.Timeout;
  /** Stops the pre-connect byte count (the 64 KiB cap before hello-ok). */
  releasePreconnect?: () => void;
}

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

/** What listen() and close() work on. */
interface Lifecycle {
  options: GatewayOptions;
  env: NodeJS.ProcessEnv;
  runtime: GatewayRuntime;
  side: WebSocketSide;
  lock: StateDirLock;
  monitor: EventLoopMonitor;
  httpHandler: ReturnType<typeof createHttpHandler>;
  tickIntervalMs: number;
  server?: Server;
  address?: GatewayAddress;
  closing: boolean;
  tick?: NodeJS.Timeout;
  generatedToken?: string;
  /** Undo what listen() subscribed to (config changes, assistant events). */
  unsubscribe: (() => void)[];
}

/** A pino level name from the env or config (case-insensitive), or undefined when it is not one. */
function logLevel(value: unknown): string | undefined {
  const level = typeof value === "string" ? value.trim().toLowerCase() : "";
  return ["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(level) ? level : undefined;
}

export function createGateway(options: GatewayOptions): Gateway {
  const env = options.env ?? process.env;
  const version = options.version ?? "0.0.0";
  const config = () => options.config.snapshot().config;
  const configuredFile = getPath(config(), "logging.file");
  const logFile = options.logFile ?? (typeof configuredFile === "string" ? configuredFile : undefined);
  const created = options.logger
    ? { logger: options.logger, file: logFile }
    : createGatewayLogger({
        file: logFile,
        // OPENCLAW_LOG_LEVEL wins over logging.level (the runbook's debugging switch)
        level: logLevel(env.OPENCLAW_LOG_LEVEL) ?? logLevel(getPath(config(), "logging.level")) ?? "info",
      });
  // checked on every request: resolved again when the config or the env secrets change (always,
  // when a secret is an env SecretRef: its variable could be any)
  let auth: { config: JsonObject; token?: string; password?: string; value: ResolvedAuth } | undefined;
  const currentAuth = (): ResolvedAuth => {
    const current = config();
    const token = env.OPENCLAW_GATEWAY_TOKEN;
    const password = env.OPENCLAW_GATEWAY_PASSWORD;
    if (auth?.config === current && auth.token === token && auth.password === password) return auth.value;
    const value = resolveAuth(current, options.auth, env);
    const refs = ["gateway.auth.token", "gateway.auth.password"].some(
      (path) => typeof getPath(current, path) === "object",
    );
    auth = refs ? undefined : { config: current, token, password, value };
    return value;
  };
  const connections = new Map<string, Connection>();
  const instanceId = randomUUID();
  const monitor = new EventLoopMonitor();
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
  // the WebSocket side (connections.ts) loads with the first upgrade; until then there is no
  // connection to send to, close or revalidate
  const layer = () => side.layer();
  const runtime: GatewayRuntime = {
    startedAt: Date.now(),
    version,
    options,
    logger: created.logger,
    logFile: created.file,
    connections,
    devices: new DevicePairingStore(options.stateDir),
    currentAuth,
    config,
    address: () => state.address,
    closing: () => state.closing,
    eventLoop: () => monitor.snapshot(),
    counters: { requests: new Map<string, number>(), authFailures: 0, httpRequests: 0 },
    broadcast: (event, payload) => layer()?.broadcast(event, payload),
    presence: () => presenceEntries({ version, host: state.address?.host, instanceId }, connections.values()),
    stateVersion: { presence: 0, health: 0 },
    rateLimiter: new AuthRateLimiter(() => resolveRateLimit(config())),
    closeWhere: (predicate, reason) => layer()?.closeWhere(predicate, reason),
    revalidateAll: () => layer()?.revalidateAll(),
    methods,
    call: async (method, params) => (await methods()).call(method, params, HTTP_CALLER),
  };
  const tickIntervalMs = options.tickIntervalMs ?? DEFAULT_TICK_INTERVAL_MS;
  const side = createWebSocketSide(runtime, { tickIntervalMs, env });
  const state: Lifecycle = {
    options,
    env,
    runtime,
    side,
    lock: new StateDirLock(options.stateDir, options.lock !== false),
    monitor,
    httpHandler: createHttpHandler(runtime),
    tickIntervalMs,
    closing: false,
    unsubscribe: [],
  };
  return {
    listen: () => listen(state),
    close: (closeOptions) => close(state, closeOptions),
    get address() {
      return state.address;
    },
    broadcast: runtime.broadcast,
    connectionCount: () => connections.size,
    call: runtime.call,
    get generatedToken() {
      return state.generatedToken;
    },
    logger: created.logger,
  };
}

/** Check the config and the bind, take the lock, listen, then start the periodic work. */
async function listen(state: Lifecycle): Promise<GatewayAddress> {
  if (state.address) return state.address;
  const { options, runtime } = state;
  const { logger } = runtime;
  const invalid = invalidConfigError(options.config.snapshot());
  if (invalid) throw invalid;
  const { host, port } = bindSettings(runtime.config(), options, state.env);
  const generated = await ensureAuth(
    runtime.currentAuth(),
    { host, port },
    options.config,
    options.generateToken !== false,
    logger,
  );
  if (generated) state.generatedToken = generated;
  state.lock.acquire(host, port);
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const server = createServer(
    {
      headersTimeout,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      connectionsCheckingInterval: Math.min(1000, headersTimeout),
      keepAliveTimeout: 5_000,
    },
    state.httpHandler,
  );
  server.on("upgrade", state.side.onUpgrade);
  server.on("clientError", answerClientError);
  try {
    await listenOn(server, host, port);
  } catch (error) {
    state.lock.release();
    throw error;
  }
  state.server = server;
  const bound = server.address();
  const actualPort = typeof bound === "object" && bound ? bound.port : port;
  const url = wsUrl(host, actualPort);
  state.address = { host, port: actualPort, url, httpUrl: `${url.replace(/^ws:/, "http:")}/` };
  state.lock.write(host, actualPort);
  state.monitor.start();
  state.tick = setInterval(() => runtime.broadcast("tick", { ts: Date.now() }), state.tickIntervalMs);
  state.tick.unref();
  subscribe(state);
  logger.info(
    { url, authMode: runtime.currentAuth().mode, unauthenticatedSocketLimits: state.side.limits },
    "gateway listening",
  );
  return state.address;
}

/** Config changes revalidate credentials; the assistant's `agent` / `chat` events go to clients. */
function subscribe(state: Lifecycle): void {
  const { options, runtime } = state;
  const { logger } = runtime;
  state.unsubscribe.push(
    options.config.onChange(() => {
      logger.info({ configPath: options.config.path }, "config reloaded");
      runtime.revalidateAll();
    }),
  );
  const offError = options.config.onError?.((error, snapshot) => {
    const issue = snapshot.issues?.[0];
    logger.warn(
      {
        configPath: issue?.file ?? options.config.path,
        line: issue?.line,
        column: issue?.column,
        // the issue's text, not the error's (a syntax error's excerpt of the file may hold a secret)
        err: issue?.message ?? error.message,
      },
      "config reload skipped (invalid config)",
    );
  });
  if (offError) state.unsubscribe.push(offError);
  const events = options.assistant?.events;
  if (!events) return;
  for (const name of ["agent", "chat"] as const) {
    const listener = (payload: JsonObject) => {
      runtime.broadcast(name, payload);
      // logging.verboseModels: each run's model-side steps (lifecycle, model, tools, usage) in the
      // log, without the streamed text
      if (
        name === "agent" &&
        payload.stream !== "assistant" &&
        getPath(runtime.config(), "logging.verboseModels") === true
      )
        runtime.logger.info(
          {
            event: "model",
            runId: payload.runId,
            sessionKey: payload.sessionKey,
            stream: payload.stream,
            data: JSON.stringify(payload.data ?? null).slice(0, 500),
          },
          "agent run step",
        );
    };
    events.on(name, listener);
    state.unsubscribe.push(() => events.off(name, listener));
  }
}

/** Tell clients, stop the periodic work, drain in-flight runs (bounded), close every socket. */
async function close(state: Lifecycle, closeOptions: CloseOptions = {}): Promise<void> {
  if (state.closing) return;
  state.closing = true;
  const { options, runtime, server } = state;
  const reason = closeOptions.reason ?? "gateway stopping";
  runtime.broadcast("shutdown", {
    reason,
    ...(closeOptions.restartExpectedMs !== undefined
      ? { restartExpectedMs: closeOptions.restartExpectedMs }
      : {}),
  });
  clearInterval(state.tick);
  for (const unsubscribe of state.unsubscribe.splice(0)) unsubscribe();
  const serverClosed = server
    ? new Promise<void>((resolve) => server.close(() => resolve()))
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
  state.side.layer()?.closeAll(code, reason);
  // give close frames a moment, then cut what is left
  await new Promise((resolve) => setTimeout(resolve, 20));
  for (const conn of runtime.connections.values()) conn.ws.terminate();
  state.side.close();
  server?.closeAllConnections();
  await serverClosed;
  state.monitor.stop();
  state.lock.release();
  runtime.logger.info({ reason }, "gateway stopped");
  state.address = undefined;
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
