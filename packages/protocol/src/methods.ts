import type { z } from "zod";
import type { ErrorShape } from "./errors.js";
import { formatPath, formatZodIssues } from "./parse-frame.js";
import * as agents from "./schemas/agents.js";
import * as chat from "./schemas/chat.js";
import * as config from "./schemas/config.js";
import * as cron from "./schemas/cron.js";
import * as devices from "./schemas/devices.js";
import * as exec from "./schemas/exec-approvals.js";
import * as memory from "./schemas/memory.js";
import * as nodes from "./schemas/nodes.js";
import * as dmPairing from "./schemas/pairing.js";
import * as sessions from "./schemas/sessions.js";
import * as skills from "./schemas/skills.js";
import * as system from "./schemas/system.js";
import * as webLogin from "./schemas/web-login.js";
import { type RequiredScope, scopeAllows } from "./scopes.js";

/** One row of the method registry: what the server validates, what the client gets back, who may call. */
export interface MethodSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  /** Validates `req.params` (absent params are validated as `{}`). */
  params: P;
  /** Describes `res.payload` on success. Open objects: a newer server may add fields. */
  result: R;
  /** Scope the caller needs (see {@link scopeAllows}); `node` = only a `role: "node"` connection. */
  scope: RequiredScope;
  /** Changes state. Side-effecting calls that carry an `idempotencyKey` are deduplicated by it. */
  sideEffect: boolean;
  /** One line for docs/protocol.md. */
  description: string;
}

function method<P extends z.ZodType, R extends z.ZodType>(spec: MethodSpec<P, R>): MethodSpec<P, R> {
  return spec;
}

const read = { scope: "operator.read", sideEffect: false } as const;
const write = { scope: "operator.write", sideEffect: true } as const;
const admin = { scope: "operator.admin", sideEffect: true } as const;
const pairing = { scope: "operator.pairing", sideEffect: true } as const;
const approvals = { scope: "operator.approvals", sideEffect: true } as const;
const node = { scope: "node", sideEffect: true } as const;

/**
 * Every method the gateway implements: the single table the server dispatches on, the client
 * types `request()` with, and docs/protocol.md is generated from.
 */
export const METHODS = {
  // system
  health: method({
    ...read,
    params: system.HealthParamsSchema,
    result: system.HealthSummarySchema,
    description: "Health summary (channels, agents, sessions); `probe` re-checks channels.",
  }),
  status: method({
    ...read,
    params: system.StatusParamsSchema,
    result: system.StatusSummarySchema,
    description: "Status summary (heartbeat, sessions, queued system events).",
  }),
  "usage.status": method({
    ...read,
    params: system.UsageStatusParamsSchema,
    result: system.UsageStatusResultSchema,
    description: "Provider usage windows (quota) for the configured providers.",
  }),
  "logs.tail": method({
    ...read,
    params: system.LogsTailParamsSchema,
    result: system.LogsTailResultSchema,
    description: "Read the gateway log from a cursor (limit ≤ 5000 lines, maxBytes ≤ 1 MB).",
  }),
  "system-presence": method({
    ...read,
    params: system.SystemPresenceParamsSchema,
    result: system.SystemPresenceResultSchema,
    description: "Presence entries of the gateway and connected clients.",
  }),
  "system-event": method({
    ...admin,
    params: system.SystemEventParamsSchema,
    result: system.WakeResultSchema,
    description: "Enqueue a system event (and update the sender's presence).",
  }),
  "last-heartbeat": method({
    ...read,
    params: system.LastHeartbeatParamsSchema,
    result: system.LastHeartbeatResultSchema,
    description: "The last heartbeat event, or null.",
  }),
  "set-heartbeats": method({
    ...admin,
    params: system.SetHeartbeatsParamsSchema,
    result: system.SetHeartbeatsResultSchema,
    description: "Enable or disable heartbeat runs.",
  }),
  wake: method({
    ...write,
    params: system.WakeParamsSchema,
    result: system.WakeResultSchema,
    description: "Enqueue a system event and run a heartbeat now or at the next one.",
  }),
  "models.list": method({
    ...read,
    params: system.ModelsListParamsSchema,
    result: system.ModelsListResultSchema,
    description: "Models the agents can use.",
  }),
  "channels.status": method({
    ...read,
    params: system.ChannelsStatusParamsSchema,
    result: system.ChannelsStatusResultSchema,
    description: "Channel accounts and their connection state; `probe` checks them live.",
  }),
  "channels.logout": method({
    ...admin,
    params: system.ChannelsLogoutParamsSchema,
    result: system.ChannelsLogoutResultSchema,
    description: "Log a channel account out and clear its credentials.",
  }),
  "web.login.start": method({
    ...admin,
    params: webLogin.WebLoginStartParamsSchema,
    result: webLogin.WebLoginStartResultSchema,
    description: "Start a QR login of a device-linking channel (WhatsApp): the QR as a data URL.",
  }),
  "web.login.wait": method({
    ...admin,
    params: webLogin.WebLoginWaitParamsSchema,
    result: webLogin.WebLoginWaitResultSchema,
    description: "Wait until the QR of `web.login.start` was scanned and the account is linked.",
  }),
  "channels.pairing.list": method({
    scope: "operator.pairing",
    sideEffect: false,
    params: dmPairing.ChannelsPairingListParamsSchema,
    result: dmPairing.ChannelsPairingListResultSchema,
    description: "Pending DM pairing requests of channel senders (codes to approve).",
  }),
  "channels.pairing.approve": method({
    scope: "operator.pairing",
    sideEffect: true,
    params: dmPairing.ChannelsPairingApproveParamsSchema,
    result: dmPairing.ChannelsPairingApproveResultSchema,
    description: "Approve a channel sender's pairing code: the sender joins the channel's allowFrom.",
  }),
  "channels.pairing.dismiss": method({
    scope: "operator.pairing",
    sideEffect: true,
    params: dmPairing.ChannelsPairingDismissParamsSchema,
    result: dmPairing.ChannelsPairingDismissResultSchema,
    description: "Drop a channel sender's pairing request without approving it.",
  }),

  // config
  "config.get": method({
    ...read,
    params: config.ConfigGetParamsSchema,
    result: config.ConfigGetResultSchema,
    description: "Config file snapshot (secrets redacted) with its `hash`.",
  }),
  "config.set": method({
    ...admin,
    params: config.ConfigSetParamsSchema,
    result: config.ConfigWriteResultSchema,
    description: "Replace the config file with `raw` (JSON5); `baseHash` guards concurrent edits.",
  }),
  "config.patch": method({
    ...admin,
    params: config.ConfigPatchParamsSchema,
    result: config.ConfigWriteResultSchema,
    description: "Apply a JSON merge patch to the config (needs `baseHash`), then restart if needed.",
  }),
  "config.apply": method({
    ...admin,
    params: config.ConfigApplyParamsSchema,
    result: config.ConfigWriteResultSchema,
    description: "Validate, replace and restart (default delay 2000 ms).",
  }),
  "config.schema": method({
    ...read,
    params: config.ConfigSchemaParamsSchema,
    result: config.ConfigSchemaResultSchema,
    description: "JSON Schema of the config with UI hints.",
  }),

  // sessions
  "sessions.list": method({
    ...read,
    params: sessions.SessionsListParamsSchema,
    result: sessions.SessionsListResultSchema,
    description: "Sessions with their metadata and token counts.",
  }),
  "sessions.preview": method({
    ...read,
    params: sessions.SessionsPreviewParamsSchema,
    result: sessions.SessionsPreviewResultSchema,
    description: "Last messages of up to 64 sessions.",
  }),
  "sessions.messages.subscribe": method({
    ...read,
    params: sessions.SessionsMessagesSubscribeParamsSchema,
    result: sessions.SessionsMessagesSubscribeResultSchema,
    description: "Receive this session's new transcript messages as `chat` events on this connection.",
  }),
  "sessions.messages.unsubscribe": method({
    ...read,
    params: sessions.SessionsMessagesSubscribeParamsSchema,
    result: sessions.SessionsMessagesSubscribeResultSchema,
    description: "Stop `sessions.messages.subscribe`.",
  }),
  "sessions.patch": method({
    ...admin,
    params: sessions.SessionsPatchParamsSchema,
    result: sessions.SessionsPatchResultSchema,
    description: "Change per-session settings (null clears).",
  }),
  "sessions.reset": method({
    ...admin,
    params: sessions.SessionsResetParamsSchema,
    result: sessions.SessionsResetResultSchema,
    description: "Start a fresh session id for a key.",
  }),
  "sessions.delete": method({
    ...admin,
    params: sessions.SessionsDeleteParamsSchema,
    result: sessions.SessionsDeleteResultSchema,
    description: "Delete a session entry (and archive its transcript).",
  }),
  "sessions.compact": method({
    ...admin,
    params: sessions.SessionsCompactParamsSchema,
    result: sessions.SessionsCompactResultSchema,
    description: "Compact a session transcript.",
  }),

  // chat / agent
  "chat.send": method({
    ...write,
    params: chat.ChatSendParamsSchema,
    result: chat.ChatSendResultSchema,
    description: "Send a message to a session; answers at once, streams `chat` events.",
  }),
  "chat.history": method({
    ...read,
    params: chat.ChatHistoryParamsSchema,
    result: chat.ChatHistoryResultSchema,
    description: "Transcript messages of a session (limit ≤ 1000).",
  }),
  "chat.abort": method({
    ...write,
    params: chat.ChatAbortParamsSchema,
    result: chat.ChatAbortResultSchema,
    description: "Abort the running turn(s) of a session.",
  }),
  "chat.inject": method({
    ...admin,
    params: chat.ChatInjectParamsSchema,
    result: chat.ChatInjectResultSchema,
    description: "Append an assistant note to a transcript without running the agent.",
  }),
  agent: method({
    ...write,
    params: chat.AgentParamsSchema,
    result: chat.AgentResultSchema,
    description:
      "Run an agent turn: ack `{ runId, status: accepted }`, `agent` events, then the final result.",
  }),
  "agents.list": method({
    ...read,
    params: agents.AgentsListParamsSchema,
    result: agents.AgentsListResultSchema,
    description: "The configured agents, the default one and the session scope.",
  }),
  "agent.identity.get": method({
    ...read,
    params: agents.AgentIdentityParamsSchema,
    result: agents.AgentIdentityResultSchema,
    description: "An agent's display identity (name, emoji, avatar).",
  }),
  "agent.wait": method({
    ...write,
    sideEffect: false,
    params: chat.AgentWaitParamsSchema,
    result: chat.AgentWaitResultSchema,
    description: "Wait for a run to end (default 30 s).",
  }),
  send: method({
    ...write,
    params: chat.SendParamsSchema,
    result: chat.SendResultSchema,
    description: "Send a message through a channel directly, without an agent run.",
  }),

  // devices
  "device.pair.list": method({
    ...pairing,
    sideEffect: false,
    params: devices.DevicePairListParamsSchema,
    result: devices.DevicePairListResultSchema,
    description: "Pending and paired devices.",
  }),
  "device.pair.approve": method({
    ...pairing,
    params: devices.DevicePairApproveParamsSchema,
    result: devices.DevicePairApproveResultSchema,
    description: "Approve a pending device pairing request.",
  }),
  "device.pair.reject": method({
    ...pairing,
    params: devices.DevicePairRejectParamsSchema,
    result: devices.DevicePairRejectResultSchema,
    description: "Reject a pending device pairing request.",
  }),
  "device.pair.remove": method({
    ...pairing,
    params: devices.DevicePairRemoveParamsSchema,
    result: devices.DevicePairRemoveResultSchema,
    description: "Forget a paired device and revoke its tokens.",
  }),
  "device.token.rotate": method({
    ...pairing,
    params: devices.DeviceTokenRotateParamsSchema,
    result: devices.DeviceTokenRotateResultSchema,
    description: "Issue a new device token for (device, role); the old one stops working.",
  }),
  "device.token.revoke": method({
    ...pairing,
    params: devices.DeviceTokenRevokeParamsSchema,
    result: devices.DeviceTokenRevokeResultSchema,
    description: "Revoke the device token of (device, role); live sockets using it are closed.",
  }),

  // nodes
  "node.pair.request": method({
    ...node,
    params: nodes.NodePairRequestParamsSchema,
    result: nodes.NodePairRequestResultSchema,
    description: "A node asks to be paired for its capabilities.",
  }),
  "node.pair.list": method({
    ...pairing,
    sideEffect: false,
    params: nodes.NodePairListParamsSchema,
    result: nodes.NodePairListResultSchema,
    description: "Pending and paired nodes.",
  }),
  "node.pair.approve": method({
    ...pairing,
    params: nodes.NodePairApproveParamsSchema,
    result: nodes.NodePairApproveResultSchema,
    description: "Approve a node pairing request.",
  }),
  "node.pair.reject": method({
    ...pairing,
    params: nodes.NodePairRejectParamsSchema,
    result: nodes.NodePairRejectResultSchema,
    description: "Reject a node pairing request.",
  }),
  "node.pair.remove": method({
    ...pairing,
    params: nodes.NodePairRemoveParamsSchema,
    result: nodes.NodePairRemoveResultSchema,
    description: "Forget a paired node.",
  }),
  "node.pair.verify": method({
    ...node,
    sideEffect: false,
    params: nodes.NodePairVerifyParamsSchema,
    result: nodes.NodePairVerifyResultSchema,
    description: "A node checks its pairing token.",
  }),
  "node.list": method({
    ...read,
    params: nodes.NodeListParamsSchema,
    result: nodes.NodeListResultSchema,
    description: "Known nodes and whether they are connected.",
  }),
  "node.describe": method({
    ...read,
    params: nodes.NodeDescribeParamsSchema,
    result: nodes.NodeDescribeResultSchema,
    description: "One node's capabilities, commands and permissions.",
  }),
  "node.rename": method({
    ...pairing,
    params: nodes.NodeRenameParamsSchema,
    result: nodes.NodeRenameResultSchema,
    description: "Set a node's display name.",
  }),
  "node.invoke": method({
    ...write,
    params: nodes.NodeInvokeParamsSchema,
    result: nodes.NodeInvokeResultSchema,
    description: "Run a command on a node (server-side allow/deny lists apply).",
  }),
  "node.invoke.result": method({
    ...node,
    params: nodes.NodeInvokeResultParamsSchema,
    result: nodes.NodeInvokeResultAckSchema,
    description: "A node answers a `node.invoke.request` event.",
  }),
  "node.event": method({
    ...node,
    params: nodes.NodeEventParamsSchema,
    result: nodes.NodeEventResultSchema,
    description: "A node reports an event it observed.",
  }),
  "node.pending.pull": method({
    ...node,
    sideEffect: false,
    params: nodes.NodePendingPullParamsSchema,
    result: nodes.NodePendingPullResultSchema,
    description: "A node fetches invocations queued while it was offline.",
  }),
  "node.pending.ack": method({
    ...node,
    params: nodes.NodePendingAckParamsSchema,
    result: nodes.NodePendingAckResultSchema,
    description: "A node acknowledges queued invocations.",
  }),

  // exec approvals
  "exec.approvals.get": method({
    ...admin,
    sideEffect: false,
    params: exec.ExecApprovalsGetParamsSchema,
    result: exec.ExecApprovalsSnapshotSchema,
    description: "The gateway host's exec-approvals.json with its hash.",
  }),
  "exec.approvals.set": method({
    ...admin,
    params: exec.ExecApprovalsSetParamsSchema,
    result: exec.ExecApprovalsSnapshotSchema,
    description: "Replace the gateway host's exec-approvals.json.",
  }),
  "exec.approvals.node.get": method({
    ...admin,
    sideEffect: false,
    params: exec.ExecApprovalsNodeGetParamsSchema,
    result: exec.ExecApprovalsSnapshotSchema,
    description: "A node's exec-approvals.json.",
  }),
  "exec.approvals.node.set": method({
    ...admin,
    params: exec.ExecApprovalsNodeSetParamsSchema,
    result: exec.ExecApprovalsSnapshotSchema,
    description: "Replace a node's exec-approvals.json.",
  }),
  "exec.approval.request": method({
    ...node,
    params: exec.ExecApprovalRequestParamsSchema,
    result: exec.ExecApprovalRequestResultSchema,
    description: "An execution host asks operators to approve a command.",
  }),
  "exec.approval.waitDecision": method({
    ...node,
    sideEffect: false,
    params: exec.ExecApprovalWaitDecisionParamsSchema,
    result: exec.ExecApprovalWaitDecisionResultSchema,
    description: "Wait for the decision on a two-phase approval request.",
  }),
  "exec.approval.resolve": method({
    ...approvals,
    params: exec.ExecApprovalResolveParamsSchema,
    result: exec.ExecApprovalResolveResultSchema,
    description: "Decide an approval: allow-once, allow-always (persists) or deny.",
  }),
  "exec.approval.get": method({
    ...approvals,
    sideEffect: false,
    params: exec.ExecApprovalGetParamsSchema,
    result: exec.ExecApprovalEntrySchema,
    description: "One pending approval.",
  }),
  "exec.approval.list": method({
    ...approvals,
    sideEffect: false,
    params: exec.ExecApprovalListParamsSchema,
    result: exec.ExecApprovalListResultSchema,
    description: "Pending approvals.",
  }),

  // cron
  "cron.list": method({
    ...read,
    params: cron.CronListParamsSchema,
    result: cron.CronListResultSchema,
    description: "Cron jobs (`includeDisabled` to list all).",
  }),
  "cron.status": method({
    ...read,
    params: cron.CronStatusParamsSchema,
    result: cron.CronStatusResultSchema,
    description: "Scheduler state and next wake-up.",
  }),
  "cron.add": method({
    ...admin,
    params: cron.CronAddParamsSchema,
    result: cron.CronAddResultSchema,
    description: "Create a job (at / every / cron schedule; systemEvent or agentTurn payload).",
  }),
  "cron.update": method({
    ...admin,
    params: cron.CronUpdateParamsSchema,
    result: cron.CronUpdateResultSchema,
    description: "Patch a job by `id` or `jobId`.",
  }),
  "cron.remove": method({
    ...admin,
    params: cron.CronRemoveParamsSchema,
    result: cron.CronRemoveResultSchema,
    description: "Delete a job.",
  }),
  "cron.run": method({
    ...admin,
    params: cron.CronRunParamsSchema,
    result: cron.CronRunResultSchema,
    description: "Run a job now (`force`) or only if due.",
  }),
  "cron.runs": method({
    ...read,
    params: cron.CronRunsParamsSchema,
    result: cron.CronRunsResultSchema,
    description: "Run history of a job.",
  }),

  // memory and skills
  "doctor.memory.status": method({
    ...read,
    params: memory.DoctorMemoryStatusParamsSchema,
    result: memory.DoctorMemoryStatusResultSchema,
    description:
      "The agent's memory index (files, chunks, vectors) and whether embeddings work (`probe` embeds a test text).",
  }),
  "skills.status": method({
    ...read,
    params: skills.SkillsStatusParamsSchema,
    result: skills.SkillsStatusResultSchema,
    description:
      "Every skill the agent can see: source, gates, missing requirements, prompt and command visibility.",
  }),
  "skills.bins": method({
    ...node,
    sideEffect: false,
    params: skills.SkillsBinsParamsSchema,
    result: skills.SkillsBinsResultSchema,
    description: "Bins the agents' skills require (nodes treat them as allowlisted for skill runs).",
  }),
} as const satisfies Record<string, MethodSpec>;

export type Methods = typeof METHODS;
export type MethodName = keyof Methods;
/** What a caller passes as `params` for method `M`. */
export type MethodParams<M extends MethodName> = z.input<Methods[M]["params"]>;
/** Params after validation (defaults applied), as a server handler receives them. */
export type MethodParsedParams<M extends MethodName> = z.output<Methods[M]["params"]>;
/** What `res.payload` holds on success for method `M`. */
export type MethodResult<M extends MethodName> = z.output<Methods[M]["result"]>;

/**
 * The one shape of a server-side method handler: the params as validated by the method's schema
 * in, the method's result out. `Ctx` is what the server hands every call (the caller, the
 * config, a way to broadcast events, …); the gateway defines it.
 */
export type MethodHandler<M extends MethodName, Ctx> = (
  params: MethodParsedParams<M>,
  ctx: Ctx,
) => Promise<MethodResult<M>>;

/**
 * What a capability contributes to the server's dispatch table: handlers for some of the
 * registry's methods, each typed from its row. Scope and side-effect policy stay in
 * {@link METHODS}; a handler only runs after that gate.
 */
export type MethodHandlers<Ctx> = { [M in MethodName]?: MethodHandler<M, Ctx> };

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(METHODS, name);
}

/** OpenClaw's answer to an unknown method (probe-unknown.jsonl). */
export function unknownMethodError(name: string): ErrorShape {
  return { code: "INVALID_REQUEST", message: `unknown method: ${name}` };
}

/** OpenClaw's answer to a call without the needed scope (frames-cli-status.jsonl). */
export function missingScopeError(required: RequiredScope): ErrorShape {
  if (required === "node") {
    return {
      code: "FORBIDDEN",
      message: "method requires role node",
      details: { code: "MISSING_SCOPE", missingScope: "node", requiredScopes: ["node"] },
    };
  }
  return {
    code: "FORBIDDEN",
    message: `missing scope: ${required}`,
    details: { code: "MISSING_SCOPE", missingScope: required, requiredScopes: [required] },
  };
}

export type ValidateRequestResult<M extends MethodName = MethodName> =
  | { ok: true; method: M; params: MethodParsedParams<M>; spec: MethodSpec }
  | { ok: false; error: ErrorShape };

/**
 * The server's dispatch gate for one `req`: known method → scope → params. Each failure is the
 * error shape to send back. `granted` are the connection's scopes (plus `"node"` for node
 * connections). Absent params validate as `{}`.
 */
export function validateRequest(
  name: string,
  params: unknown,
  granted: Iterable<string>,
): ValidateRequestResult {
  if (!isMethodName(name)) return { ok: false, error: unknownMethodError(name) };
  const spec: MethodSpec = METHODS[name];
  if (!scopeAllows(granted, spec.scope)) return { ok: false, error: missingScopeError(spec.scope) };
  const parsed = spec.params.safeParse(params ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      error: {
        code: "INVALID_REQUEST",
        message: `invalid ${name} params: ${formatZodIssues(parsed.error.issues, ["params"])}`,
        details: {
          code: "INVALID_PARAMS",
          issues: parsed.error.issues.map((issue) => ({
            path: formatPath(["params", ...(issue.path as (string | number)[])]),
            message: issue.message,
          })),
        },
      },
    };
  }
  return { ok: true, method: name, params: parsed.data as never, spec };
}

/** The `idempotencyKey` of a side-effecting call's params, if it has one. */
export function idempotencyKeyOf(params: unknown): string | undefined {
  if (typeof params !== "object" || params === null) return undefined;
  const key = (params as { idempotencyKey?: unknown }).idempotencyKey;
  return typeof key === "string" && key.length > 0 ? key : undefined;
}
