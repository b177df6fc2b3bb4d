import type { MethodResult } from "@openclaw/protocol";
import { GatewayMethodError } from "../types.js";
import type { GatewayMethods } from "./context.js";

type ChannelsStatus = MethodResult<"channels.status">;
type Account = NonNullable<ChannelsStatus["channelAccounts"]>[string][number];

function unavailable(what: string): never {
  throw new GatewayMethodError({
    code: "UNAVAILABLE",
    message: `${what} is not available on this gateway`,
    retryable: false,
  });
}

/** Fields of an account snapshot OpenClaw's clients read (its `channelAccounts[]` items). */
const ACCOUNT_FIELDS = [
  "name",
  "enabled",
  "configured",
  "linked",
  "running",
  "connected",
  "reconnectAttempts",
  "lastConnectedAt",
  "lastError",
  "lastStartAt",
  "lastStopAt",
  "lastInboundAt",
  "lastOutboundAt",
] as const;

/**
 * `channelAccounts` / `channelDefaultAccountId` (OpenClaw's CLI and Control UI read the accounts
 * from there), derived from each channel's `accounts` list when the manager did not give them.
 */
function withAccounts(status: ChannelsStatus): ChannelsStatus {
  const channelAccounts: Record<string, Account[]> = { ...(status.channelAccounts ?? {}) };
  const channelDefaultAccountId: Record<string, string> = { ...(status.channelDefaultAccountId ?? {}) };
  for (const [id, value] of Object.entries(status.channels)) {
    const listed = (value as { accounts?: unknown })?.accounts;
    if (!channelAccounts[id])
      channelAccounts[id] = (Array.isArray(listed) ? listed : []).flatMap((raw) => {
        const account = raw as Record<string, unknown>;
        if (typeof account?.accountId !== "string" || !account.accountId) return [];
        const picked: Record<string, unknown> = { accountId: account.accountId };
        for (const field of ACCOUNT_FIELDS) if (account[field] !== undefined) picked[field] = account[field];
        return [picked as Account];
      });
    if (!channelDefaultAccountId[id])
      channelDefaultAccountId[id] = channelAccounts[id]?.[0]?.accountId ?? "default";
  }
  return { ...status, channelAccounts, channelDefaultAccountId };
}

/** channels.status / channels.logout / send / web.login.*, on the channel manager the gateway was given. */
export const channelsMethods = {
  "channels.status": async (params, ctx) =>
    withAccounts(
      ctx.gateway.options.channels
        ? await ctx.gateway.options.channels.status(params)
        : { ts: Date.now(), channels: {}, channelOrder: [], channelLabels: {} },
    ),

  "channels.logout": async (params, ctx) =>
    (ctx.gateway.options.channels ?? unavailable("channels")).logout(params),

  send: async (params, ctx) => (ctx.gateway.options.channels ?? unavailable("channel delivery")).send(params),

  "web.login.start": async (params, ctx) => {
    const channels = ctx.gateway.options.channels;
    if (!channels?.loginStart) return unavailable("QR login");
    return channels.loginStart(params);
  },

  "web.login.wait": async (params, ctx) => {
    const channels = ctx.gateway.options.channels;
    if (!channels?.loginWait) return unavailable("QR login");
    return channels.loginWait(params);
  },
} satisfies GatewayMethods;
