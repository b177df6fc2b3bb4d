import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { MAX_PAYLOAD_BYTES } from "@openclaw/protocol/base";
import type { WebSocketServer } from "ws";
import type { ConnectionLayer } from "./connections.js";
import { FrameGate } from "./frame-gate.js";
import type { GatewayRuntime } from "./gateway.js";
import { clientAddress } from "./net.js";
import { createPreauthGate, resolvePreauthLimits } from "./preauth.js";

const REFUSED_CLOSING = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
const REFUSED_PREAUTH =
  "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 34\r\n\r\ntoo many unauthenticated sockets\r\n";

const EMPTY = Buffer.alloc(0);

interface Loaded {
  wss: WebSocketServer;
  layer: ConnectionLayer;
}

export interface WebSocketSide {
  /** The HTTP server's `upgrade` listener. */
  onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** The connection layer once loaded (no connection can exist before). */
  layer(): ConnectionLayer | undefined;
  /** The unauthenticated-socket caps in force (logged at start). */
  readonly limits: { perAddress: number; total: number };
  close(): void;
}

/**
 * The WebSocket side of the port. ws (and the TLS / zlib modules it pulls in), the connection
 * layer (the protocol's zod schemas and registries) and the method table load with the first
 * upgrade, not at start: an idle gateway, or one only probed over HTTP, never loads them.
 * ws's one public size option, `maxPayload`, is the post-handshake cap; the pre-connect cap is
 * the connection layer's (preconnect-limit.ts). ws reads each socket through a {@link FrameGate},
 * which refuses a text message nested beyond the bound while it arrives, before ws buffers it.
 */
export function createWebSocketSide(
  runtime: GatewayRuntime,
  settings: { tickIntervalMs: number; env: NodeJS.ProcessEnv },
): WebSocketSide {
  const { logger, connections } = runtime;
  let loaded: Loaded | undefined;
  let loading: Promise<Loaded> | undefined;
  const load = (): Promise<Loaded> => {
    loading ??= Promise.all([import("ws"), import("./connections.js"), runtime.methods()]).then(
      ([{ WebSocketServer: Server }, { createConnectionLayer }, methods]) => {
        const wss = new Server({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false });
        const layer = createConnectionLayer(runtime, { tickIntervalMs: settings.tickIntervalMs, methods });
        loaded = { wss, layer };
        return loaded;
      },
      (error: unknown) => {
        loading = undefined; // the next upgrade tries again
        throw error;
      },
    );
    return loading;
  };

  /** Upgrades waiting for the load, per client address: they count as unauthenticated sockets. */
  const upgrading = new Map<string, number>();
  const preauth = createPreauthGate(resolvePreauthLimits(runtime.options, settings.env), logger);

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (runtime.closing()) {
      socket.end(REFUSED_CLOSING);
      return;
    }
    const remote = clientAddress(request.socket.remoteAddress, request.headers);
    if (preauth.check(remote, connections.values(), upgrading)) {
      socket.end(REFUSED_PREAUTH);
      return;
    }
    const upgrade = ({ wss, layer }: Loaded) => {
      const gate = new FrameGate(socket, { maxPayload: MAX_PAYLOAD_BYTES });
      wss.handleUpgrade(request, gate, EMPTY, (ws) => layer.onConnection(ws, request, gate));
      // bytes the HTTP parser read past the upgrade request go through the gate too
      if (head.length > 0) gate.receive(head);
    };
    if (loaded) {
      upgrade(loaded);
      return;
    }
    // clients send nothing before the 101 answer, so the socket can wait for the import
    upgrading.set(remote, (upgrading.get(remote) ?? 0) + 1);
    const settled = () => {
      const left = (upgrading.get(remote) ?? 1) - 1;
      if (left > 0) upgrading.set(remote, left);
      else upgrading.delete(remote);
    };
    load().then(
      (side) => {
        settled();
        if (runtime.closing()) socket.destroy();
        else upgrade(side);
      },
      (error: unknown) => {
        settled();
        logger.error({ err: String(error) }, "cannot load the WebSocket server");
        socket.destroy();
      },
    );
  }

  return {
    onUpgrade,
    layer: () => loaded?.layer,
    limits: preauth.limits,
    close: () => loaded?.wss.close(),
  };
}
