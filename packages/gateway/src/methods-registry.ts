import type { RequiredScope } from "@openclaw/protocol";
import { z } from "zod";

/** One gateway method: the scope it needs, whether it has side effects, its params schema. */
export interface MethodSpec {
  scope: RequiredScope;
  sideEffect: boolean;
  params: z.ZodType;
}

const open = z.looseObject({}).optional();
const sessionKey = z.string().min(1).max(512);
const idempotencyKey = z.string().min(1).max(256);

/**
 * The methods this gateway serves. This is the gateway's adapter until `@openclaw/protocol`
 * exports its METHODS registry; names, scopes and required params follow spec §1.6/§1.8.
 */
export const METHOD_SPECS: Record<string, MethodSpec> = {
  health: { scope: "operator.read", sideEffect: false, params: open },
  status: { scope: "operator.read", sideEffect: false, params: open },
  "logs.tail": {
    scope: "operator.read",
    sideEffect: false,
    params: z
      .looseObject({
        cursor: z.int().nonnegative().optional(),
        limit: z.int().min(1).max(5000).optional(),
        maxBytes: z.int().min(1).max(1_000_000).optional(),
      })
      .optional(),
  },
  "system-presence": { scope: "operator.read", sideEffect: false, params: open },
  "last-heartbeat": { scope: "operator.read", sideEffect: false, params: open },
  wake: {
    scope: "operator.write",
    sideEffect: true,
    params: z.looseObject({ mode: z.enum(["now", "next-heartbeat"]), text: z.string() }),
  },
  "config.get": { scope: "operator.admin", sideEffect: false, params: open },
  "config.schema": { scope: "operator.admin", sideEffect: false, params: open },
  "config.set": {
    scope: "operator.admin",
    sideEffect: true,
    params: z.looseObject({ raw: z.string(), baseHash: z.string().optional() }),
  },
  "config.patch": {
    scope: "operator.admin",
    sideEffect: true,
    params: z.looseObject({
      raw: z.string().optional(),
      patch: z.record(z.string(), z.unknown()).optional(),
      baseHash: z.string(),
    }),
  },
  "config.apply": {
    scope: "operator.admin",
    sideEffect: true,
    params: z.looseObject({
      raw: z.string(),
      baseHash: z.string().optional(),
      sessionKey: z.string().optional(),
      restartDelayMs: z.int().nonnegative().optional(),
    }),
  },
  "sessions.list": {
    scope: "operator.read",
    sideEffect: false,
    params: z
      .looseObject({
        limit: z.int().positive().optional(),
        activeMinutes: z.number().positive().optional(),
        agentId: z.string().optional(),
        search: z.string().optional(),
      })
      .optional(),
  },
  "sessions.preview": {
    scope: "operator.read",
    sideEffect: false,
    params: z.looseObject({ keys: z.array(z.string()).optional(), key: z.string().optional() }).optional(),
  },
  "sessions.patch": { scope: "operator.write", sideEffect: true, params: z.looseObject({ key: sessionKey }) },
  "sessions.reset": { scope: "operator.write", sideEffect: true, params: z.looseObject({ key: sessionKey }) },
  "sessions.delete": {
    scope: "operator.write",
    sideEffect: true,
    params: z.looseObject({ key: sessionKey }),
  },
  "sessions.compact": {
    scope: "operator.write",
    sideEffect: true,
    params: z.looseObject({ key: sessionKey }),
  },
  "chat.send": {
    scope: "operator.write",
    sideEffect: true,
    params: z.looseObject({
      sessionKey,
      message: z.string(),
      idempotencyKey,
      thinking: z.string().optional(),
      timeoutMs: z.int().positive().optional(),
    }),
  },
  "chat.history": {
    scope: "operator.read",
    sideEffect: false,
    params: z.looseObject({ sessionKey, limit: z.int().min(1).max(1000).optional() }),
  },
  "chat.abort": {
    scope: "operator.write",
    sideEffect: true,
    params: z.looseObject({ sessionKey, runId: z.string().optional() }),
  },
  "chat.inject": {
    scope: "operator.write",
    sideEffect: true,
    params: z.looseObject({ sessionKey, message: z.string(), label: z.string().optional() }),
  },
  agent: {
    scope: "operator.write",
    sideEffect: true,
    params: z.looseObject({ message: z.string(), idempotencyKey, agentId: z.string().optional() }),
  },
  "agent.wait": {
    scope: "operator.write",
    sideEffect: false,
    params: z.looseObject({ runId: z.string().min(1), timeoutMs: z.int().nonnegative().optional() }),
  },
  send: {
    scope: "operator.write",
    sideEffect: true,
    params: z.looseObject({
      to: z.string().min(1),
      message: z.string().optional(),
      channel: z.string().optional(),
      accountId: z.string().optional(),
      idempotencyKey,
    }),
  },
  "models.list": { scope: "operator.read", sideEffect: false, params: open },
  "channels.status": {
    scope: "operator.read",
    sideEffect: false,
    params: z
      .looseObject({ probe: z.boolean().optional(), timeoutMs: z.int().positive().optional() })
      .optional(),
  },
  "channels.logout": {
    scope: "operator.admin",
    sideEffect: true,
    params: z.looseObject({ channel: z.string().min(1), accountId: z.string().optional() }),
  },
  "device.pair.list": { scope: "operator.pairing", sideEffect: false, params: open },
  "device.pair.approve": {
    scope: "operator.pairing",
    sideEffect: true,
    params: z.looseObject({ requestId: z.string().min(1) }),
  },
  "device.pair.reject": {
    scope: "operator.pairing",
    sideEffect: true,
    params: z.looseObject({ requestId: z.string().min(1) }),
  },
  "device.pair.remove": {
    scope: "operator.pairing",
    sideEffect: true,
    params: z.looseObject({ deviceId: z.string().min(1) }),
  },
  "device.token.rotate": {
    scope: "operator.pairing",
    sideEffect: true,
    params: z.looseObject({
      deviceId: z.string().min(1),
      role: z.string().min(1),
      scopes: z.array(z.string()).optional(),
    }),
  },
  "device.token.revoke": {
    scope: "operator.pairing",
    sideEffect: true,
    params: z.looseObject({ deviceId: z.string().min(1), role: z.string().min(1) }),
  },
};

/** Events this gateway may emit (advertised in hello-ok). */
export const GATEWAY_EVENTS = [
  "connect.challenge",
  "agent",
  "chat",
  "presence",
  "tick",
  "shutdown",
  "health",
  "heartbeat",
  "device.pair.requested",
  "device.pair.resolved",
] as const;

/** Events only clients holding `operator.read` receive; everything else goes to every authenticated client. */
export const READ_SCOPED_EVENTS = new Set(["agent", "chat", "heartbeat"]);
export const PAIRING_SCOPED_EVENTS = new Set(["device.pair.requested", "device.pair.resolved"]);
