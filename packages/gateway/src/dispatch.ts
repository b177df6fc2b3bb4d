import type { MethodCaller } from "@openclaw/core";
import {
  CONNECT_METHOD,
  type ErrorShape,
  finalResultOf,
  idempotencyKeyOf,
  isMethodName,
  type RequestFrame,
  unknownMethodError,
  validateRequest,
} from "@openclaw/protocol";
import type { Fanout } from "./fanout.js";
import type { Connection, GatewayRuntime } from "./gateway.js";
import type { MethodTable } from "./handlers.js";
import { okResponseText } from "./serialized.js";
import { GatewayMethodError } from "./types.js";

/**
 * Requests of an authenticated connection: the credential is re-checked on every request, then
 * the one policy gate (method → scope → params), then the handler; side-effect methods with an
 * idempotency key run once per key (5 min, at most 5,000 keys).
 */
export function createDispatcher(
  runtime: GatewayRuntime,
  io: Fanout,
  methods: MethodTable,
  callerOf: (conn: Connection) => MethodCaller,
): (conn: Connection, frame: RequestFrame) => Promise<void> {
  const { logger, counters } = runtime;
  const idempotency = new Map<string, { at: number; result: Promise<unknown> }>();

  function pruneIdempotency(): void {
    const cutoff = Date.now() - 5 * 60_000;
    for (const [key, entry] of idempotency) {
      if (entry.at >= cutoff && idempotency.size <= 5000) break;
      idempotency.delete(key);
    }
  }

  return async function dispatch(conn: Connection, frame: RequestFrame): Promise<void> {
    const reply = (payload: unknown) => io.sendText(conn, okResponseText(frame.id, payload));
    const fail = (error: ErrorShape) => io.send(conn, { type: "res", id: frame.id, ok: false, error });
    if (frame.method === CONNECT_METHOD) {
      fail({
        code: "INVALID_REQUEST",
        message: "already connected",
        details: { code: "HANDSHAKE_REQUIRED" },
      });
      return;
    }
    if (!isMethodName(frame.method) || !methods.has(frame.method)) {
      fail(
        isMethodName(frame.method)
          ? {
              code: "UNAVAILABLE",
              message: `${frame.method} is not available on this gateway yet`,
              retryable: false,
            }
          : unknownMethodError(frame.method),
      );
      return;
    }
    if (!io.credentialValid(conn)) {
      fail({
        code: "INVALID_REQUEST",
        message: "unauthorized: credential rotated or revoked",
        details: { code: "AUTH_UNAUTHORIZED" },
      });
      io.closeConn(conn, 1008, "unauthorized: credential rotated or revoked");
      return;
    }
    // the one policy gate: known method → scope (from the METHODS registry) → params (its zod schema)
    const checked = validateRequest(frame.method, frame.params, conn.scopes);
    if (!checked.ok) {
      fail(checked.error);
      return;
    }
    const { spec, method, params } = checked;
    logger.debug({ connId: conn.id, method }, "request");
    const run = () => methods.call(method, params, callerOf(conn));
    counters.requests.set(frame.method, (counters.requests.get(frame.method) ?? 0) + 1);
    try {
      const idempotencyKey = idempotencyKeyOf(params);
      const key = idempotencyKey && spec.sideEffect ? `${frame.method}\u0000${idempotencyKey}` : undefined;
      let result: unknown;
      if (key) {
        pruneIdempotency();
        const cached = idempotency.get(key);
        if (cached) result = await cached.result;
        else {
          const promise = run();
          idempotency.set(key, { at: Date.now(), result: promise });
          promise.catch(() => idempotency.delete(key));
          result = await promise;
        }
      } else result = await run();
      reply(result);
      // two-phase methods (`agent`): the final answer follows on the same request id
      const final = finalResultOf(result);
      if (final) reply(await final);
    } catch (error) {
      if (error instanceof GatewayMethodError) fail(error.shape);
      else {
        logger.error(
          { method: frame.method, err: error instanceof Error ? error.message : String(error) },
          "method failed",
        );
        fail({
          code: "UNAVAILABLE",
          message: `${frame.method} failed: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
  };
}
