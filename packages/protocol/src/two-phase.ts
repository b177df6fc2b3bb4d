/**
 * Two-phase methods (`agent`): the handler answers at once with an ack and the server sends a
 * second `res` on the same request id when the work ends (OpenClaw's `expectFinal`). The handler
 * returns the ack with the final answer's promise attached under this symbol; JSON never sees
 * it, so a server that does not know the convention still sends a valid ack.
 */
export const FINAL_RESULT: unique symbol = Symbol.for("openclaw.method.finalResult");

export type WithFinalResult<T> = T & { [FINAL_RESULT]?: Promise<unknown> };

/** The ack `ack`, followed by `final` as a second response. */
export function withFinalResult<T extends object>(ack: T, final: Promise<unknown>): WithFinalResult<T> {
  Object.defineProperty(ack, FINAL_RESULT, { value: final, enumerable: false });
  return ack as WithFinalResult<T>;
}

/** The final answer a two-phase handler attached to its ack, if any. */
export function finalResultOf(result: unknown): Promise<unknown> | undefined {
  if (typeof result !== "object" || result === null) return undefined;
  const final = (result as { [FINAL_RESULT]?: Promise<unknown> })[FINAL_RESULT];
  return final instanceof Promise ? final : undefined;
}
