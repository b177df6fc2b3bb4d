import type { MethodCaller } from "@openclaw/core";
import type { ErrorShape, MethodName, MethodParsedParams, MethodResult } from "@openclaw/protocol";
import type { GatewayRuntime } from "./gateway.js";
import type { GatewayCapability, GatewayMethodContext, GatewayMethods } from "./methods/context.js";
import { gatewayMethods } from "./methods/index.js";
import { GatewayMethodError } from "./types.js";

/**
 * The one dispatch table: the gateway's own methods, then the assistant's capability, then each
 * extra capability (a later one answers a method an earlier one also has). Built once, when the
 * first WebSocket client connects or an HTTP endpoint first calls a method.
 */
export interface MethodTable {
  /** The methods this gateway answers (hello-ok `features.methods`). */
  readonly names: readonly MethodName[];
  has(method: MethodName): boolean;
  /**
   * Run `method`'s handler for `caller` with params already validated by the method's schema and
   * scope already checked (connections.ts does both through protocol's `validateRequest`).
   * Rejects with a {@link GatewayMethodError} when the handler refused with a protocol error.
   */
  call<M extends MethodName>(
    method: M,
    params: MethodParsedParams<M>,
    caller: MethodCaller,
  ): Promise<MethodResult<M>>;
}

async function resolve(capability: GatewayCapability | undefined): Promise<GatewayMethods> {
  if (!capability) return {};
  return typeof capability === "function" ? capability() : capability;
}

/** A protocol error thrown by a handler (`OpenClawError` from any copy of @openclaw/protocol). */
function protocolErrorShape(error: unknown): ErrorShape | undefined {
  if (error instanceof GatewayMethodError) return error.shape;
  if (typeof error !== "object" || error === null) return undefined;
  const candidate = error as { [key: symbol]: unknown; toErrorShape?: unknown };
  if (candidate[Symbol.for("openclaw.error")] !== true || typeof candidate.toErrorShape !== "function")
    return undefined;
  const shape: unknown = candidate.toErrorShape();
  if (typeof shape !== "object" || shape === null || !("code" in shape) || !("message" in shape))
    return undefined;
  return { ...shape, code: String(shape.code), message: String(shape.message) };
}

function unavailable(message: string): GatewayMethodError {
  return new GatewayMethodError({ code: "UNAVAILABLE", message, retryable: false });
}

export async function loadMethodTable(runtime: GatewayRuntime): Promise<MethodTable> {
  const { options } = runtime;
  const sources = await Promise.all([
    resolve(options.assistant?.methods),
    ...(options.capabilities ?? []).map(resolve),
  ]);
  const handlers: GatewayMethods = Object.assign({}, gatewayMethods, ...sources);
  const names = Object.keys(handlers).filter((name): name is MethodName => Object.hasOwn(handlers, name));

  const assistant = () => {
    const get = options.assistant?.get;
    return get ? get() : Promise.reject(unavailable("the assistant is not available on this gateway"));
  };

  async function call<M extends MethodName>(
    method: M,
    params: MethodParsedParams<M>,
    caller: MethodCaller,
  ): Promise<MethodResult<M>> {
    const handler = handlers[method];
    if (!handler) throw unavailable(`${method} is not available on this gateway yet`);
    const ctx: GatewayMethodContext = {
      caller,
      config: runtime.config,
      stateDir: options.stateDir,
      logger: runtime.logger,
      broadcast: runtime.broadcast,
      assistant,
      gateway: runtime,
      call: (next, nextParams) => call(next, nextParams, caller),
    };
    try {
      return await handler(params, ctx);
    } catch (error) {
      const shape = protocolErrorShape(error);
      throw shape && !(error instanceof GatewayMethodError) ? new GatewayMethodError(shape) : error;
    }
  }

  return { names, has: (method) => Object.hasOwn(handlers, method), call };
}
