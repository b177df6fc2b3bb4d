import {
  ConnectChallengePayloadSchema,
  EVENTS,
  HelloOkSchema,
  METHODS,
  parseFrame,
} from "@openclaw/protocol";
import type { FrameChecks } from "./checks.js";

type PayloadSpec = { payload: { safeParse(value: unknown): { success: boolean; data?: unknown } } };

/** The protocol's zod schemas (`validation: "schemas"`, the default): loaded on the first connect. */
export const schemaChecks: FrameChecks = {
  frame(data, maxBytes) {
    const parsed = parseFrame(data, { maxBytes });
    if (!parsed.ok) return { ok: false, message: parsed.error.message };
    const frame = parsed.frame;
    return { ok: true, frame: frame.type === "event" || frame.type === "res" ? frame : undefined };
  },
  challengeNonce(payload) {
    const challenge = ConnectChallengePayloadSchema.safeParse(payload);
    return challenge.success ? challenge.data.nonce : undefined;
  },
  hello(payload) {
    const hello = HelloOkSchema.safeParse(payload);
    return hello.success ? { ok: true, hello: hello.data } : { ok: false, message: hello.error.message };
  },
  event(name, payload) {
    const spec = (EVENTS as Record<string, PayloadSpec>)[name];
    if (!spec) return { payload };
    const result = spec.payload.safeParse(payload);
    return result.success ? { payload: result.data } : undefined;
  },
  idempotent(method) {
    const spec = (METHODS as Record<string, { params: { shape?: Record<string, unknown> } }>)[method];
    return Boolean(spec?.params.shape && "idempotencyKey" in spec.params.shape);
  },
};
