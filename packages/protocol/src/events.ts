import type { z } from "zod";
import { ConnectChallengePayloadSchema } from "./handshake.js";
import * as chat from "./schemas/chat.js";
import * as cron from "./schemas/cron.js";
import * as devices from "./schemas/devices.js";
import * as exec from "./schemas/exec-approvals.js";
import * as nodes from "./schemas/nodes.js";
import * as system from "./schemas/system.js";
import { type RequiredScope, scopeAllows } from "./scopes.js";

/** Who receives an event: every authenticated connection, or those holding a scope. */
export type EventAudience = "everyone" | RequiredScope;

export interface EventSpec<P extends z.ZodType = z.ZodType> {
  payload: P;
  audience: EventAudience;
  description: string;
}

function event<P extends z.ZodType>(spec: EventSpec<P>): EventSpec<P> {
  return spec;
}

/** Every event the gateway emits, with its payload schema and audience. */
export const EVENTS = {
  "connect.challenge": event({
    payload: ConnectChallengePayloadSchema,
    audience: "everyone",
    description: "First frame on every socket: the nonce a device signature must cover.",
  }),
  tick: event({
    payload: system.TickEventPayloadSchema,
    audience: "everyone",
    description: "Keepalive every `policy.tickIntervalMs`.",
  }),
  shutdown: event({
    payload: system.ShutdownEventPayloadSchema,
    audience: "everyone",
    description: "The gateway is stopping (`restartExpectedMs` when it will be back).",
  }),
  presence: event({
    payload: system.PresenceEventPayloadSchema,
    audience: "everyone",
    description: "Presence list changed (bumps `stateVersion.presence`).",
  }),
  health: event({
    payload: system.HealthSummarySchema,
    audience: "everyone",
    description: "Health summary changed (bumps `stateVersion.health`).",
  }),
  heartbeat: event({
    payload: system.HeartbeatEventPayloadSchema,
    audience: "everyone",
    description: "A heartbeat run finished or was skipped.",
  }),
  agent: event({
    payload: chat.AgentEventPayloadSchema,
    audience: "operator.read",
    description: "Agent run stream: `lifecycle`, `assistant`, `tool`, `compaction` (open set).",
  }),
  chat: event({
    payload: chat.ChatEventPayloadSchema,
    audience: "operator.read",
    description: "Chat turn state: `delta`, `final`, `aborted`, `error`.",
  }),
  cron: event({
    payload: cron.CronEventPayloadSchema,
    audience: "operator.read",
    description: "A cron job changed or ran.",
  }),
  "talk.mode": event({
    payload: system.TalkModeEventPayloadSchema,
    audience: "operator.read",
    description: "Talk mode toggled.",
  }),
  "voicewake.changed": event({
    payload: system.VoicewakeChangedEventPayloadSchema,
    audience: "operator.read",
    description: "Voice wake triggers changed.",
  }),
  "update.available": event({
    payload: system.UpdateAvailableEventPayloadSchema,
    audience: "operator.read",
    description: "A newer version is available.",
  }),
  "node.pair.requested": event({
    payload: nodes.NodePairRequestedEventPayloadSchema,
    audience: "operator.pairing",
    description: "A node asked to be paired.",
  }),
  "node.pair.resolved": event({
    payload: nodes.NodePairResolvedEventPayloadSchema,
    audience: "operator.pairing",
    description: "A node pairing request was approved or rejected.",
  }),
  "node.invoke.request": event({
    payload: nodes.NodeInvokeRequestEventPayloadSchema,
    audience: "node",
    description: "Sent to one node: run `command`; answer with `node.invoke.result`.",
  }),
  "device.pair.requested": event({
    payload: devices.DevicePairRequestedEventPayloadSchema,
    audience: "operator.pairing",
    description: "A device is waiting for pairing approval.",
  }),
  "device.pair.resolved": event({
    payload: devices.DevicePairResolvedEventPayloadSchema,
    audience: "operator.pairing",
    description: "A device pairing request was approved or rejected.",
  }),
  "exec.approval.requested": event({
    payload: exec.ExecApprovalRequestedEventPayloadSchema,
    audience: "operator.approvals",
    description: "A command waits for an operator's approval.",
  }),
  "exec.approval.resolved": event({
    payload: exec.ExecApprovalResolvedEventPayloadSchema,
    audience: "operator.approvals",
    description: "An approval was decided.",
  }),
} as const satisfies Record<string, EventSpec>;

export type Events = typeof EVENTS;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]["payload"]>;

export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(EVENTS, name);
}

/** May a connection holding `granted` receive `name`? Unknown events fail closed. */
export function eventAllowed(granted: Iterable<string>, name: string): boolean {
  if (!isEventName(name)) return false;
  const audience = EVENTS[name].audience;
  return audience === "everyone" || scopeAllows(granted, audience);
}
