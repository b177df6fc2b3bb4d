import type { ResolvedRoute } from "../routing/resolve-route.js";
import type { Delivery } from "./delivery.js";
import { createDraftStreamer } from "./draft-streamer.js";
import type { ResolvedMedia } from "./inbound-media.js";
import { accountConfigOf } from "./inbound-routing.js";
import type { InboxEntry, ReplyPayload } from "./inbox-journal.js";
import type { ReplyOrder, ReplyPlace } from "./reply-order.js";
import type { ChannelTarget, InboundAssistant, InboundReply, PipelineContext } from "./types.js";

/** An admitted message and where it goes. */
export interface AdmittedMessage {
  entry: InboxEntry;
  route: ResolvedRoute;
  wasMentioned: boolean;
  /** The message's text with its media resolved (images downloaded, other media as lines). */
  resolved?: ResolvedMedia;
}

/**
 * The hand-over step: a turn (one message, or several debounced ones) goes to the assistant at
 * once — the assistant's session queue applies `/stop`, the commands and the queue modes — and its
 * reply is delivered in the session's reply order.
 */
export function createTurnHandover(
  context: PipelineContext,
  assistant: InboundAssistant,
  delivery: Delivery,
  order: ReplyOrder,
) {
  const { logger } = context;

  /** 👀 on each message of the turn and a typing indicator, where the channel has them. */
  function acknowledge(batch: AdmittedMessage[], target: ChannelTarget | undefined) {
    const message = batch[batch.length - 1]!.entry.message;
    const ackReaction =
      (accountConfigOf(context.getConfig(), message).ackReaction as string | undefined) ??
      context.getConfig().messages?.ackReaction ??
      "👀";
    const outbound = target?.plugin.outbound;
    if (ackReaction && target?.plugin.capabilities.reactions && outbound?.react) {
      for (const item of batch)
        outbound
          .react({
            accountId: message.accountId,
            account: target.account,
            to: item.entry.message.chat.id,
            messageId: item.entry.message.messageId,
            emoji: ackReaction,
          })
          .catch(() => undefined);
    }
    outbound
      ?.sendTyping?.({
        accountId: message.accountId,
        account: target?.account,
        to: message.chat.id,
        ...(message.chat.threadId ? { threadId: message.chat.threadId } : {}),
      })
      .catch(() => undefined);
  }

  async function ask(batch: AdmittedMessage[], target: ChannelTarget | undefined): Promise<InboundReply> {
    const { entry, route } = batch[batch.length - 1]!;
    const draft = target ? createDraftStreamer(context, entry, target) : undefined;
    const images = batch.flatMap((item) => item.resolved?.images ?? []);
    try {
      const result = await assistant.enqueue({
        ...(draft ? { onPartial: draft.update } : {}),
        agentId: route.agentId,
        sessionKey: route.sessionKey,
        mainSessionKey: route.mainSessionKey,
        lastRoutePolicy: route.lastRoutePolicy,
        text: batch.map((item) => item.resolved?.text ?? item.entry.message.text).join("\n"),
        ...(images.length ? { images } : {}),
        message: entry.message,
        messages: batch.map((item) => item.entry.message),
        wasMentioned: batch.some((item) => item.wasMentioned),
        signal: context.stopSignal,
      });
      return Array.isArray(result) ? { payloads: result } : result;
    } finally {
      await draft?.settle();
    }
  }

  async function deliverFailure(batch: AdmittedMessage[], place: ReplyPlace, error: unknown) {
    const { entry, route } = batch[batch.length - 1]!;
    const message = entry.message;
    const text = error instanceof Error ? error.message : String(error);
    logger.error(`agent run failed: ${text}`, { sessionKey: route.sessionKey });
    context.emit({ type: "error", channel: message.channel, accountId: message.accountId, message: text });
    const payloads = [{ text: `⚠️ The assistant could not answer: ${text}` }];
    await place.deliver(async () => {
      await context.journal.recordReplies(entry.key, payloads);
      await delivery.deliver(entry, payloads, { closeAs: "failed", reason: text, plain: true });
      for (const item of batch.slice(0, -1)) context.close(item.entry, "failed", text);
    });
  }

  async function deliverReply(batch: AdmittedMessage[], place: ReplyPlace, reply: InboundReply) {
    const { entry } = batch[batch.length - 1]!;
    const prefix = context.getConfig().messages?.responsePrefix;
    const payloads: ReplyPayload[] = prefix
      ? reply.payloads.map((p) => (p.text ? { ...p, text: `${prefix} ${p.text}` } : p))
      : reply.payloads;
    await place.deliver(
      async () => {
        if (context.stopSignal.aborted) return; // shutting down: the entry stays open for recovery
        context.background(context.journal.recordReplies(entry.key, payloads), "reply");
        for (const item of batch.slice(0, -1))
          context.close(item.entry, "replied", `merged into ${entry.key}`);
        // answered together with another message of the session's queue (collect, steer)
        if (reply.status === "merged" && payloads.length === 0)
          return context.close(entry, "replied", "merged into another turn");
        await delivery.deliver(entry, payloads);
      },
      { immediate: reply.status === "command" },
    );
  }

  async function runTurn(batch: AdmittedMessage[], place: ReplyPlace): Promise<void> {
    const message = batch[batch.length - 1]!.entry.message;
    const target = context.resolveAccount(message.channel, message.accountId);
    // 👀 and typing when this message is next in line (as its turn starts), not for a whole backlog at once
    void place.ready.then(() => acknowledge(batch, target)).catch(() => undefined);
    let reply: InboundReply;
    try {
      reply = await ask(batch, target);
    } catch (error) {
      if (context.stopSignal.aborted) return place.deliver(async () => {}); // the entry stays open for recovery
      return deliverFailure(batch, place, error);
    }
    await deliverReply(batch, place, reply);
  }

  /** Hand a turn to the assistant now; resolves once its reply is delivered. */
  function handOver(batch: AdmittedMessage[]): Promise<void> {
    const last = batch[batch.length - 1];
    if (!last) return Promise.resolve();
    const place = order.reserve(last.route.sessionKey);
    // a place must always be given up, or the session's later replies would wait forever
    const turn = runTurn(batch, place).catch((error) => {
      void place.deliver(async () => {}).catch(() => undefined);
      throw error;
    });
    return context.track(turn);
  }

  return { handOver };
}
