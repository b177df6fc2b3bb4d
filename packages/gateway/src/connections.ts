import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { MethodCaller } from "@openclaw/core";
import {
  CONNECT_METHOD,
  CONNECT_TIMEOUT_MS,
  frameErrorShape,
  MAX_PRECONNECT_PAYLOAD_BYTES,
  parseFrame,
} from "@openclaw/protocol";
import type { WebSocket } from "ws";
import { createDispatcher } from "./dispatch.js";
import { createFanout } from "./fanout.js";
import type { FrameGate, TooDeep } from "./frame-gate.js";
import { frameTooDeepError, MAX_FRAME_DEPTH } from "./frame-limits.js";
import type { Connection, GatewayRuntime } from "./gateway.js";
import type { MethodTable } from "./handlers.js";
import { connectError, type HandshakeContext, handleConnect } from "./handshake.js";
import { clientAddress, isLoopbackAddress } from "./net.js";
import { cutOff, guardPreconnectBytes } from "./preconnect-limit.js";

export { PRESENCE_COALESCE_MS } from "./fanout.js";

/**
 * The WebSocket side of the gateway: the handshake (handshake.ts), request dispatch
 * (dispatch.ts), event fan-out (fanout.ts) and the per-connection bookkeeping. It needs the
 * protocol's zod schemas and registries, so gateway.ts loads this module (with `ws`) on the first
 * WebSocket upgrade; an idle gateway, or one that only ever answers HTTP, never loads zod.
 */
export interface ConnectionLayer {
  /**
   * Take over a socket `ws` just upgraded: send the challenge, then run the handshake. `gate` is
   * the stream ws reads the socket through: it refuses frames nested too deeply (frame-gate.ts).
   */
  onConnection(ws: WebSocket, request: IncomingMessage, gate: FrameGate): void;
  /** Send an event to every authenticated client allowed to see it. */
  broadcast(event: string, payload: unknown): void;
  /** Close every open connection whose credential is no longer valid (config edit, revocation). */
  revalidateAll(): void;
  /** Close the open connections `predicate` selects (policy violation, 1008). */
  closeWhere(predicate: (conn: Connection) => boolean, reason: string): void;
  /** Close every connection with `code` (shutdown / restart). */
  closeAll(code: number, reason: string): void;
}

export interface ConnectionLayerSettings {
  /** The `tick` interval announced in hello-ok's policy. */
  tickIntervalMs: number;
  /** The dispatch table requests go to. */
  methods: MethodTable;
}

export function createConnectionLayer(
  runtime: GatewayRuntime,
  settings: ConnectionLayerSettings,
): ConnectionLayer {
  const { options, logger, connections } = runtime;
  const { tickIntervalMs, methods } = settings;
  /** Who a request runs as: the server's record of the connection, never what the client claims. */
  const callerOf = (conn: Connection): MethodCaller => ({
    connId: conn.id,
    role: conn.role ?? "operator",
    scopes: conn.scopes,
    ...(conn.deviceId ? { deviceId: conn.deviceId } : {}),
    ...(conn.client ? { clientId: conn.client.id } : {}),
  });
  const io = createFanout(runtime);
  const ctx: HandshakeContext = { runtime, io, methods, tickIntervalMs, callerOf };
  const dispatch = createDispatcher(runtime, io, methods, callerOf);

  /** Answer a text message the gate refused for its nesting (any client, any scopes); it never reached ws. */
  function refuseTooDeep(conn: Connection, refused: TooDeep): void {
    if (conn.state === "closed" || conn.state === "connecting") return; // as onMessage ignores them
    logger.warn(
      { connId: conn.id, remote: conn.address, bytes: refused.declaredBytes, maxDepth: MAX_FRAME_DEPTH },
      "refused a frame nested too deeply",
    );
    const error = frameTooDeepError();
    if (conn.state !== "open") {
      if (refused.id) connectError(ctx, conn, refused.id, error);
      else io.closeConn(conn, 1008, "invalid handshake: frame nested too deeply");
    } else if (refused.id) io.send(conn, { type: "res", id: refused.id, ok: false, error });
  }

  function onMessage(conn: Connection, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (conn.state === "closed") return;
    if (conn.state === "connecting") return; // one connect at a time
    const bytes = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    // a text frame nested too deeply never gets here: the gate refused it as it arrived
    const text = isBinary ? data : bytes.toString("utf8");
    if (conn.state !== "open") {
      const parsed = parseFrame(text, { binary: isBinary, maxBytes: MAX_PRECONNECT_PAYLOAD_BYTES });
      if (!parsed.ok) {
        if (parsed.error.reason === "binary") io.closeConn(conn, 1003, "binary frames are not supported");
        else if (parsed.error.reason === "too-large")
          io.closeConn(conn, 1009, "frame too large before connect");
        else if (parsed.error.id) connectError(ctx, conn, parsed.error.id, frameErrorShape(parsed.error));
        else
          io.closeConn(
            conn,
            parsed.error.reason === "invalid-json" ? 1000 : 1008,
            parsed.error.reason === "invalid-json" ? "" : "invalid handshake",
          );
        return;
      }
      const frame = parsed.frame;
      if (frame.type !== "req" || frame.method !== CONNECT_METHOD) {
        const message = "invalid handshake: first request must be connect";
        if (frame.type === "req") connectError(ctx, conn, frame.id, { code: "INVALID_REQUEST", message });
        else io.closeConn(conn, 1008, message);
        return;
      }
      handleConnect(ctx, conn, frame).catch((error) => {
        logger.error({ err: error instanceof Error ? error.message : String(error) }, "connect failed");
        connectError(ctx, conn, frame.id, { code: "UNAVAILABLE", message: "connect failed" }, 1011);
      });
      return;
    }
    const parsed = parseFrame(text, { binary: isBinary });
    if (!parsed.ok && parsed.error.reason === "binary") {
      io.closeConn(conn, 1003, "binary frames are not supported");
      return;
    }
    if (!parsed.ok) {
      if (parsed.error.id)
        io.send(conn, { type: "res", id: parsed.error.id, ok: false, error: frameErrorShape(parsed.error) });
      else logger.debug({ connId: conn.id, reason: parsed.error.reason }, "dropped invalid frame");
      return;
    }
    if (parsed.frame.type !== "req") return; // clients only send requests
    dispatch(conn, parsed.frame).catch((error) => logger.error({ err: String(error) }, "dispatch failed"));
  }

  function onConnection(ws: WebSocket, request: IncomingMessage, gate: FrameGate): void {
    const remote = clientAddress(request.socket.remoteAddress, request.headers);
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
    conn.releasePreconnect = guardPreconnectBytes(request.socket, MAX_PRECONNECT_PAYLOAD_BYTES, () => {
      io.closeConn(conn, 1009, "frame too large before connect");
      cutOff(request.socket);
    });
    connections.set(conn.id, conn);
    conn.timer = setTimeout(() => {
      if (conn.state === "challenged" || conn.state === "connecting") io.closeConn(conn, 1000, "");
    }, options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
    conn.timer.unref();
    gate.onTooDeep((refused) => refuseTooDeep(conn, refused));
    ws.on("message", (data, isBinary) => {
      try {
        onMessage(conn, data as Buffer, isBinary);
      } catch (error) {
        logger.error({ err: String(error) }, "message handling failed");
      }
    });
    ws.on("error", (error) => logger.debug({ connId: conn.id, err: error.message }, "socket error"));
    ws.on("close", (code, reason) => {
      const wasOpen = conn.state === "open" || (conn.state === "closed" && conn.client !== undefined);
      if (wasOpen)
        logger.info(
          { event: "disconnect", connId: conn.id, client: conn.client?.id, code, reason: reason.toString() },
          "client disconnected",
        );
      conn.state = "closed";
      clearTimeout(conn.timer);
      connections.delete(conn.id);
      if (wasOpen && !runtime.closing()) io.presenceChanged();
    });
    io.send(conn, {
      type: "event",
      event: "connect.challenge",
      payload: { nonce: conn.nonce, ts: Date.now() },
    });
  }

  const { broadcast, revalidateAll, closeWhere, closeAll } = io;
  return { onConnection, broadcast, revalidateAll, closeWhere, closeAll };
}
