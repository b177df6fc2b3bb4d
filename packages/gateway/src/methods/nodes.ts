import { BlockList, isIPv4 } from "node:net";
import type { NodePairingStore, PairedNode, PendingNodeRequest } from "@openclaw/core/nodes";
import type { MethodResult } from "@openclaw/protocol";
import { getPath } from "../config-path.js";
import type { Connection } from "../gateway.js";
import { GatewayMethodError } from "../types.js";
import type { GatewayMethodContext, GatewayMethods } from "./context.js";
import {
  commandPolicy,
  DEFAULT_INVOKE_TIMEOUT_MS,
  MAX_INVOKE_TIMEOUT_MS,
  methodError,
  nodeRegistry,
} from "./node-registry.js";

type NodeSummary = MethodResult<"node.list">["nodes"][number];

async function pairingStore(ctx: GatewayMethodContext): Promise<NodePairingStore> {
  const { NodePairingStore } = await import("@openclaw/core/nodes");
  return new NodePairingStore(ctx.stateDir);
}

/** `gateway.nodes.pairing.autoApproveCidrs`: node pairing requests from these ranges approve themselves. */
function autoApproved(config: Record<string, unknown>, address: string): boolean {
  const cidrs = (getPath(config, "gateway.nodes.pairing.autoApproveCidrs") as string[] | undefined) ?? [];
  if (!cidrs.length) return false;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net, bits] = cidr.split("/");
    if (!net) continue;
    const type = isIPv4(net) ? "ipv4" : "ipv6";
    try {
      list.addSubnet(net, Number(bits ?? (type === "ipv4" ? 32 : 128)), type);
    } catch {
      // an invalid entry approves nothing
    }
  }
  return list.check(address, isIPv4(address) ? "ipv4" : "ipv6");
}

function summary(
  ctx: GatewayMethodContext,
  nodeId: string,
  paired: PairedNode | undefined,
  conn: Connection | undefined,
  pending: PendingNodeRequest | undefined,
): NodeSummary {
  const registry = nodeRegistry(ctx.gateway);
  const live = conn ? { ...conn.declared, ...registry.metadata.get(conn.id) } : undefined;
  const meta = {
    ...pending,
    ...paired,
    ...live,
    ...(paired?.renamed ? { displayName: paired.displayName } : {}),
  };
  const declared = meta.commands ?? [];
  const config = ctx.config();
  const commands = declared.filter((command) => commandPolicy(config, command).allowed);
  return {
    nodeId,
    ...(meta.displayName ? { displayName: meta.displayName } : {}),
    ...(meta.platform ? { platform: meta.platform } : {}),
    ...(meta.version ? { version: meta.version } : {}),
    caps: meta.caps ?? [],
    commands,
    deniedCommands: declared.filter((command) => !commands.includes(command)),
    ...(meta.permissions ? { permissions: meta.permissions } : {}),
    ...(conn ? { remoteIp: conn.address } : meta.remoteIp ? { remoteIp: meta.remoteIp } : {}),
    paired: paired !== undefined,
    connected: conn !== undefined,
    ...(conn ? { connectedAtMs: conn.connectedAt } : {}),
    ...(pending ? { pairingRequestId: pending.requestId } : {}),
  };
}

async function allNodes(ctx: GatewayMethodContext): Promise<NodeSummary[]> {
  const store = await pairingStore(ctx);
  const [paired, pending] = await Promise.all([store.paired(), store.pending()]);
  const connected = nodeRegistry(ctx.gateway).connected();
  const ids = new Set([...Object.keys(paired), ...connected.keys()]);
  return [...ids].sort().map((nodeId) =>
    summary(
      ctx,
      nodeId,
      paired[nodeId],
      connected.get(nodeId),
      pending.find((request) => request.nodeId === nodeId),
    ),
  );
}

/** A node by id, id prefix (6+ characters), display name or address; INVALID_REQUEST when unknown or ambiguous. */
export async function resolveNode(ctx: GatewayMethodContext, idOrName: string): Promise<NodeSummary> {
  const nodes = await allNodes(ctx);
  const wanted = idOrName.trim().toLowerCase();
  const exact = nodes.find((node) => node.nodeId === wanted);
  if (exact) return exact;
  const matches = nodes.filter(
    (node) =>
      node.displayName?.toLowerCase() === wanted ||
      node.remoteIp === wanted ||
      (wanted.length >= 6 && node.nodeId.startsWith(wanted)),
  );
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1)
    throw methodError(
      "INVALID_REQUEST",
      `node "${idOrName}" is ambiguous (${matches.map((node) => node.nodeId.slice(0, 12)).join(", ")}); use the node id`,
      "NODE_AMBIGUOUS",
    );
  throw methodError(
    "INVALID_REQUEST",
    `unknown node: ${idOrName} (see openclaw nodes list)`,
    "NODE_NOT_FOUND",
    { nodeId: idOrName },
  );
}

/** Invoke a command on a node: known, paired, online, command allowed by the gateway and declared by the node. */
export async function invokeNode(
  ctx: GatewayMethodContext,
  params: { nodeId: string; command: string; params?: unknown; timeoutMs?: number; idempotencyKey: string },
) {
  const node = await resolveNode(ctx, params.nodeId);
  if (!node.paired)
    throw methodError(
      "NOT_PAIRED",
      `node ${node.nodeId} is not paired${node.pairingRequestId ? `: approve it with \`openclaw nodes approve ${node.pairingRequestId}\`` : ""}`,
      "NODE_NOT_PAIRED",
      { nodeId: node.nodeId },
    );
  const conn = nodeRegistry(ctx.gateway).connected().get(node.nodeId);
  if (!conn)
    throw methodError("UNAVAILABLE", `node ${node.displayName ?? node.nodeId} is offline`, "NODE_OFFLINE", {
      nodeId: node.nodeId,
    });
  const policy = commandPolicy(ctx.config(), params.command);
  if (!policy.allowed)
    throw methodError(
      "FORBIDDEN",
      `node command refused by the gateway: ${policy.reason}`,
      "NODE_COMMAND_DENIED",
      { command: params.command },
    );
  if (!node.commands?.includes(params.command))
    throw methodError(
      "INVALID_REQUEST",
      `node ${node.displayName ?? node.nodeId} does not serve ${params.command} (it declares: ${node.commands?.join(", ") || "nothing"})`,
      "NODE_COMMAND_UNKNOWN",
      { command: params.command },
    );
  const timeoutMs = Math.min(params.timeoutMs || DEFAULT_INVOKE_TIMEOUT_MS, MAX_INVOKE_TIMEOUT_MS);
  ctx.logger.debug({ nodeId: node.nodeId, command: params.command }, "node.invoke");
  return nodeRegistry(ctx.gateway).invoke(
    conn,
    node.nodeId,
    params.command,
    params.params,
    timeoutMs,
    params.idempotencyKey,
  );
}

function requireDevice(ctx: GatewayMethodContext): string {
  if (!ctx.caller.deviceId)
    throw methodError(
      "INVALID_REQUEST",
      "a node needs a device identity (connect with a device key)",
      "DEVICE_IDENTITY_REQUIRED",
    );
  return ctx.caller.deviceId;
}

/** node.*: pairing, listing, invoking. */
export const nodesMethods = {
  "node.pair.request": async (params, ctx) => {
    const nodeId = requireDevice(ctx);
    if (params.nodeId !== nodeId)
      throw methodError("FORBIDDEN", "nodeId must be this connection's device id", "NODE_ID_MISMATCH");
    const { nodeId: _id, silent, ...metadata } = params;
    const conn = ctx.gateway.connections.get(ctx.caller.connId);
    const remoteIp = conn?.address;
    nodeRegistry(ctx.gateway).metadata.set(ctx.caller.connId, {
      ...metadata,
      ...(remoteIp ? { remoteIp } : {}),
    });
    if (conn) nodeRegistry(ctx.gateway).watch(conn);
    const store = await pairingStore(ctx);
    const outcome = await store.request(nodeId, {
      ...metadata,
      ...(remoteIp ? { remoteIp } : {}),
      ...(silent ? { silent } : {}),
    });
    if (outcome.status === "paired") return { status: "paired" as const, node: outcome.node };
    if (remoteIp && autoApproved(ctx.config(), remoteIp)) {
      const approved = await store.approve(outcome.request.requestId);
      if (approved) {
        ctx.logger.info(
          { nodeId, remoteIp },
          "node pairing auto-approved (gateway.nodes.pairing.autoApproveCidrs)",
        );
        ctx.broadcast("node.pair.resolved", {
          requestId: outcome.request.requestId,
          nodeId,
          decision: "approved",
          ts: Date.now(),
        });
        return { status: "paired" as const, node: approved.node };
      }
    }
    if (outcome.created) {
      ctx.broadcast("node.pair.requested", outcome.request);
      ctx.logger.info({ nodeId, requestId: outcome.request.requestId, remoteIp }, "node pairing requested");
    }
    return { status: "pending" as const, request: outcome.request, created: outcome.created };
  },

  "node.pair.list": async (_params, ctx) => {
    const store = await pairingStore(ctx);
    const [pending, paired] = await Promise.all([store.pending(), store.paired()]);
    return { pending, paired: Object.values(paired) };
  },

  "node.pair.approve": async (params, ctx) => {
    const approved = await (await pairingStore(ctx)).approve(params.requestId);
    if (!approved)
      throw methodError(
        "INVALID_REQUEST",
        `unknown node pairing request: ${params.requestId} (see openclaw nodes pending)`,
        "INVALID_PARAMS",
      );
    ctx.broadcast("node.pair.resolved", {
      requestId: params.requestId,
      nodeId: approved.node.nodeId,
      decision: "approved",
      ts: Date.now(),
    });
    ctx.logger.info({ nodeId: approved.node.nodeId }, "node paired");
    return { requestId: params.requestId, node: approved.node };
  },

  "node.pair.reject": async (params, ctx) => {
    const request = await (await pairingStore(ctx)).reject(params.requestId);
    if (!request)
      throw methodError(
        "INVALID_REQUEST",
        `unknown node pairing request: ${params.requestId} (see openclaw nodes pending)`,
        "INVALID_PARAMS",
      );
    ctx.broadcast("node.pair.resolved", {
      requestId: params.requestId,
      nodeId: request.nodeId,
      decision: "rejected",
      ts: Date.now(),
    });
    return { requestId: params.requestId, nodeId: request.nodeId };
  },

  "node.pair.remove": async (params, ctx) => {
    const node = await resolveNode(ctx, params.nodeId);
    return { nodeId: node.nodeId, removed: await (await pairingStore(ctx)).remove(node.nodeId) };
  },

  "node.pair.verify": async (params, ctx) => {
    const nodeId = requireDevice(ctx);
    const node = params.nodeId === nodeId ? await (await pairingStore(ctx)).get(nodeId) : undefined;
    return node ? { ok: true, node } : { ok: false };
  },

  "node.list": async (_params, ctx) => ({ ts: Date.now(), nodes: await allNodes(ctx) }),

  "node.describe": async (params, ctx) => resolveNode(ctx, params.nodeId),

  "node.rename": async (params, ctx) => {
    const node = await resolveNode(ctx, params.nodeId);
    const renamed = await (await pairingStore(ctx)).rename(node.nodeId, params.displayName);
    if (!renamed)
      throw methodError(
        "INVALID_REQUEST",
        `node ${node.nodeId} is not paired (approve it first)`,
        "NODE_NOT_PAIRED",
      );
    return { nodeId: node.nodeId, displayName: params.displayName };
  },

  "node.invoke": async (params, ctx) => invokeNode(ctx, params),

  "node.invoke.result": async (params, ctx) => {
    const accepted = nodeRegistry(ctx.gateway).settle(ctx.caller, params);
    if (!accepted) {
      ctx.logger.warn(
        { connId: ctx.caller.connId, id: params.id },
        "refused a node.invoke.result that matches no request of this node",
      );
      throw methodError(
        "INVALID_REQUEST",
        `no pending invoke ${params.id} for this node (unknown, answered, timed out or another node's)`,
        "NODE_INVOKE_UNKNOWN",
      );
    }
    return { ok: true };
  },

  "node.event": async (params, ctx) => {
    if (!nodeRegistry(ctx.gateway).takeEventToken(ctx.caller.connId))
      throw new GatewayMethodError({
        code: "UNAVAILABLE",
        message: "node.event rate limit exceeded (20 events/s, bursts of 100): event dropped",
        details: { code: "RATE_LIMITED" },
        retryable: true,
        retryAfterMs: 1000,
      });
    ctx.logger.debug({ nodeId: ctx.caller.deviceId, event: params.event }, "node event");
    return { ok: true };
  },

  // invocations queued for offline nodes: not kept (an invoke to an offline node fails at once)
  "node.pending.pull": async () => ({ items: [] }),
  "node.pending.ack": async () => ({ ok: true as const, acked: 0 }),
} satisfies GatewayMethods;
