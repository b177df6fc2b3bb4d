import type {
  ClientInfo,
  ConnectAuth,
  ConnectParams,
  DeviceIdentity,
  EventFrame,
  EventName,
  EventPayload,
  GatewayClientId,
  GatewayClientMode,
  HelloAuth,
  HelloOk,
  MethodName,
  MethodParams,
  MethodResult,
  ResponseFrame,
  Role,
} from "@openclaw/protocol";
import {
  CLOSE_CODES,
  CONNECT_CHALLENGE_EVENT,
  CONNECT_METHOD,
  createDeviceProof,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_TICK_INTERVAL_MS,
  type ErrorShape,
  MAX_PAYLOAD_BYTES,
  MIN_PROTOCOL_VERSION,
  OpenClawError,
  PROTOCOL_VERSION,
  RECONNECT_MAX_DELAY_MS,
  RECONNECT_MIN_DELAY_MS,
  utf8ByteLength,
} from "@openclaw/protocol/base";
import type { FrameChecks } from "./checks.js";
import { fieldChecks } from "./field-checks.js";
import { GatewayTransportError } from "./transport-error.js";
import { VERSION } from "./version.js";

/** The part of the WHATWG `WebSocket` the client uses (browsers, Node 22+ global, or `ws`). */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType?: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: "error", listener: (event: unknown) => void): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `idempotencyKey` becomes optional: the client generates one when it is missing. */
export type RequestParams<M extends MethodName> =
  MethodParams<M> extends { idempotencyKey: string }
    ? Omit<MethodParams<M>, "idempotencyKey"> & { idempotencyKey?: string }
    : MethodParams<M>;

export interface RequestOptions {
  /** Default: the client's `requestTimeoutMs` (30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** For two-phase methods (`agent`): skip the `accepted` ack and resolve with the final answer. */
  expectFinal?: boolean;
}

type RequestArgs<M extends MethodName> =
  // biome-ignore lint/complexity/noBannedTypes: `{}` here means "every field is optional".
  {} extends RequestParams<M>
    ? [params?: RequestParams<M>, options?: RequestOptions]
    : [params: RequestParams<M>, options?: RequestOptions];

export interface ReconnectOptions {
  /** First delay; doubles per attempt. Default 1000. */
  minDelayMs?: number;
  /** Cap. Default 30000. */
  maxDelayMs?: number;
  /** Random extra delay as a fraction of the delay (0..1). Default 0.25. */
  jitter?: number;
}

export interface DisconnectInfo {
  code: number;
  reason: string;
  willReconnect: boolean;
  error?: Error;
}

export interface GatewayClientOptions {
  /** `ws://127.0.0.1:18789` or `wss://…`. Never put a token in the URL. */
  url: string;
  auth?: ConnectAuth;
  client?: {
    id?: GatewayClientId;
    mode?: GatewayClientMode;
    displayName?: string;
    version?: string;
    platform?: string;
    deviceFamily?: string;
    modelIdentifier?: string;
    instanceId?: string;
  };
  role?: Role;
  /** Requested scopes; the server may narrow them. Default: admin + approvals + pairing for operators, none for nodes. */
  scopes?: string[];
  caps?: string[];
  commands?: string[];
  permissions?: Record<string, boolean>;
  locale?: string;
  userAgent?: string;
  /** Sign the challenge with this device key (see `generateDeviceIdentity`). */
  device?: DeviceIdentity;
  /** Called when `hello-ok` issues a device token; persist it and pass it back as `auth.deviceToken`. */
  onDeviceToken?: (token: string, auth: HelloAuth) => void | Promise<void>;
  /**
   * How frames from the gateway are checked. `"schemas"` (default): the protocol's zod schemas,
   * loaded on the first connect; malformed events are dropped and reported. `"fields"`: no zod —
   * the envelope and the fields the client reads (ids, errors, `seq`, the challenge nonce,
   * hello-ok's policy and device token) are checked by hand and event payloads are passed on as
   * they came (the gateway built them from its schemas; check the fields you read). A node uses
   * it to stay small (~9 MB less resident).
   */
  validation?: "schemas" | "fields";
  /** WebSocket implementation; default `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** Default 30 000 ms. */
  requestTimeoutMs?: number;
  /** Socket open → `hello-ok` limit. Default 15 000 ms. */
  connectTimeoutMs?: number;
  /** Reconnect after a lost connection (not after `close()` or a refused connect). Default on. */
  reconnect?: boolean | ReconnectOptions;
  minProtocol?: number;
  maxProtocol?: number;
  /** Called after every successful handshake (the first and each reconnect). */
  onConnected?: (hello: HelloOk) => void;
  onDisconnected?: (info: DisconnectInfo) => void;
  /** Problems that are not tied to one call: bad frames, handler exceptions, event gaps. */
  onError?: (error: Error) => void;
  /** Injectable randomness for the backoff jitter. */
  random?: () => number;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): `min × 2^attempt` plus up to `jitter` of it
 * at random, never above `max` (defaults 1 s → 30 s, jitter 0.25).
 */
export function backoffDelay(
  attempt: number,
  options: ReconnectOptions = {},
  random: () => number = Math.random,
): number {
  const min = options.minDelayMs ?? RECONNECT_MIN_DELAY_MS;
  const max = options.maxDelayMs ?? RECONNECT_MAX_DELAY_MS;
  const jitter = options.jitter ?? 0.25;
  const base = Math.min(max, min * 2 ** Math.min(attempt, 30));
  return Math.min(max, base + base * jitter * random());
}

export type ClientState = "idle" | "connecting" | "connected" | "reconnecting" | "closed";

interface Pending {
  method: string;
  resolve: (payload: unknown) => void;
  reject: (error: Error) => void;
  expectFinal: boolean;
  cleanup: () => void;
}

type AnyHandler = (payload: unknown, frame: EventFrame) => void;

interface Attempt {
  socket: WebSocketLike;
  requestId: string;
  settled: boolean;
  resolve: (hello: HelloOk) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

function randomId(): string {
  const crypto = globalThis.crypto;
  if (crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function defaultPlatform(): string {
  const nodeProcess = (globalThis as { process?: { platform?: string } }).process;
  if (nodeProcess?.platform) return nodeProcess.platform;
  const navigator = (globalThis as { navigator?: { platform?: string } }).navigator;
  return navigator?.platform || "unknown";
}

const OPEN = 1;

/**
 * A connection to an OpenClaw gateway: handshake (challenge, optional device signature),
 * typed calls, events, keepalive watchdog and automatic reconnection.
 */
export class GatewayClient {
  private readonly options: GatewayClientOptions;
  private readonly WebSocketImpl: WebSocketConstructor;
  private readonly handlers = new Map<string, Set<AnyHandler>>();
  private readonly connectedHandlers = new Set<(hello: HelloOk) => void | Promise<void>>();
  private readonly pending = new Map<string, Pending>();
  private readonly waiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>();
  private socket: WebSocketLike | undefined;
  private attempt: Attempt | undefined;
  private connectPromise: Promise<HelloOk> | undefined;
  private helloOk: HelloOk | undefined;
  private deviceToken: string | undefined;
  private stateValue: ClientState = "idle";
  private requestCounter = 0;
  private reconnectAttempts = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private tickTimer: ReturnType<typeof setInterval> | undefined;
  private lastTrafficAt = 0;
  private lastSeq: number | undefined;
  private checks: FrameChecks | undefined;

  constructor(options: GatewayClientOptions) {
    this.options = options;
    const impl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!impl) throw new Error("GatewayClient: no WebSocket implementation (pass options.WebSocket)");
    this.WebSocketImpl = impl;
    this.deviceToken = options.auth?.deviceToken;
  }

  get state(): ClientState {
    return this.stateValue;
  }

  /** The last `hello-ok` (features, snapshot, policy), once connected. */
  get hello(): HelloOk | undefined {
    return this.helloOk;
  }

  /** Open the connection and complete the handshake. Rejects with `OpenClawError` when refused. */
  connect(): Promise<HelloOk> {
    if (this.stateValue === "connected" && this.helloOk) return Promise.resolve(this.helloOk);
    if (this.connectPromise) return this.connectPromise;
    if (this.stateValue === "closed") this.stateValue = "idle";
    this.stateValue = "connecting";
    const promise = this.openSocket().then(
      (hello) => {
        this.connectPromise = undefined;
        return hello;
      },
      (error: Error) => {
        this.connectPromise = undefined;
        this.stateValue = "idle";
        this.failWaiters(error);
        throw error;
      },
    );
    this.connectPromise = promise;
    return promise;
  }

  /** Call a method; resolves with its result, rejects with `OpenClawError` or `GatewayTransportError`. */
  request<M extends MethodName>(method: M, ...args: RequestArgs<M>): Promise<MethodResult<M>>;
  request(method: string, params?: unknown, options?: RequestOptions): Promise<unknown>;
  async request(method: string, params?: unknown, options: RequestOptions = {}): Promise<unknown> {
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    if (options.signal?.aborted) throw new GatewayTransportError("aborted", `${method}: aborted`);
    if (this.stateValue !== "connected") await this.waitForConnection(method, timeoutMs, options.signal);
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) {
      throw new GatewayTransportError("not-connected", `${method}: not connected to the gateway`);
    }
    const id = `${++this.requestCounter}:${randomId()}`;
    const frame: { type: "req"; id: string; method: string; params?: unknown } = { type: "req", id, method };
    const finalParams = this.withIdempotencyKey(method, params);
    if (finalParams !== undefined) frame.params = finalParams;
    const text = JSON.stringify(frame);
    const maxPayload = this.helloOk?.policy.maxPayload ?? MAX_PAYLOAD_BYTES;
    if (text.length * 3 > maxPayload && utf8ByteLength(text) > maxPayload) {
      throw new OpenClawError(
        "INVALID_REQUEST",
        `${method}: request exceeds the gateway's ${maxPayload}-byte limit`,
        {
          details: { code: "FRAME_TOO_LARGE" },
        },
      );
    }
    return new Promise<unknown>((resolve, reject) => {
      const remaining = Math.max(0, deadline - Date.now());
      const timer = setTimeout(() => {
        this.pending.delete(id);
        cleanup();
        reject(
          new GatewayTransportError(
            "timeout",
            `${method}: no answer from the gateway within ${timeoutMs} ms`,
          ),
        );
      }, remaining);
      const onAbort = () => {
        this.pending.delete(id);
        cleanup();
        reject(new GatewayTransportError("aborted", `${method}: aborted`, { cause: options.signal?.reason }));
      };
      const cleanup = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(id, { method, resolve, reject, expectFinal: options.expectFinal === true, cleanup });
      try {
        socket.send(text);
      } catch (error) {
        this.pending.delete(id);
        cleanup();
        reject(new GatewayTransportError("closed", `${method}: send failed`, { cause: error }));
      }
    });
  }

  /** Subscribe to a gateway event (`"*"` for all). Survives reconnects. Returns the unsubscribe function. */
  on<E extends EventName>(
    event: E,
    handler: (payload: EventPayload<E>, frame: EventFrame) => void,
  ): () => void;
  on(event: string, handler: (payload: unknown, frame: EventFrame) => void): () => void;
  on(event: string, handler: AnyHandler): () => void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  /**
   * Run `handler` after every handshake, the first and each reconnect — the place to
   * re-subscribe server-side streams (e.g. `sessions.subscribe`). Runs at once if connected.
   */
  onConnected(handler: (hello: HelloOk) => void | Promise<void>): () => void {
    this.connectedHandlers.add(handler);
    if (this.stateValue === "connected" && this.helloOk) this.runConnectedHandler(handler, this.helloOk);
    return () => {
      this.connectedHandlers.delete(handler);
    };
  }

  /** Close for good: no reconnect; pending calls reject with `GatewayTransportError("closed")`. */
  async close(): Promise<void> {
    this.stateValue = "closed";
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const error = new GatewayTransportError("closed", "client closed", { closeCode: CLOSE_CODES.normal });
    this.failWaiters(error);
    if (this.attempt && !this.attempt.settled) this.settleAttempt(this.attempt, error);
    const socket = this.socket;
    if (socket) {
      const closed = new Promise<void>((resolve) => {
        socket.addEventListener("close", () => resolve());
        setTimeout(resolve, 1000);
      });
      this.teardownSocket(socket, CLOSE_CODES.normal, "client closed", error, false);
      await closed;
    }
  }

  // ------------------------------------------------------------------------------------------

  private withIdempotencyKey(method: string, params: unknown): unknown {
    if (!this.checks?.idempotent(method)) return params;
    const object = (params ?? {}) as Record<string, unknown>;
    return object.idempotencyKey === undefined ? { ...object, idempotencyKey: randomId() } : params;
  }

  private waitForConnection(method: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.stateValue === "idle" || this.stateValue === "closed") {
      return Promise.reject(
        new GatewayTransportError("not-connected", `${method}: not connected (call connect() first)`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          done();
          resolve();
        },
        reject: (error: Error) => {
          done();
          reject(error);
        },
      };
      const timer = setTimeout(
        () =>
          waiter.reject(
            new GatewayTransportError("timeout", `${method}: still not connected after ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
      const onAbort = () => waiter.reject(new GatewayTransportError("aborted", `${method}: aborted`));
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.waiters.delete(waiter);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  private failWaiters(error: Error): void {
    for (const waiter of [...this.waiters]) waiter.reject(error);
  }

  /** The frame checks of `options.validation`; the schemas are imported on the first connect. */
  private async loadChecks(): Promise<FrameChecks> {
    if (!this.checks) {
      this.checks =
        this.options.validation === "fields"
          ? fieldChecks
          : (await import("./schema-checks.js")).schemaChecks;
    }
    return this.checks;
  }

  private async openSocket(): Promise<HelloOk> {
    try {
      await this.loadChecks();
    } catch (error) {
      throw new GatewayTransportError("connect-failed", `gateway connection failed: ${String(error)}`);
    }
    return new Promise<HelloOk>((resolve, reject) => {
      let socket: WebSocketLike;
      try {
        socket = new this.WebSocketImpl(this.options.url);
      } catch (error) {
        reject(new GatewayTransportError("connect-failed", `gateway connection failed: ${String(error)}`));
        return;
      }
      socket.binaryType = "arraybuffer";
      this.socket = socket;
      this.lastSeq = undefined;
      const timeoutMs = this.options.connectTimeoutMs ?? 15_000;
      const attempt: Attempt = {
        socket,
        requestId: `connect:${randomId()}`,
        settled: false,
        resolve,
        reject,
        timer: setTimeout(() => {
          const error = new GatewayTransportError(
            "timeout",
            `gateway connection failed: no hello from ${this.options.url} within ${timeoutMs} ms`,
          );
          this.teardownSocket(socket, CLOSE_CODES.normal, "connect timeout", error, true);
        }, timeoutMs),
      };
      this.attempt = attempt;
      socket.addEventListener("message", (event) => this.onMessage(socket, event.data));
      socket.addEventListener("close", (event) => {
        const error = new GatewayTransportError(
          attempt.settled ? "closed" : "connect-failed",
          attempt.settled
            ? `gateway connection closed (${event.code}${event.reason ? `: ${event.reason}` : ""})`
            : `gateway connection failed: socket closed (${event.code}${event.reason ? `: ${event.reason}` : ""})`,
          { closeCode: event.code },
        );
        this.teardownSocket(socket, event.code, event.reason, error, true);
      });
      socket.addEventListener("error", () => {
        // A close event always follows; it carries the code.
      });
    });
  }

  private settleAttempt(attempt: Attempt, outcome: HelloOk | Error): void {
    if (attempt.settled) return;
    attempt.settled = true;
    clearTimeout(attempt.timer);
    if (outcome instanceof Error) attempt.reject(outcome);
    else attempt.resolve(outcome);
  }

  private teardownSocket(
    socket: WebSocketLike,
    code: number,
    reason: string,
    error: Error,
    mayReconnect: boolean,
  ): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.tickTimer = undefined;
    try {
      if (socket.readyState <= OPEN)
        socket.close(code >= 3000 || code === 1000 ? code : 1000, reason.slice(0, 120));
    } catch {
      // Already closing.
    }
    const attempt = this.attempt;
    const wasConnected = attempt?.settled === true && this.stateValue === "connected";
    if (attempt && !attempt.settled) this.settleAttempt(attempt, error);
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.cleanup();
      pending.reject(
        new GatewayTransportError("closed", `${pending.method}: ${error.message}`, { closeCode: code }),
      );
    }
    // During a handshake the connect()/reconnect path owns the state; only a live connection changes it here.
    if (!wasConnected) return;
    const reconnecting = mayReconnect && this.reconnectEnabled();
    this.stateValue = reconnecting ? "reconnecting" : "idle";
    if (!reconnecting) this.failWaiters(error);
    this.options.onDisconnected?.({ code, reason, willReconnect: reconnecting, error });
    if (reconnecting) this.scheduleReconnect();
  }

  private reconnectEnabled(): boolean {
    return this.options.reconnect !== false;
  }

  private reconnectDelay(): number {
    const settings = typeof this.options.reconnect === "object" ? this.options.reconnect : {};
    return backoffDelay(this.reconnectAttempts, settings, this.options.random);
  }

  private scheduleReconnect(extraDelayMs = 0): void {
    const delay = Math.max(this.reconnectDelay(), extraDelayMs);
    this.reconnectAttempts++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.stateValue !== "reconnecting") return;
      this.openSocket().then(
        () => undefined,
        (error: Error) => {
          if (this.stateValue === "closed") return;
          const refused = OpenClawError.isInstance(error) && !error.isRetryable;
          if (refused) {
            this.stateValue = "idle";
            this.failWaiters(error);
            this.options.onError?.(error);
            this.options.onDisconnected?.({ code: 0, reason: error.message, willReconnect: false, error });
            return;
          }
          this.stateValue = "reconnecting";
          const retryAfter = OpenClawError.isInstance(error) ? (error.retryAfterMs ?? 0) : 0;
          this.scheduleReconnect(retryAfter);
        },
      );
    }, delay);
  }

  private report(error: Error): void {
    this.options.onError?.(error);
  }

  private onMessage(socket: WebSocketLike, data: unknown): void {
    if (this.socket !== socket) return;
    this.lastTrafficAt = Date.now();
    const maxBytes = this.helloOk?.policy.maxPayload ?? MAX_PAYLOAD_BYTES;
    const checks = this.checks ?? fieldChecks;
    const parsed = checks.frame(data, maxBytes);
    if (!parsed.ok) {
      this.report(
        new GatewayTransportError("protocol", `ignored a frame from the gateway: ${parsed.message}`),
      );
      return;
    }
    const frame = parsed.frame;
    if (frame?.type === "event") this.onEvent(socket, frame, checks);
    else if (frame?.type === "res") this.onResponse(frame, checks);
  }

  private onEvent(socket: WebSocketLike, frame: EventFrame, checks: FrameChecks): void {
    const attempt = this.attempt;
    if (frame.event === CONNECT_CHALLENGE_EVENT) {
      if (!attempt || attempt.settled || attempt.socket !== socket) return;
      const nonce = checks.challengeNonce(frame.payload);
      if (nonce === undefined) {
        const error = new GatewayTransportError("protocol", "gateway sent an invalid connect.challenge");
        this.teardownSocket(socket, CLOSE_CODES.normal, "bad challenge", error, false);
        return;
      }
      this.sendConnect(socket, attempt, nonce).catch((error: unknown) => {
        const failure = new GatewayTransportError(
          "protocol",
          `could not build the connect request: ${String(error)}`,
        );
        this.teardownSocket(socket, CLOSE_CODES.normal, "connect failed", failure, false);
      });
      return;
    }
    if (frame.seq !== undefined) {
      if (this.lastSeq !== undefined && frame.seq > this.lastSeq + 1) {
        this.report(
          new GatewayTransportError(
            "protocol",
            `event gap: expected seq ${this.lastSeq + 1}, got ${frame.seq} (${frame.seq - this.lastSeq - 1} missed)`,
          ),
        );
      }
      this.lastSeq = frame.seq;
    }
    const checked = checks.event(frame.event, frame.payload);
    if (!checked) {
      this.report(new GatewayTransportError("protocol", `ignored a malformed ${frame.event} event`));
      return;
    }
    const payload = checked.payload;
    this.dispatch(frame.event, payload, frame);
    this.dispatch("*", payload, frame);
  }

  private dispatch(name: string, payload: unknown, frame: EventFrame): void {
    const set = this.handlers.get(name);
    if (!set) return;
    for (const handler of [...set]) {
      try {
        handler(payload, frame);
      } catch (error) {
        this.report(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  private onResponse(frame: ResponseFrame, checks: FrameChecks): void {
    const attempt = this.attempt;
    if (attempt && !attempt.settled && frame.id === attempt.requestId) {
      this.onConnectResponse(attempt, frame, checks);
      return;
    }
    const pending = this.pending.get(frame.id);
    if (!pending) return;
    if (frame.ok) {
      const status = (frame.payload as { status?: unknown } | undefined)?.status;
      if (pending.expectFinal && status === "accepted") return;
      this.pending.delete(frame.id);
      pending.cleanup();
      pending.resolve(frame.payload);
      return;
    }
    this.pending.delete(frame.id);
    pending.cleanup();
    pending.reject(this.errorFrom(frame.error, pending.method));
  }

  private errorFrom(shape: ErrorShape | undefined, context: string): OpenClawError {
    return OpenClawError.fromErrorShape(
      shape ?? { code: "UNAVAILABLE", message: `${context}: the gateway answered ok:false without an error` },
    );
  }

  private onConnectResponse(attempt: Attempt, frame: ResponseFrame, checks: FrameChecks): void {
    if (!frame.ok) {
      // Let the gateway close with its own code (1002 / 1008); close ourselves only if it does not.
      const socket = attempt.socket;
      this.socket = undefined;
      this.settleAttempt(attempt, this.errorFrom(frame.error, "connect"));
      const timer = setTimeout(() => {
        if (socket.readyState <= OPEN) socket.close(CLOSE_CODES.normal, "connect refused");
      }, 1_000);
      (timer as { unref?: () => void }).unref?.();
      return;
    }
    const checked = checks.hello(frame.payload);
    if (!checked.ok) {
      const error = new GatewayTransportError(
        "protocol",
        `gateway sent an invalid hello-ok: ${checked.message}`,
      );
      this.teardownSocket(attempt.socket, CLOSE_CODES.normal, "bad hello", error, false);
      return;
    }
    const hello = checked.hello;
    this.helloOk = hello;
    this.stateValue = "connected";
    this.reconnectAttempts = 0;
    this.lastTrafficAt = Date.now();
    this.startTickWatchdog(attempt.socket, hello.policy.tickIntervalMs ?? DEFAULT_TICK_INTERVAL_MS);
    const issued = hello.auth;
    if (issued?.deviceToken) {
      this.deviceToken = issued.deviceToken;
      Promise.resolve(this.options.onDeviceToken?.(issued.deviceToken, issued)).catch((error: unknown) =>
        this.report(error instanceof Error ? error : new Error(String(error))),
      );
    }
    this.settleAttempt(attempt, hello);
    for (const waiter of [...this.waiters]) waiter.resolve();
    this.options.onConnected?.(hello);
    for (const handler of this.connectedHandlers) this.runConnectedHandler(handler, hello);
  }

  private runConnectedHandler(handler: (hello: HelloOk) => void | Promise<void>, hello: HelloOk): void {
    try {
      Promise.resolve(handler(hello)).catch((error: unknown) =>
        this.report(error instanceof Error ? error : new Error(String(error))),
      );
    } catch (error) {
      this.report(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private startTickWatchdog(socket: WebSocketLike, tickIntervalMs: number): void {
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.tickTimer = setInterval(
      () => {
        if (Date.now() - this.lastTrafficAt > 2 * tickIntervalMs) {
          const error = new GatewayTransportError(
            "timeout",
            `no traffic from the gateway for ${2 * tickIntervalMs} ms`,
            {
              closeCode: CLOSE_CODES.tickTimeout,
            },
          );
          this.teardownSocket(socket, CLOSE_CODES.tickTimeout, "tick timeout", error, true);
        }
      },
      Math.max(50, Math.floor(tickIntervalMs / 2)),
    );
  }

  private connectAuth(): ConnectAuth | undefined {
    const auth: ConnectAuth = { ...this.options.auth };
    if (this.deviceToken && !auth.token && !auth.password) auth.deviceToken = this.deviceToken;
    return Object.keys(auth).length ? auth : undefined;
  }

  private async sendConnect(socket: WebSocketLike, attempt: Attempt, nonce: string): Promise<void> {
    const options = this.options;
    const role: Role = options.role ?? "operator";
    const scopes =
      options.scopes ??
      (role === "operator" ? ["operator.admin", "operator.approvals", "operator.pairing"] : []);
    const client: ClientInfo = {
      id: options.client?.id ?? (role === "node" ? "node-host" : "gateway-client"),
      version: options.client?.version ?? VERSION,
      platform: options.client?.platform ?? defaultPlatform(),
      mode: options.client?.mode ?? (role === "node" ? "node" : "backend"),
    };
    for (const key of ["displayName", "deviceFamily", "modelIdentifier", "instanceId"] as const) {
      const value = options.client?.[key];
      if (value !== undefined) client[key] = value;
    }
    const auth = this.connectAuth();
    const params: ConnectParams = {
      minProtocol: options.minProtocol ?? MIN_PROTOCOL_VERSION,
      maxProtocol: options.maxProtocol ?? PROTOCOL_VERSION,
      client,
      role,
      scopes,
      caps: options.caps ?? [],
    };
    if (options.commands) params.commands = options.commands;
    if (options.permissions) params.permissions = options.permissions;
    if (auth) params.auth = auth;
    if (options.locale) params.locale = options.locale;
    if (options.userAgent) params.userAgent = options.userAgent;
    if (options.device) {
      params.device = await createDeviceProof({
        identity: options.device,
        client,
        role,
        scopes,
        auth,
        nonce,
      });
    }
    if (attempt.settled || this.socket !== socket || socket.readyState !== OPEN) return;
    socket.send(JSON.stringify({ type: "req", id: attempt.requestId, method: CONNECT_METHOD, params }));
  }
}
