import { randomUUID } from "node:crypto";
import type { NodeMetadata } from "@openclaw/core/nodes";
import type { ErrorShape } from "@openclaw/protocol";
import { DEFAULT_TICK_INTERVAL_MS } from "@openclaw/protocol/base";
import { getPath } from "../config-path.js";
import type { Connection, GatewayRuntime } from "../gateway.js";
import { GatewayMethodError } from "../types.js";

// The gateway's live view of its nodes: which connection serves which node, the invokes waiting
// for a `node.invoke.result`, and the server-side command policy. Pairing records live in core's
// NodePairingStore; this module holds only what dies with the process.

/** Commands a node may serve without `gateway.nodes.allowCommands` (OpenClaw's names). */
export const DEFAULT_NODE_COMMANDS: readonly string[] = [
  "system.run",
  "system.which",
  "system.notify",
  "system.execApprovals.get",
  "system.execApprovals.set",
  "canvas.present",
  "canvas.hide",
  "canvas.navigate",
  "canvas.eval",
  "canvas.snapshot",
  "canvas.a2ui.push",
  "canvas.a2ui.pushJSONL",
  "canvas.a2ui.reset",
  "camera.list",
  "camera.snap",
  "camera.clip",
  "screen.record",
  "location.get",
];

export const DEFAULT_INVOKE_TIMEOUT_MS = 30_000;
export const MAX_INVOKE_TIMEOUT_MS = 30 * 60_000;
/** node.event budget per node connection: a burst of this many, refilled at EVENT_RATE per second. */
const EVENT_BURST = 100;
const EVENT_RATE = 20;

export function methodError(
  code: ErrorShape["code"],
  message: string,
  detailCode: string,
  extra: Record<string, unknown> = {},
): GatewayMethodError {
  return new GatewayMethodError({ code, message, details: { code: detailCode, ...extra } });
}

/** May the gateway invoke `command` on a node (whatever the node declares)? */
export function commandPolicy(
  config: Record<string, unknown>,
  command: string,
): { allowed: true } | { allowed: false; reason: string } {
  const deny = (getPath(config, "gateway.nodes.denyCommands") as string[] | undefined) ?? [];
  if (deny.includes(command))
    return { allowed: false, reason: `${command} is in gateway.nodes.denyCommands` };
  const allow = (getPath(config, "gateway.nodes.allowCommands") as string[] | undefined) ?? [];
  if (DEFAULT_NODE_COMMANDS.includes(command) || allow.includes(command)) return { allowed: true };
  return {
    allowed: false,
    reason: `${command} is not a default node command; add it to gateway.nodes.allowCommands to allow it`,
  };
}

interface PendingInvoke {
  id: string;
  nodeId: string;
  connId: string;
  command: string;
  resolve(result: InvokeOutcome): void;
  reject(error: GatewayMethodError): void;
}

export type InvokeOutcome = {
  ok: boolean;
  nodeId: string;
  command: string;
  payload?: unknown;
  payloadJSON?: string | null;
  error?: { code?: string; message?: string };
};

export interface NodeRegistry {
  /** Open node connections by node id (the device id of the connection). */
  connected(): Map<string, Connection>;
  /** What each node said about itself in `node.pair.request` (by connection id). */
  metadata: Map<string, NodeMetadata>;
  invoke(
    conn: Connection,
    nodeId: string,
    command: string,
    params: unknown,
    timeoutMs: number,
    idempotencyKey: string,
  ): Promise<InvokeOutcome>;
  /** A node answered: settles the invoke it belongs to (only the node and connection it was sent to). */
  settle(
    caller: { connId: string; deviceId?: string },
    result: { id: string; nodeId: string } & Omit<InvokeOutcome, "nodeId" | "command">,
  ): boolean;
  /** Follow a node connection (heartbeat; failing its invokes when it closes). */
  watch(conn: Connection): void;
  /** Take one node.event token for this connection; false when it is flooding. */
  takeEventToken(connId: string): boolean;
}

const registries = new WeakMap<GatewayRuntime, NodeRegistry>();

export function nodeRegistry(runtime: GatewayRuntime): NodeRegistry {
  let registry = registries.get(runtime);
  if (!registry) {
    registry = createRegistry(runtime);
    registries.set(runtime, registry);
  }
  return registry;
}

function createRegistry(runtime: GatewayRuntime): NodeRegistry {
  const pending = new Map<string, PendingInvoke>();
  const idempotent = new Map<string, { at: number; result: Promise<InvokeOutcome> }>();
  const buckets = new Map<string, { tokens: number; at: number }>();
  const watched = new WeakSet<Connection>();

  /**
   * Follow a node's socket: a ping every half tick interval, and a node that did not answer the
   * previous one is cut off (a half-open connection shows offline within the tick interval);
   * when the socket closes every invoke waiting on it fails now, not at its timeout.
   */
  function watch(conn: Connection): void {
    if (watched.has(conn)) return;
    watched.add(conn);
    let answered = true;
    conn.ws.on("pong", () => {
      answered = true;
    });
    const heartbeat = setInterval(
      () => {
        if (!answered) {
          runtime.logger.info(
            { connId: conn.id, nodeId: conn.deviceId },
            "node missed a heartbeat: closing its connection",
          );
          conn.ws.terminate();
          return;
        }
        answered = false;
        try {
          conn.ws.ping();
        } catch {
          // closing already
        }
      },
      Math.max(50, (runtime.options.tickIntervalMs ?? DEFAULT_TICK_INTERVAL_MS) / 2),
    );
    heartbeat.unref();
    conn.ws.once("close", () => {
      clearInterval(heartbeat);
      buckets.delete(conn.id);
      for (const invoke of pending.values()) {
        if (invoke.connId !== conn.id) continue;
        pending.delete(invoke.id);
        invoke.reject(
          methodError(
            "UNAVAILABLE",
            `node ${invoke.nodeId} disconnected before answering ${invoke.command} (the command's outcome is unknown)`,
            "NODE_DISCONNECTED",
            { nodeId: invoke.nodeId, command: invoke.command },
          ),
        );
      }
    });
  }

  function send(conn: Connection, payload: Record<string, unknown>): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    conn.seq += 1;
    conn.ws.send(JSON.stringify({ type: "event", event: "node.invoke.request", payload, seq: conn.seq }));
  }

  function runInvoke(
    conn: Connection,
    nodeId: string,
    command: string,
    params: unknown,
    timeoutMs: number,
    idempotencyKey: string,
  ): Promise<InvokeOutcome> {
    const id = randomUUID();
    watch(conn);
    return new Promise<InvokeOutcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(
          methodError(
            "UNAVAILABLE",
            `node.invoke timed out after ${timeoutMs} ms waiting for node ${nodeId} (${command})`,
            "NODE_INVOKE_TIMEOUT",
            {
              nodeId,
              command,
              timeoutMs,
            },
          ),
        );
      }, timeoutMs);
      pending.set(id, {
        id,
        nodeId,
        connId: conn.id,
        command,
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      send(conn, {
        id,
        nodeId,
        command,
        paramsJSON: params === undefined ? null : JSON.stringify(params),
        timeoutMs,
        idempotencyKey,
      });
    });
  }

  return {
    watch,
    metadata: new Map(),
    connected() {
      const nodes = new Map<string, Connection>();
      for (const conn of runtime.connections.values())
        if (conn.state === "open" && conn.role === "node" && conn.deviceId) nodes.set(conn.deviceId, conn);
      return nodes;
    },
    invoke(conn, nodeId, command, params, timeoutMs, idempotencyKey) {
      // a retried invoke (same node, same key) runs once: the retry gets the first one's outcome
      const key = `${nodeId}\u0000${idempotencyKey}`;
      const cutoff = Date.now() - 5 * 60_000;
      for (const [k, entry] of idempotent)
        if (entry.at < cutoff || idempotent.size > 5000) idempotent.delete(k);
      const cached = idempotent.get(key);
      if (cached) return cached.result;
      const result = runInvoke(conn, nodeId, command, params, timeoutMs, idempotencyKey);
      idempotent.set(key, { at: Date.now(), result });
      result.catch(() => idempotent.delete(key));
      return result;
    },
    settle(caller, result) {
      const invoke = pending.get(result.id);
      // a result for another node's request, from another connection, or replayed: refused
      if (
        !invoke ||
        invoke.connId !== caller.connId ||
        invoke.nodeId !== caller.deviceId ||
        result.nodeId !== invoke.nodeId
      )
        return false;
      pending.delete(invoke.id);
      const outcome: InvokeOutcome = { ok: result.ok, nodeId: invoke.nodeId, command: invoke.command };
      if (result.payloadJSON !== undefined && result.payloadJSON !== null) {
        try {
          outcome.payload = JSON.parse(result.payloadJSON);
        } catch {
          invoke.resolve({
            ok: false,
            nodeId: invoke.nodeId,
            command: invoke.command,
            error: {
              code: "INVALID_RESULT",
              message: `node ${invoke.nodeId} sent a malformed result for ${invoke.command} (payloadJSON is not JSON)`,
            },
          });
          return true;
        }
      } else if (result.payload !== undefined) outcome.payload = result.payload;
      if (!result.ok)
        outcome.error = result.error ?? {
          code: "NODE_ERROR",
          message: `node ${invoke.nodeId} failed ${invoke.command}`,
        };
      invoke.resolve(outcome);
      return true;
    },
    takeEventToken(connId) {
      const now = Date.now();
      const bucket = buckets.get(connId) ?? { tokens: EVENT_BURST, at: now };
      bucket.tokens = Math.min(EVENT_BURST, bucket.tokens + ((now - bucket.at) / 1000) * EVENT_RATE);
      bucket.at = now;
      buckets.set(connId, bucket);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
  };
}
