import type { ResolvedRoute } from "../routing/resolve-route.js";
import type { PairingStore } from "../state/dm-pairing-store.js";
import { type ChannelAccessConfig, type DropReason, decideAccess } from "./access-policy.js";
import type { Delivery } from "./delivery.js";
import { accountConfigOf, mentionPatternsFor } from "./inbound-routing.js";
import type { InboxEntry } from "./inbox-journal.js";
import type { PipelineContext } from "./types.js";

/** What the drop line calls the message: "guild" (Discord servers), "group", or "DM" (the runbook's signatures). */
function droppedKind(message: InboxEntry["message"]): string {
  if (message.chat.type === "direct") return "DM";
  return message.chat.guildId ? "guild" : "group";
}

/**
 * The access step of the pipeline: dmPolicy / allowFrom + the pairing store, groupPolicy and
 * mention gating (one policy function, `decideAccess`). A denied message is closed as dropped; an
 * unknown DM sender gets a pairing code once.
 */
export function createAccessGate(context: PipelineContext, pairing: PairingStore, delivery: Delivery) {
  const { logger } = context;

  function drop(entry: InboxEntry, reason: DropReason): void {
    const { channel, accountId, messageId, chat, sender } = entry.message;
    // the runbook's signatures: `drop guild message (mention required`, `blocked` / `allowlist`
    logger.info(`inbound: drop ${droppedKind(entry.message)} message (${reason})`, {
      channel,
      accountId,
      chatId: chat.id,
      senderId: sender.id,
      messageId,
    });
    context.emit({ type: "drop", channel, accountId, reason, messageId });
    context.close(entry, "dropped", reason);
  }

  /** Send the pairing code to a new sender (once per pending request); drop when the queue is full. */
  async function challenge(entry: InboxEntry): Promise<void> {
    const message = entry.message;
    const request = await pairing.challenge(message.channel, message.accountId, message.sender);
    if (!request) return drop(entry, "pairing queue full");
    if (!request.created) return drop(entry, "pairing pending");
    const target = context.resolveAccount(message.channel, message.accountId);
    const label = target?.plugin.pairing?.idLabel ?? `${message.channel} user id`;
    const text = [
      "OpenClaw: access not configured.",
      "",
      `Your ${label}: ${message.sender.id}`,
      `Pairing code: ${request.request.code}`,
      "",
      "Ask the bot owner to approve with:",
      `openclaw pairing approve ${message.channel} ${request.request.code}`,
    ].join("\n");
    await delivery.deliver(entry, [{ text }], { closeAs: "dropped", reason: "pairing pending", plain: true });
    context.emit({
      type: "drop",
      channel: message.channel,
      accountId: message.accountId,
      reason: "pairing pending",
      messageId: message.messageId,
    });
    logger.info(
      "inbound: pairing request (code sent to the sender; approve with `openclaw pairing approve`)",
      {
        channel: message.channel,
        senderId: message.sender.id,
      },
    );
  }

  /** Decide whether the message reaches the agent; undefined when it was dropped (and closed). */
  async function admit(
    entry: InboxEntry,
    route: ResolvedRoute,
  ): Promise<{ wasMentioned: boolean } | undefined> {
    const message = entry.message;
    const config = context.getConfig();
    const decide = (pairedAllowFrom: string[]) =>
      decideAccess({
        channel: message.channel,
        config: accountConfigOf(config, message) as ChannelAccessConfig,
        message,
        pairedAllowFrom,
        mentionPatterns: mentionPatternsFor(config, route.agentId),
      });
    let decision = decide(await pairing.allowFrom(message.channel, { accountId: message.accountId }));
    // The cache may grant quickly, but a pairing denial must rest on the store as it is now: the
    // owner may have just run `openclaw pairing approve` in another process.
    if (!decision.allow && decision.challenge)
      decision = decide(
        await pairing.allowFrom(message.channel, { accountId: message.accountId, fresh: true }),
      );
    if (decision.allow) return { wasMentioned: decision.wasMentioned };
    if (decision.warning) logger.warn(decision.warning, { channel: message.channel });
    if (decision.challenge) await challenge(entry);
    else drop(entry, decision.reason);
    return undefined;
  }

  return { admit };
}
