import type { EventFrame, HelloOk, ResponseFrame } from "@openclaw/protocol";
import { utf8ByteLength } from "@openclaw/protocol/base";
import type { CheckedFrame, FrameChecks } from "./checks.js";

// `validation: "fields"`: no zod. The gateway builds every frame from its schemas; the client
// checks the envelope and the fields it reads itself (ids, `ok`, the error's code and message,
// `seq`, the challenge's nonce, hello-ok's policy and device token). Event payloads are passed
// on as they came: the code that reads one checks the fields it uses.

/** Methods whose params take an `idempotencyKey` (kept equal to the protocol's registry by a test). */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(["agent", "chat.send", "node.invoke", "send"]);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

function frame(data: unknown, maxBytes: number): CheckedFrame {
  if (typeof data !== "string") return { ok: false, message: "binary frames are not supported" };
  if (data.length > maxBytes || (data.length * 3 > maxBytes && utf8ByteLength(data) > maxBytes))
    return { ok: false, message: `frame too large (limit ${maxBytes} bytes)` };
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, message: "invalid frame: not JSON" };
  }
  if (!isObject(value)) return { ok: false, message: "invalid frame: not an object" };
  if (value.type === "event") {
    if (typeof value.event !== "string" || value.event === "")
      return { ok: false, message: "invalid frame: event must be a non-empty string" };
    if (value.seq !== undefined && !isCount(value.seq))
      return { ok: false, message: "invalid frame: seq must be a non-negative integer" };
    return { ok: true, frame: value as unknown as EventFrame };
  }
  if (value.type === "res") {
    if (typeof value.id !== "string" || value.id === "")
      return { ok: false, message: "invalid frame: id must be a non-empty string" };
    if (typeof value.ok !== "boolean") return { ok: false, message: "invalid frame: ok must be a boolean" };
    const error = value.error;
    if (
      error !== undefined &&
      !(isObject(error) && typeof error.code === "string" && typeof error.message === "string")
    )
      return { ok: false, message: "invalid frame: error must have a code and a message" };
    return { ok: true, frame: value as unknown as ResponseFrame };
  }
  if (value.type === "req") return { ok: true, frame: undefined };
  return { ok: false, message: `invalid frame: unexpected type ${JSON.stringify(value.type)}` };
}

function hello(payload: unknown): { ok: true; hello: HelloOk } | { ok: false; message: string } {
  if (!isObject(payload) || payload.type !== "hello-ok") return { ok: false, message: "type: not hello-ok" };
  if (!isCount(payload.protocol)) return { ok: false, message: "protocol: expected an integer" };
  const policy = payload.policy;
  if (!isObject(policy) || !isCount(policy.maxPayload) || !isCount(policy.tickIntervalMs))
    return { ok: false, message: "policy: expected maxPayload and tickIntervalMs" };
  const auth = payload.auth;
  if (auth !== undefined && !(isObject(auth) && ["string", "undefined"].includes(typeof auth.deviceToken)))
    return { ok: false, message: "auth.deviceToken: expected a string" };
  return { ok: true, hello: payload as unknown as HelloOk };
}

/** The hand checks (`validation: "fields"`). */
export const fieldChecks: FrameChecks = {
  frame,
  challengeNonce: (payload) =>
    isObject(payload) && typeof payload.nonce === "string" && payload.nonce !== ""
      ? payload.nonce
      : undefined,
  hello,
  event: (_name, payload) => ({ payload }),
  idempotent: (method) => IDEMPOTENT_METHODS.has(method),
};
