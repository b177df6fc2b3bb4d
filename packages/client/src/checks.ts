import type { EventFrame, HelloOk, ResponseFrame } from "@openclaw/protocol";

/** One frame from the gateway, checked: an event, a response, or undefined for a valid frame the client does not handle. */
export type CheckedFrame =
  | { ok: true; frame: EventFrame | ResponseFrame | undefined }
  | { ok: false; message: string };

/**
 * How the client checks what the gateway sends. Two implementations: the protocol's zod schemas
 * (`validation: "schemas"`, loaded on the first connect) and hand checks of the fields the client
 * itself reads (`validation: "fields"`, no zod: what a node uses to stay small).
 */
export interface FrameChecks {
  frame(data: unknown, maxBytes: number): CheckedFrame;
  /** The challenge's nonce, or undefined when the payload is not a valid challenge. */
  challengeNonce(payload: unknown): string | undefined;
  hello(payload: unknown): { ok: true; hello: HelloOk } | { ok: false; message: string };
  /** The payload handlers get, or undefined to drop a malformed event. */
  event(name: string, payload: unknown): { payload: unknown } | undefined;
  /** Whether the method's params carry an `idempotencyKey` the client fills in. */
  idempotent(method: string): boolean;
}
