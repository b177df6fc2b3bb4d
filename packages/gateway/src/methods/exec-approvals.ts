import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { ApprovalEntry, ExecApprovalQueue } from "@openclaw/core/approvals";
import type { GatewayMethodContext, GatewayMethods } from "./context.js";
import { methodError } from "./node-registry.js";
import { invokeNode, resolveNode } from "./nodes.js";

// exec.approvals.* (the execution host's exec-approvals.json: the gateway's own, or a node's
// through system.execApprovals.get|set) and exec.approval.* (the pending approval queue shared
// with the assistant's exec tool and chat `/approve`).

async function queueOf(ctx: GatewayMethodContext): Promise<ExecApprovalQueue> {
  const { approvalQueueFor } = await import("@openclaw/core/approvals");
  return approvalQueueFor(ctx.stateDir);
}

async function execHost() {
  return import("@openclaw/exec-approvals");
}

export function gatewayApprovalsPath(stateDir: string): string {
  return join(stateDir, "exec-approvals.json");
}

type Snapshot = {
  path: string;
  exists: boolean;
  hash: string;
  file: { version: 1 } & Record<string, unknown>;
  invalid?: string;
};

/** Run system.execApprovals.get|set on a node and return its snapshot. */
async function nodeSnapshot(
  ctx: GatewayMethodContext,
  nodeId: string,
  command: string,
  params: unknown,
): Promise<Snapshot> {
  const node = await resolveNode(ctx, nodeId);
  const outcome = await invokeNode(ctx, {
    nodeId: node.nodeId,
    command,
    params,
    timeoutMs: 15_000,
    idempotencyKey: randomUUID(),
  });
  if (!outcome.ok)
    throw methodError(
      outcome.error?.code === "CONFLICT" ? "INVALID_REQUEST" : "UNAVAILABLE",
      `${command} failed on node ${node.nodeId}: ${outcome.error?.message ?? "unknown error"}`,
      outcome.error?.code ?? "NODE_ERROR",
    );
  const snapshot = outcome.payload as Snapshot | undefined;
  if (!snapshot || typeof snapshot.hash !== "string" || typeof snapshot.file !== "object")
    throw methodError(
      "UNAVAILABLE",
      `node ${node.nodeId} answered ${command} with a malformed snapshot`,
      "INVALID_RESULT",
    );
  return snapshot;
}

function entryView(entry: ApprovalEntry) {
  const { consumed: _consumed, ...rest } = entry;
  return { ...rest, request: { ...entry.request } };
}

export const execApprovalsMethods = {
  "exec.approvals.get": async (_params, ctx) => {
    const { readApprovalsFile } = await execHost();
    return readApprovalsFile(gatewayApprovalsPath(ctx.stateDir));
  },

  "exec.approvals.set": async (params, ctx) => {
    const { readApprovalsFile, writeApprovalsFile } = await execHost();
    const path = gatewayApprovalsPath(ctx.stateDir);
    if (params.baseHash && params.baseHash !== readApprovalsFile(path).hash)
      throw methodError(
        "INVALID_REQUEST",
        "exec approvals changed since they were read (baseHash mismatch); read them again",
        "CONFLICT",
      );
    try {
      return writeApprovalsFile(path, params.file as never);
    } catch (error) {
      throw methodError("INVALID_REQUEST", (error as Error).message, "INVALID_PARAMS");
    }
  },

  "exec.approvals.node.get": async (params, ctx) =>
    nodeSnapshot(ctx, params.nodeId, "system.execApprovals.get", {}),

  "exec.approvals.node.set": async (params, ctx) =>
    nodeSnapshot(ctx, params.nodeId, "system.execApprovals.set", {
      file: params.file,
      ...(params.baseHash ? { baseHash: params.baseHash } : {}),
    }),

  "exec.approval.request": async (params, ctx) => {
    const queue = await queueOf(ctx);
    const { id, timeoutMs, twoPhase, ...request } = params;
    // a node asks for itself: its node id is the connection's device id, whatever it claims
    const asked =
      ctx.caller.role === "node"
        ? { ...request, host: "node", nodeId: ctx.caller.deviceId ?? null }
        : request;
    const entry = queue.request(asked, timeoutMs, id);
    ctx.broadcast("exec.approval.requested", entryView(entry));
    ctx.logger.info(
      { id: entry.id, command: entry.request.command.slice(0, 200), nodeId: entry.request.nodeId },
      "exec approval requested",
    );
    const base = { id: entry.id, createdAtMs: entry.createdAtMs, expiresAtMs: entry.expiresAtMs };
    if (twoPhase) return { ...base, status: "accepted" as const, decision: null };
    const decision = await queue.wait(entry.id);
    if (decision === "allow-once") queue.take(entry.id); // handed to the host that asked: used
    return { ...base, status: decision ? ("resolved" as const) : ("expired" as const), decision };
  },

  "exec.approval.waitDecision": async (params, ctx) => {
    const queue = await queueOf(ctx);
    const entry = queue.get(params.id);
    if (!entry)
      throw methodError("INVALID_REQUEST", `unknown approval id: ${params.id}`, "APPROVAL_NOT_FOUND");
    if (ctx.caller.role === "node" && entry.request.nodeId && entry.request.nodeId !== ctx.caller.deviceId)
      throw methodError("FORBIDDEN", `approval ${params.id} belongs to another node`, "APPROVAL_NOT_FOUND");
    await queue.wait(params.id, params.timeoutMs);
    // a grant for another argv/cwd/env is neither handed out nor used up
    if (params.bindingHash && entry.request.bindingHash && params.bindingHash !== entry.request.bindingHash)
      return { id: params.id, decision: null, bindingHash: entry.request.bindingHash };
    // the grant goes to the host once (an allow-once replayed gets nothing)
    const granted = queue.take(params.id);
    return {
      id: params.id,
      decision: granted?.decision ?? null,
      bindingHash: granted?.request.bindingHash ?? null,
    };
  },

  "exec.approval.resolve": async (params, ctx) => {
    const queue = await queueOf(ctx);
    let entry: ApprovalEntry;
    try {
      entry = queue.resolve(params.id, params.decision, ctx.caller.deviceId ?? `conn:${ctx.caller.connId}`);
    } catch (error) {
      throw methodError(
        "INVALID_REQUEST",
        (error as Error).message,
        (error as { code?: string }).code === "NOT_FOUND" ? "APPROVAL_NOT_FOUND" : "APPROVAL_CLOSED",
      );
    }
    ctx.broadcast("exec.approval.resolved", {
      id: entry.id,
      decision: params.decision,
      resolvedBy: entry.resolvedBy,
      ts: Date.now(),
    });
    ctx.logger.info(
      { id: entry.id, decision: params.decision, by: entry.resolvedBy },
      "exec approval resolved",
    );
    return { ok: true as const };
  },

  "exec.approval.get": async (params, ctx) => {
    const entry = (await queueOf(ctx)).get(params.id);
    if (!entry)
      throw methodError("INVALID_REQUEST", `unknown approval id: ${params.id}`, "APPROVAL_NOT_FOUND");
    return entryView(entry);
  },

  "exec.approval.list": async (_params, ctx) => ({
    approvals: (await queueOf(ctx)).pending().map(entryView),
  }),
} satisfies GatewayMethods;
