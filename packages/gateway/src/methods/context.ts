import type { MethodContext } from "@openclaw/core";
import type {
  MethodHandler,
  MethodHandlers,
  MethodName,
  MethodParsedParams,
  MethodResult,
} from "@openclaw/protocol";
import type { GatewayRuntime } from "../gateway.js";

/**
 * What the gateway hands every method handler: core's {@link MethodContext} (the caller, config,
 * state dir, logger, broadcast, the lazily created assistant) plus, for the methods the gateway
 * itself owns (health, status, logs, presence, config, devices, channels), its own state.
 */
export interface GatewayMethodContext extends MethodContext {
  /** The gateway's state: connections, device records, presence, the config store. */
  gateway: GatewayRuntime;
  /** Call another method of the table with already-valid params (no second scope check). */
  call<M extends MethodName>(method: M, params: MethodParsedParams<M>): Promise<MethodResult<M>>;
}

/** One handler as the gateway dispatches it. */
export type GatewayMethodHandler<M extends MethodName> = MethodHandler<M, GatewayMethodContext>;

/** A capability's handlers. Core's (`CoreMethods`) fit: they need less of the context. */
export type GatewayMethods = MethodHandlers<GatewayMethodContext>;

/**
 * What a capability contributes to the dispatch table: its handlers, or a loader for them. A
 * loader runs once, when the first WebSocket client connects or an HTTP endpoint first needs a
 * method, so a capability's code stays out of an idle gateway.
 */
export type GatewayCapability = GatewayMethods | (() => Promise<GatewayMethods>);
