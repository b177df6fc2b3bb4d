import { GatewayMethodError } from "../types.js";
import type { GatewayMethods } from "./context.js";

function unavailable(what: string): never {
  throw new GatewayMethodError({
    code: "UNAVAILABLE",
    message: `${what} is not available on this gateway`,
    retryable: false,
  });
}

/** channels.status / channels.logout / send, on the channel manager the gateway was given. */
export const channelsMethods = {
  "channels.status": async (params, ctx) =>
    ctx.gateway.options.channels
      ? ctx.gateway.options.channels.status(params)
      : { ts: Date.now(), channels: {}, channelOrder: [], channelLabels: {} },

  "channels.logout": async (params, ctx) =>
    (ctx.gateway.options.channels ?? unavailable("channels")).logout(params),

  send: async (params, ctx) => (ctx.gateway.options.channels ?? unavailable("channel delivery")).send(params),
} satisfies GatewayMethods;
