// A small in-process gateway speaking the real wire protocol (challenge → connect → hello-ok,
// req/res, scoped events, ticks), built on @openclaw/protocol. For client tests; the real server
// lives in @openclaw/gateway.
import type { AddressInfo } from "node:net";
import {
  authFailureError,
  CLOSE_CODES,
  type ConnectParams,
  ConnectParamsSchema,
  DEFAULT_TICK_INTERVAL_MS,
  deviceAuthErrorShape,
  type ErrorShape,
  EVENT_NAMES,
  eventAllowed,
  formatZodIssues,
  frameErrorShape,
  type GatewayFrame,
  handshakeRequiredError,
  invalidConnectParamsError,
  MAX_BUFFERED_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_PRECONNECT_PAYLOAD_BYTES,
  METHOD_NAMES,
  negotiateProtocol,
  OpenClawError,
  PROTOCOL_VERSIONS,
  parseFrame,
  validateRequest,
  verifyDeviceProof,
} from "@openclaw/protocol";
import { type WebSocket, WebSocketServer } from "ws";

export interface FakeConnection {
  id: string;
  socket: WebSocket;
  params?: ConnectParams;
  scopes: string[];
  deviceId?: string;
  /** Close code and reason once closed (who closed is in `closedBy`). */
  closed?: { code: number; reason: string };
  seq: number;
}

/**
 * Handles one call; the return value is the response payload. For two-phase methods (`agent`),
 * call `respond(payload)` first to send an interim `ok` response on the same request id.
 */
export type FakeMethodHandler = (
  params: unknown,
  connection: FakeConnection,
  respond: (payload: unknown) => void,
) => unknown | Promise<unknown>;

export interface GatewayFakeOptions {
  /** Shared token clients must present (`auth.token`). Undefined: no auth. */
  token?: string;
  /** `policy.tickIntervalMs`; default 30 000. */
  tickIntervalMs?: number;
  /** Send `tick` events (default true). */
  ticks?: boolean;
  supportedProtocols?: readonly number[];
  /** Method handlers by name; params are already validated. Throw an `OpenClawError` to answer with it. */
  handlers?: Record<string, FakeMethodHandler>;
  /** Scopes granted from the requested ones (default: as requested; nodes get `node`). */
  grantScopes?: (params: ConnectParams) => string[];
  /** Device token issued in hello-ok to clients with a valid device proof. */
  deviceToken?: string;
}

export interface GatewayFake {
  url: string;
  port: number;
  connections: FakeConnection[];
  /** Every frame received from clients, in order. */
  received: { connectionId: string; frame: GatewayFrame }[];
  /** Send an event to every handshaken connection allowed to see it. */
  broadcast(event: string, payload?: unknown): void;
  /** Drop every socket without a close handshake (like a crashed server or a cut cable). */
  dropAll(): void;
  /** While true, new sockets are terminated at once. */
  refuseConnections: boolean;
  /** Resolves once `count` sockets have been refused in total. */
  waitForRefused(count: number): Promise<void>;
  /** Toggle tick events. */
  setTicks(enabled: boolean): void;
  /** Resolves once `count` connections have completed the handshake in total. */
  waitForHandshakes(count: number): Promise<void>;
  /** Resolves when a connection closes; returns it. */
  nextClose(): Promise<FakeConnection>;
  close(): Promise<void>;
}

const DEFAULT_HANDLERS: Record<string, FakeMethodHandler> = {
  health: () => ({
    ok: true,
    ts: Date.now(),
    durationMs: 0,
    channels: {},
    channelOrder: [],
    channelLabels: {},
  }),
  "system-presence": () => [{ host: "fake", mode: "gateway", reason: "self", ts: Date.now() }],
};

export async function createGatewayFake(options: GatewayFakeOptions = {}): Promise<GatewayFake> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0, maxPayload: MAX_PAYLOAD_BYTES });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const tickIntervalMs = options.tickIntervalMs ?? DEFAULT_TICK_INTERVAL_MS;
  const handlers = { ...DEFAULT_HANDLERS, ...options.handlers };
  const connections: FakeConnection[] = [];
  const received: GatewayFake["received"] = [];
  let handshakes = 0;
  let counter = 0;
  let ticks = options.ticks ?? true;
  const handshakeWaiters: { count: number; resolve: () => void }[] = [];
  const closeWaiters: ((connection: FakeConnection) => void)[] = [];
  let refused = 0;
  const refusedWaiters: { count: number; resolve: () => void }[] = [];
  const startedAt = Date.now();

  const send = (connection: FakeConnection, frame: object) => {
    if (connection.socket.readyState === connection.socket.OPEN)
      connection.socket.send(JSON.stringify(frame));
  };
  const sendEvent = (connection: FakeConnection, event: string, payload: unknown) => {
    connection.seq++;
    send(connection, { type: "event", event, payload, seq: connection.seq });
  };
  const refuse = (connection: FakeConnection, id: string, error: ErrorShape, closeCode: number) => {
    send(connection, { type: "res", id, ok: false, error });
    connection.socket.close(closeCode, error.message.slice(0, 120));
  };

  const tickTimer = setInterval(() => {
    if (!ticks) return;
    for (const connection of connections) {
      if (connection.params && !connection.closed) sendEvent(connection, "tick", { ts: Date.now() });
    }
  }, tickIntervalMs);

  const fake: GatewayFake = {
    url: `ws://127.0.0.1:${port}`,
    port,
    connections,
    received,
    refuseConnections: false,
    broadcast(event, payload) {
      for (const connection of connections) {
        if (connection.params && !connection.closed && eventAllowed(connection.scopes, event)) {
          sendEvent(connection, event, payload);
        }
      }
    },
    dropAll() {
      for (const connection of connections) if (!connection.closed) connection.socket.terminate();
    },
    setTicks(enabled) {
      ticks = enabled;
    },
    waitForRefused(count) {
      if (refused >= count) return Promise.resolve();
      return new Promise((resolve) => refusedWaiters.push({ count, resolve }));
    },
    waitForHandshakes(count) {
      if (handshakes >= count) return Promise.resolve();
      return new Promise((resolve) => handshakeWaiters.push({ count, resolve }));
    },
    nextClose() {
      return new Promise((resolve) => closeWaiters.push(resolve));
    },
    async close() {
      clearInterval(tickTimer);
      for (const connection of connections) connection.socket.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  server.on("connection", (socket) => {
    if (fake.refuseConnections) {
      socket.terminate();
      refused++;
      for (const waiter of [...refusedWaiters]) {
        if (refused >= waiter.count) {
          refusedWaiters.splice(refusedWaiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      return;
    }
    const connection: FakeConnection = { id: `conn-${++counter}`, socket, scopes: [], seq: 0 };
    connections.push(connection);
    const nonce = crypto.randomUUID();
    socket.send(
      JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce, ts: Date.now() } }),
    );

    socket.on("close", (code, reason) => {
      connection.closed = { code, reason: reason.toString() };
      for (const waiter of closeWaiters.splice(0)) waiter(connection);
    });

    socket.on("message", async (data, isBinary) => {
      const text = isBinary ? data : data.toString();
      const parsed = parseFrame(text, {
        binary: isBinary,
        maxBytes: connection.params ? MAX_PAYLOAD_BYTES : MAX_PRECONNECT_PAYLOAD_BYTES,
      });
      if (!parsed.ok) {
        if (parsed.error.id)
          send(connection, {
            type: "res",
            id: parsed.error.id,
            ok: false,
            error: frameErrorShape(parsed.error),
          });
        if (!connection.params) socket.close(CLOSE_CODES.policyViolation, "invalid handshake");
        return;
      }
      const frame = parsed.frame;
      received.push({ connectionId: connection.id, frame });
      if (frame.type !== "req") return;

      if (!connection.params) {
        if (frame.method !== "connect") {
          refuse(connection, frame.id, handshakeRequiredError(), CLOSE_CODES.policyViolation);
          return;
        }
        const params = ConnectParamsSchema.safeParse(frame.params);
        if (!params.success) {
          refuse(
            connection,
            frame.id,
            invalidConnectParamsError(formatZodIssues(params.error.issues, ["params"])),
            CLOSE_CODES.policyViolation,
          );
          return;
        }
        const negotiated = negotiateProtocol(
          params.data.minProtocol,
          params.data.maxProtocol,
          options.supportedProtocols ?? PROTOCOL_VERSIONS,
        );
        if (!negotiated.ok) {
          refuse(connection, frame.id, negotiated.error, CLOSE_CODES.protocolError);
          return;
        }
        const auth = params.data.auth;
        const deviceTokenOk = options.deviceToken !== undefined && auth?.deviceToken === options.deviceToken;
        if (options.token !== undefined && auth?.token !== options.token && !deviceTokenOk) {
          const reason = auth?.token === undefined ? "token_missing" : "token_mismatch";
          refuse(connection, frame.id, authFailureError(reason), CLOSE_CODES.policyViolation);
          return;
        }
        if (params.data.device) {
          const verified = await verifyDeviceProof(params.data.device, {
            client: params.data.client,
            role: params.data.role ?? "operator",
            scopes: params.data.scopes ?? [],
            auth,
            expectedNonce: nonce,
          });
          if (!verified.ok) {
            refuse(
              connection,
              frame.id,
              deviceAuthErrorShape(verified.code, verified.message),
              CLOSE_CODES.policyViolation,
            );
            return;
          }
          connection.deviceId = verified.deviceId;
        }
        connection.params = params.data;
        const role = params.data.role ?? "operator";
        connection.scopes = options.grantScopes
          ? options.grantScopes(params.data)
          : role === "node"
            ? ["node"]
            : [...(params.data.scopes ?? [])];
        send(connection, {
          type: "res",
          id: frame.id,
          ok: true,
          payload: {
            type: "hello-ok",
            protocol: negotiated.protocol,
            server: { version: "fake", connId: connection.id },
            features: { methods: METHOD_NAMES, events: EVENT_NAMES },
            snapshot: {
              presence: [],
              health: {},
              stateVersion: { presence: 0, health: 0 },
              uptimeMs: Date.now() - startedAt,
            },
            auth: {
              role,
              scopes: connection.scopes,
              ...(connection.deviceId && options.deviceToken ? { deviceToken: options.deviceToken } : {}),
            },
            policy: { maxPayload: MAX_PAYLOAD_BYTES, maxBufferedBytes: MAX_BUFFERED_BYTES, tickIntervalMs },
          },
        });
        handshakes++;
        for (const waiter of [...handshakeWaiters]) {
          if (handshakes >= waiter.count) {
            handshakeWaiters.splice(handshakeWaiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
        return;
      }

      const validated = validateRequest(frame.method, frame.params, connection.scopes);
      if (!validated.ok) {
        send(connection, { type: "res", id: frame.id, ok: false, error: validated.error });
        return;
      }
      const handler = handlers[frame.method];
      if (!handler) {
        send(connection, {
          type: "res",
          id: frame.id,
          ok: false,
          error: { code: "UNAVAILABLE", message: `${frame.method} is not implemented by the fake gateway` },
        });
        return;
      }
      try {
        const payload = await handler(validated.params, connection, (interim) =>
          send(connection, { type: "res", id: frame.id, ok: true, payload: interim }),
        );
        send(connection, { type: "res", id: frame.id, ok: true, payload });
      } catch (error) {
        const shape = OpenClawError.isInstance(error)
          ? error.toErrorShape()
          : { code: "UNAVAILABLE", message: error instanceof Error ? error.message : String(error) };
        send(connection, { type: "res", id: frame.id, ok: false, error: shape });
      }
    });
  });

  return fake;
}
