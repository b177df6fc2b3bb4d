import type { InboundMessage } from "@openclaw/protocol";
import { type ResolvedRoute, resolveAgentRoute } from "../routing/resolve-route.js";
import type { InboundHostConfig } from "./types.js";

type ChannelBlock = NonNullable<InboundHostConfig["channels"]>[string];

function withoutAccounts(block: ChannelBlock): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...block };
  delete copy.accounts;
  return copy;
}

/**
 * The effective keys of one account: `channels.defaults` < `channels.<id>` top level <
 * `channels.<id>.accounts.<accountId>`.
 */
export function resolveChannelAccountConfig(
  channelConfig: ChannelBlock,
  accountId: string,
  defaults?: ChannelBlock,
): Record<string, unknown> {
  // `channels.defaults.accounts` is not a default for every account: left out
  const shared = withoutAccounts(defaults);
  if (!channelConfig) return shared;
  return { ...shared, ...withoutAccounts(channelConfig), ...(channelConfig.accounts?.[accountId] ?? {}) };
}

/** The effective config of the account a message (or a reply) belongs to. */
export function accountConfigOf(
  config: InboundHostConfig,
  target: { channel: string; accountId: string },
): Record<string, unknown> {
  const channels = config.channels;
  return resolveChannelAccountConfig(channels?.[target.channel], target.accountId, channels?.defaults);
}

/** Mention patterns of an agent (its own, else `messages.groupChat.mentionPatterns`). */
export function mentionPatternsFor(config: InboundHostConfig, agentId: string): string[] {
  const agent = config.agents?.list?.find((a) => a.id.toLowerCase() === agentId);
  return [...(agent?.groupChat?.mentionPatterns ?? config.messages?.groupChat?.mentionPatterns ?? [])];
}

/** `messages.inbound.byChannel.<channel>` or `messages.inbound.debounceMs` (default 0: no debounce). */
export function debounceMsFor(config: InboundHostConfig, channel: string): number {
  const inbound = config.messages?.inbound;
  const byChannel = inbound?.byChannel?.[channel];
  return typeof byChannel === "number" ? byChannel : (inbound?.debounceMs ?? 0);
}

/** The agent and session a message goes to (bindings, peer kind, guild/team, thread/topic). */
export function routeInbound(config: InboundHostConfig, message: InboundMessage): ResolvedRoute {
  const chat = message.chat;
  const kind =
    chat.type === "direct"
      ? "direct"
      : chat.type === "channel" || (chat.type === "thread" && chat.guildId)
        ? "channel"
        : "group";
  return resolveAgentRoute(config, {
    channel: message.channel,
    accountId: message.accountId,
    peer: { kind, id: kind === "direct" ? message.sender.id : (chat.parentId ?? chat.id) },
    ...(chat.guildId ? { guildId: chat.guildId } : {}),
    ...(chat.teamId ? { teamId: chat.teamId } : {}),
    ...((chat.threadId ?? (chat.parentId ? chat.id : undefined)) && kind !== "direct"
      ? { threadId: chat.threadId ?? chat.id }
      : {}),
    ...(chat.isForumTopic ? { isForumTopic: true } : {}),
  });
}
