import { type AnyChannelPlugin, ChannelError } from "@openclaw/protocol/channel";
import { chunkForChannel } from "../format/chunk.js";
import { markdownToIR, type TableMode } from "../format/markdown-to-ir.js";
import { accountConfigOf } from "./inbound-routing.js";
import type { InboxEntry, InboxOutcome, ReplyPayload } from "./inbox-journal.js";
import type { ChannelTarget, PipelineContext } from "./types.js";

/** Send retries for NOT_SENT answers (429, connect refused). */
export interface RetryPolicy {
  attempts: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export type SendOutcome =
  | { ok: true; messageId: string }
  | { ok: false; outcome: "uncertain" | "failed"; reason: string };

export interface DeliveryMode {
  /** Outcome the entry is closed with when every send succeeded (default replied / empty). */
  closeAs?: InboxOutcome;
  reason?: string;
  /** Send the text as is (no Markdown rendering). */
  plain?: boolean;
}

export interface SendTextRequest {
  channel: string;
  accountId: string;
  to: string;
  text: string;
  threadId?: string;
  idempotencyKey: string;
}

/** One send of a delivery: its idempotency key and the call (told which message to reply to). */
interface DeliveryJob {
  id: string;
  run(replyTo: string | undefined, onDispatch: () => Promise<void>): Promise<{ messageId: string }>;
}

type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Markdown → IR → chunks within the account's limit (`textChunkLimit`, the channel's maximum), rendered. */
function chunksFor(
  context: PipelineContext,
  plugin: AnyChannelPlugin,
  channel: string,
  accountId: string,
  text: string,
  plain = false,
) {
  const config = accountConfigOf(context.getConfig(), { channel, accountId });
  const configured =
    typeof config.textChunkLimit === "number" ? config.textChunkLimit : Number.POSITIVE_INFINITY;
  const limit = Math.min(configured, plugin.capabilities.maxTextLength);
  const tables = (config.markdown as { tables?: TableMode } | undefined)?.tables;
  const ir = plain ? { text, spans: [] } : markdownToIR(text, tables ? { tables } : {});
  return chunkForChannel(ir, limit, (chunk) => plugin.outbound.render(chunk).text.length).map((c) =>
    plugin.outbound.render(c),
  );
}

/** One send, retried while the channel says nothing was sent (or sends are idempotent). */
async function sendWithRetry(
  context: PipelineContext,
  retry: RetryPolicy,
  sleep: Sleep,
  plugin: AnyChannelPlugin,
  send: () => Promise<{ messageId: string }>,
  logContext: Record<string, unknown>,
): Promise<SendOutcome> {
  let delay = retry.minDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return { ok: true, ...(await send()) };
    } catch (error) {
      const channelError = ChannelError.isInstance(error) ? error : undefined;
      const reason = error instanceof Error ? error.message : String(error);
      const code = channelError?.code ?? "AMBIGUOUS";
      const retryable =
        code === "NOT_SENT" || (code === "AMBIGUOUS" && plugin.capabilities.idempotentSend === true);
      if (!retryable || attempt >= retry.attempts || context.stopSignal.aborted) {
        const outcome = code === "AMBIGUOUS" ? "uncertain" : "failed";
        context.logger.warn(
          outcome === "uncertain"
            ? `delivery uncertain (not re-sent to avoid a duplicate): ${reason}`
            : `delivery failed: ${reason}`,
          { ...logContext, code, attempt },
        );
        return { ok: false, outcome, reason };
      }
      const wait = channelError?.retryAfterMs ?? delay;
      context.logger.info(`send retry in ${wait} ms: ${reason}`, { ...logContext, attempt });
      await sleep(wait, context.stopSignal);
      delay = Math.min(retry.maxDelayMs, delay * 2);
    }
  }
}

/** The sends of one payload: media first (when the channel sends media), then the text chunks. */
function jobsFor(
  context: PipelineContext,
  entry: InboxEntry,
  target: ChannelTarget,
  payload: ReplyPayload,
  index: number,
  plain: boolean | undefined,
): DeliveryJob[] {
  const { plugin, account } = target;
  const message = entry.message;
  const mediaUrls = [...(payload.mediaUrl ? [payload.mediaUrl] : []), ...(payload.mediaUrls ?? [])];
  let text = payload.text ?? "";
  if (mediaUrls.length > 0 && !plugin.outbound.sendMedia)
    text = [text, ...mediaUrls].filter(Boolean).join("\n");
  const chunks = text.trim()
    ? chunksFor(context, plugin, message.channel, message.accountId, text, plain)
    : [];
  const jobs: DeliveryJob[] = [];
  const base = {
    accountId: message.accountId,
    account,
    to: message.chat.id,
    ...(message.chat.threadId ? { threadId: message.chat.threadId } : {}),
    ...(message.chat.isForumTopic ? { isForumTopic: true } : {}),
  };
  const replyField = (replyTo: string | undefined) => (replyTo ? { replyToMessageId: replyTo } : {});
  if (plugin.outbound.sendMedia) {
    const sendMedia = plugin.outbound.sendMedia.bind(plugin.outbound);
    for (const [m, url] of mediaUrls.entries()) {
      const id = `${entry.key}:${index}:m${m}`;
      jobs.push({
        id,
        run: (replyTo, onDispatch) =>
          sendMedia({ ...base, media: { url }, idempotencyKey: id, onDispatch, ...replyField(replyTo) }),
      });
    }
  }
  // an edit-in-place draft becomes the first chunk of the reply
  const draftId = entry.delivered.get(`${entry.key}:draft`);
  const editText = plugin.outbound.editText?.bind(plugin.outbound);
  for (const [c, chunk] of chunks.entries()) {
    const id = `${entry.key}:${index}:${c}`;
    if (draftId && index === 0 && c === 0 && editText) {
      jobs.push({
        id,
        run: () =>
          editText({
            accountId: message.accountId,
            account,
            to: message.chat.id,
            messageId: draftId,
            chunk,
          }),
      });
      continue;
    }
    jobs.push({
      id,
      run: (replyTo, onDispatch) =>
        plugin.outbound.sendText({
          ...base,
          chunk,
          idempotencyKey: id,
          onDispatch,
          ...replyField(replyTo),
        }),
    });
  }
  return jobs;
}

/**
 * The outbound half of the pipeline: Markdown → IR → chunks within the channel's limits, each
 * send journaled (intent before the vendor call, delivery after), retried when the channel says
 * nothing was sent, never re-sent when a duplicate is possible.
 */
export function createDelivery(context: PipelineContext, retry: RetryPolicy, sleep: Sleep) {
  const { journal, logger } = context;
  const send = (
    plugin: AnyChannelPlugin,
    run: () => Promise<{ messageId: string }>,
    logContext: Record<string, unknown>,
  ) => sendWithRetry(context, retry, sleep, plugin, run, logContext);

  /** Deliver an entry's reply payloads in order, then close the entry with the worst outcome. */
  async function deliver(
    entry: InboxEntry,
    payloads: ReplyPayload[],
    mode: DeliveryMode = {},
  ): Promise<void> {
    const message = entry.message;
    const target = context.resolveAccount(message.channel, message.accountId);
    if (!target) {
      // Channel not running (disabled or removed): keep the entry open for a later start.
      logger.warn("reply kept in inbox: channel account not running", {
        channel: message.channel,
        accountId: message.accountId,
      });
      return;
    }
    const { plugin } = target;
    let outcome: InboxOutcome = mode.closeAs ?? (payloads.length === 0 ? "empty" : "replied");
    let reason = mode.reason;
    let first = true;
    for (const [index, payload] of payloads.entries()) {
      for (const job of jobsFor(context, entry, target, payload, index, mode.plain)) {
        if (entry.delivered.has(job.id)) {
          first = false;
          continue;
        }
        if (entry.attempted.has(job.id) && !plugin.capabilities.idempotentSend) {
          logger.warn("delivery uncertain after restart (not re-sent to avoid a duplicate)", {
            key: entry.key,
            idempotencyKey: job.id,
          });
          outcome = "uncertain";
          first = false;
          continue;
        }
        // the intent is journaled when the request leaves (a channel that reports it calls
        // onDispatch after its throttle queue), else now
        const onDispatch = async () => {
          if (entry.attempted.has(job.id)) return;
          entry.attempted.add(job.id);
          await journal.recordAttempt(entry.key, job.id);
        };
        if (!plugin.capabilities.reportsDispatch) await onDispatch();
        const replyTo =
          first && message.chat.type !== "direct" ? (payload.replyToId ?? message.messageId) : undefined;
        const result = await send(plugin, () => job.run(replyTo, onDispatch), {
          key: entry.key,
          idempotencyKey: job.id,
        });
        first = false;
        if (result.ok) {
          context.background(journal.recordDelivered(entry.key, job.id, result.messageId), "delivered");
          context.emit({
            type: "outbound",
            channel: message.channel,
            accountId: message.accountId,
            at: context.now(),
            messageId: result.messageId,
          });
        } else {
          if (outcome !== "failed") outcome = result.outcome;
          reason = result.reason;
          context.emit({
            type: "error",
            channel: message.channel,
            accountId: message.accountId,
            message: result.reason,
          });
        }
      }
    }
    context.close(entry, outcome, reason);
  }

  /** Send arbitrary Markdown through a channel with chunking + idempotency keys (the `send` RPC). */
  async function sendText(request: SendTextRequest): Promise<{ messageIds: string[] }> {
    const target = context.resolveAccount(request.channel, request.accountId);
    if (!target)
      throw new ChannelError(
        "REJECTED",
        `channel ${request.channel} account ${request.accountId} is not running`,
      );
    const chunks = chunksFor(context, target.plugin, request.channel, request.accountId, request.text);
    const messageIds: string[] = [];
    for (const [c, chunk] of chunks.entries()) {
      const result = await send(
        target.plugin,
        () =>
          target.plugin.outbound.sendText({
            accountId: request.accountId,
            account: target.account,
            to: request.to,
            chunk,
            idempotencyKey: `${request.idempotencyKey}:${c}`,
            ...(request.threadId ? { threadId: request.threadId } : {}),
          }),
        { idempotencyKey: request.idempotencyKey },
      );
      if (!result.ok)
        throw new ChannelError(result.outcome === "uncertain" ? "AMBIGUOUS" : "REJECTED", result.reason);
      messageIds.push(result.messageId);
      context.emit({
        type: "outbound",
        channel: request.channel,
        accountId: request.accountId,
        at: context.now(),
        messageId: result.messageId,
      });
    }
    return { messageIds };
  }

  return { deliver, sendText };
}

export type Delivery = ReturnType<typeof createDelivery>;
