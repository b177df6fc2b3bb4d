import {
  type AnyChannelPlugin,
  ChannelError,
  type ChannelLogger,
  type InboundAck,
  type InboundMessage,
  InboundMessageSchema,
} from "@openclaw/protocol";
import { chunkForChannel } from "../format/chunk.js";
import { markdownToIR, type TableMode } from "../format/markdown-to-ir.js";
import { type ResolvedRoute, type RoutingConfig, resolveAgentRoute } from "../routing/resolve-route.js";
import { type ChannelAccessConfig, type DropReason, decideAccess } from "./access-policy.js";
import type { InboxEntry, InboxJournal, InboxOutcome, ReplyPayload } from "./inbox-journal.js";
import type { PairingStore } from "./pairing-store.js";

/** A turn handed to the assistant (the agent helper's `enqueue` runs it on the session's queue). */
export interface InboundTurn {
  agentId: string;
  sessionKey: string;
  mainSessionKey: string;
  lastRoutePolicy: "main" | "session";
  /** The text of the turn (several messages joined when debounced). */
  text: string;
  /** The newest normalized message of the turn (channel, chat, sender, media, replyTo, …). */
  message: InboundMessage;
  /** All messages merged into this turn, oldest first. */
  messages: InboundMessage[];
  wasMentioned: boolean;
  signal?: AbortSignal;
  /**
   * Present when the channel streams drafts (`streamMode: "partial"`): call it with the reply text
   * so far as the model writes; the pipeline edits a draft message in place.
   */
  onPartial?: (textSoFar: string) => void;
}

/**
 * A reply nobody is waiting for — a sub-agent's announce, a sessions_send target's announce —
 * with the chat its session was last routed from.
 */
export interface UnsolicitedChannelReply {
  /** Stable id of the reply (the idempotency key of its delivery derives from it). */
  id: string;
  sessionKey: string;
  origin: string;
  route: { channel: string; accountId?: string; to: string; threadId?: string };
  payloads: ReplyPayload[];
}

/** What the pipeline needs from the assistant: run a turn on the session's queue, return reply payloads. */
export interface InboundAssistant {
  enqueue(turn: InboundTurn): Promise<{ payloads: ReplyPayload[] } | ReplyPayload[]>;
  /** Optional: subscribe to unsolicited replies; the channel manager delivers them to their route. */
  onUnsolicitedReply?(listener: (reply: UnsolicitedChannelReply) => void): () => void;
}

/** The config keys the pipeline reads (structural subset of OpenClaw's config). */
export interface InboundHostConfig extends Omit<RoutingConfig, "agents"> {
  channels?: Record<
    string,
    (Record<string, unknown> & { accounts?: Record<string, Record<string, unknown> | undefined> }) | undefined
  >;
  agents?: {
    list?: readonly { id: string; default?: boolean; groupChat?: { mentionPatterns?: readonly string[] } }[];
  };
  messages?: {
    responsePrefix?: string;
    /** Reaction added to a message the assistant is about to answer (default 👀; "" disables). */
    ackReaction?: string;
    groupChat?: { mentionPatterns?: readonly string[] };
    inbound?: { debounceMs?: number; byChannel?: Record<string, unknown> };
  };
}

type ChannelBlock = NonNullable<InboundHostConfig["channels"]>[string];

/**
 * The effective keys of one account: `channels.defaults` < `channels.<id>` top level <
 * `channels.<id>.accounts.<accountId>`.
 */
export function resolveChannelAccountConfig(
  channelConfig: ChannelBlock,
  accountId: string,
  defaults?: ChannelBlock,
): Record<string, unknown> {
  const { accounts: _ignored, ...shared } = defaults ?? {};
  if (!channelConfig) return { ...shared };
  const { accounts, ...top } = channelConfig;
  return { ...shared, ...top, ...(accounts?.[accountId] ?? {}) };
}

export type PipelineEvent =
  | { type: "inbound"; channel: string; accountId: string; at: number }
  | { type: "drop"; channel: string; accountId: string; reason: DropReason; messageId?: string }
  | { type: "outbound"; channel: string; accountId: string; at: number; messageId: string }
  | { type: "error"; channel: string; accountId: string; message: string }
  | {
      type: "closed";
      channel: string;
      accountId: string;
      key: string;
      outcome: InboxOutcome;
      reason?: string;
    };

export interface InboundPipelineOptions {
  journal: InboxJournal;
  pairing: PairingStore;
  assistant: InboundAssistant;
  getConfig(): InboundHostConfig;
  /** The plugin and resolved account an outbound reply goes through. */
  resolveAccount(
    channel: string,
    accountId: string,
  ): { plugin: AnyChannelPlugin; account: unknown } | undefined;
  logger: ChannelLogger;
  onEvent?(event: PipelineEvent): void;
  now?: () => number;
  /** Send retries for NOT_SENT answers (429, connect refused). Defaults: 5 attempts, 500 ms … 30 s. */
  retry?: { attempts?: number; minDelayMs?: number; maxDelayMs?: number };
  /** Sleep used between retries (tests may shorten; vendor retry_after is honored through it). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

export interface InboundPipeline {
  /** Journal a message durably, then process it in the background. Resolve = safe to ack the vendor offset. */
  receive(message: unknown): Promise<InboundAck>;
  /** Process entries left open by a previous run (call once at startup, after channels are resolvable). */
  recover(): Promise<number>;
  /** Resolves when every message received so far is closed (tests, shutdown). */
  idle(): Promise<void>;
  /** Send arbitrary Markdown through a channel with chunking + idempotency keys (the `send` RPC). */
  sendText(request: {
    channel: string;
    accountId: string;
    to: string;
    text: string;
    threadId?: string;
    idempotencyKey: string;
  }): Promise<{ messageIds: string[] }>;
  stop(): void;
}

export function createInboundPipeline(options: InboundPipelineOptions): InboundPipeline {
  const { journal, logger } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const retry = { attempts: 5, minDelayMs: 500, maxDelayMs: 30_000, ...options.retry };
  const inFlight = new Set<Promise<unknown>>();
  const lanes = new Map<string, Promise<unknown>>();
  const processing = new Set<string>();
  const debounced = new Map<
    string,
    { entries: { entry: InboxEntry; route: ResolvedRoute; wasMentioned: boolean }[]; timer: NodeJS.Timeout }
  >();
  const stopController = new AbortController();
  const emit = (event: PipelineEvent) => options.onEvent?.(event);

  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
    return promise;
  };

  const inLane = <T>(sessionKey: string, fn: () => Promise<T>): Promise<T> => {
    const previous = lanes.get(sessionKey) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.catch(() => undefined);
    lanes.set(sessionKey, settled);
    settled.then(() => {
      if (lanes.get(sessionKey) === settled) lanes.delete(sessionKey);
    });
    return next;
  };

  /**
   * Journal writes that need not be durable before the next step: appends are ordered, so the next
   * awaited append (a send intent) makes them durable too. Tracked so `idle()` waits for them.
   */
  const background = (write: Promise<void>, what: string) => {
    track(write.catch((error) => logger.error(`inbox journal write failed (${what}): ${String(error)}`)));
  };

  async function close(entry: InboxEntry, outcome: InboxOutcome, reason?: string) {
    background(journal.close(entry.key, outcome, reason), "close");
    emit({
      type: "closed",
      channel: entry.message.channel,
      accountId: entry.message.accountId,
      key: entry.key,
      outcome,
      ...(reason ? { reason } : {}),
    });
  }

  async function drop(entry: InboxEntry, reason: DropReason) {
    const { channel, accountId, messageId, chat, sender } = entry.message;
    logger.info(`inbound dropped: ${reason}`, {
      channel,
      accountId,
      chatId: chat.id,
      senderId: sender.id,
      messageId,
    });
    emit({ type: "drop", channel, accountId, reason, messageId });
    await close(entry, "dropped", reason);
  }

  function accountConfig(message: InboundMessage): Record<string, unknown> {
    const channels = options.getConfig().channels;
    return resolveChannelAccountConfig(channels?.[message.channel], message.accountId, channels?.defaults);
  }

  function mentionPatterns(agentId: string): string[] {
    const config = options.getConfig();
    const agent = config.agents?.list?.find((a) => a.id.toLowerCase() === agentId);
    return [...(agent?.groupChat?.mentionPatterns ?? config.messages?.groupChat?.mentionPatterns ?? [])];
  }

  function routeOf(message: InboundMessage): ResolvedRoute {
    const chat = message.chat;
    const kind =
      chat.type === "direct"
        ? "direct"
        : chat.type === "channel" || (chat.type === "thread" && chat.guildId)
          ? "channel"
          : "group";
    return resolveAgentRoute(options.getConfig(), {
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

  async function process(entry: InboxEntry): Promise<void> {
    if (processing.has(entry.key)) return;
    processing.add(entry.key);
    try {
      const message = entry.message;
      if (entry.replies) {
        await inLane(routeOf(message).sessionKey, () => deliver(entry, entry.replies ?? []));
        return;
      }
      const route = routeOf(message);
      const config = accountConfig(message);
      const decide = (pairedAllowFrom: string[]) =>
        decideAccess({
          channel: message.channel,
          config: config as ChannelAccessConfig,
          message,
          pairedAllowFrom,
          mentionPatterns: mentionPatterns(route.agentId),
        });
      let decision = decide(await options.pairing.allowFrom(message.channel));
      // The cache may grant quickly, but a pairing denial must rest on the store as it is now: the
      // owner may have just run `openclaw pairing approve` in another process.
      if (!decision.allow && decision.challenge)
        decision = decide(await options.pairing.allowFrom(message.channel, { fresh: true }));
      if (!decision.allow) {
        if (decision.warning) logger.warn(decision.warning, { channel: message.channel });
        if (decision.challenge) {
          const challenge = await options.pairing.challenge(
            message.channel,
            message.accountId,
            message.sender,
          );
          if (!challenge) return await drop(entry, "pairing queue full");
          if (challenge.created) {
            const target = options.resolveAccount(message.channel, message.accountId);
            const label = target?.plugin.pairing?.idLabel ?? `${message.channel} user id`;
            const text = [
              "OpenClaw: access not configured.",
              "",
              `Your ${label}: ${message.sender.id}`,
              `Pairing code: ${challenge.request.code}`,
              "",
              "Ask the bot owner to approve with:",
              `openclaw pairing approve ${message.channel} ${challenge.request.code}`,
            ].join("\n");
            await deliver(entry, [{ text }], { closeAs: "dropped", reason: "pairing pending", plain: true });
            emit({
              type: "drop",
              channel: message.channel,
              accountId: message.accountId,
              reason: "pairing pending",
              messageId: message.messageId,
            });
            logger.info("inbound dropped: pairing pending (code sent)", {
              channel: message.channel,
              senderId: message.sender.id,
            });
            return;
          }
        }
        return await drop(entry, decision.reason);
      }
      const debounceMs = resolveDebounce(message.channel);
      if (debounceMs > 0 && message.media.length === 0 && !message.command) {
        bufferTurn(entry, route, decision.wasMentioned, debounceMs);
        return;
      }
      await inLane(route.sessionKey, () => runTurn([{ entry, route, wasMentioned: decision.wasMentioned }]));
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      logger.error(`inbound processing failed: ${text}`, { key: entry.key });
      emit({
        type: "error",
        channel: entry.message.channel,
        accountId: entry.message.accountId,
        message: text,
      });
    } finally {
      processing.delete(entry.key);
    }
  }

  function resolveDebounce(channel: string): number {
    const inbound = options.getConfig().messages?.inbound;
    const byChannel = inbound?.byChannel?.[channel];
    return typeof byChannel === "number" ? byChannel : (inbound?.debounceMs ?? 0);
  }

  function bufferTurn(entry: InboxEntry, route: ResolvedRoute, wasMentioned: boolean, ms: number) {
    const key = `${route.sessionKey}|${entry.message.sender.id}`;
    const existing = debounced.get(key);
    if (existing) clearTimeout(existing.timer);
    const entries = [...(existing?.entries ?? []), { entry, route, wasMentioned }];
    const timer = setTimeout(() => {
      debounced.delete(key);
      track(inLane(route.sessionKey, () => runTurn(entries)));
    }, ms);
    debounced.set(key, { entries, timer });
  }

  async function runTurn(
    batch: { entry: InboxEntry; route: ResolvedRoute; wasMentioned: boolean }[],
  ): Promise<void> {
    const last = batch[batch.length - 1];
    if (!last) return;
    const { entry, route } = last;
    const message = entry.message;
    const target = options.resolveAccount(message.channel, message.accountId);
    const ackReaction =
      (accountConfig(message).ackReaction as string | undefined) ??
      options.getConfig().messages?.ackReaction ??
      "👀";
    if (ackReaction && target?.plugin.capabilities.reactions && target.plugin.outbound.react) {
      for (const b of batch)
        target.plugin.outbound
          .react({
            accountId: message.accountId,
            account: target.account,
            to: b.entry.message.chat.id,
            messageId: b.entry.message.messageId,
            emoji: ackReaction,
          })
          .catch(() => undefined);
    }
    if (target?.plugin.outbound.sendTyping) {
      target.plugin.outbound
        .sendTyping({
          accountId: message.accountId,
          account: target.account,
          to: message.chat.id,
          ...(message.chat.threadId ? { threadId: message.chat.threadId } : {}),
        })
        .catch(() => undefined);
    }
    const draft = target ? createDraftStreamer(entry, target) : undefined;
    let payloads: ReplyPayload[];
    try {
      const result = await options.assistant.enqueue({
        ...(draft ? { onPartial: draft.update } : {}),
        agentId: route.agentId,
        sessionKey: route.sessionKey,
        mainSessionKey: route.mainSessionKey,
        lastRoutePolicy: route.lastRoutePolicy,
        text: batch.map((b) => b.entry.message.text).join("\n"),
        message,
        messages: batch.map((b) => b.entry.message),
        wasMentioned: batch.some((b) => b.wasMentioned),
        signal: stopController.signal,
      });
      payloads = Array.isArray(result) ? result : result.payloads;
      await draft?.settle();
    } catch (error) {
      await draft?.settle();
      if (stopController.signal.aborted) return; // shutting down: the entry stays open for recovery
      const text = error instanceof Error ? error.message : String(error);
      logger.error(`agent run failed: ${text}`, { sessionKey: route.sessionKey });
      emit({ type: "error", channel: message.channel, accountId: message.accountId, message: text });
      await journal.recordReplies(entry.key, [{ text: `⚠️ The assistant could not answer: ${text}` }]);
      await deliver(entry, [{ text: `⚠️ The assistant could not answer: ${text}` }], {
        closeAs: "failed",
        reason: text,
        plain: true,
      });
      for (const b of batch.slice(0, -1)) await close(b.entry, "failed", text);
      return;
    }
    if (stopController.signal.aborted) return;
    const prefix = options.getConfig().messages?.responsePrefix;
    const final = prefix
      ? payloads.map((p) => (p.text ? { ...p, text: `${prefix} ${p.text}` } : p))
      : payloads;
    background(journal.recordReplies(entry.key, final), "reply");
    for (const b of batch.slice(0, -1)) await close(b.entry, "replied", `merged into ${entry.key}`);
    await deliver(entry, final);
  }

  function chunksFor(
    plugin: AnyChannelPlugin,
    channel: string,
    accountId: string,
    text: string,
    plain = false,
  ) {
    const channels = options.getConfig().channels;
    const config = resolveChannelAccountConfig(channels?.[channel], accountId, channels?.defaults);
    const configured =
      typeof config.textChunkLimit === "number" ? config.textChunkLimit : Number.POSITIVE_INFINITY;
    const limit = Math.min(configured, plugin.capabilities.maxTextLength);
    const tables = (config.markdown as { tables?: TableMode } | undefined)?.tables;
    const ir = plain ? { text, spans: [] } : markdownToIR(text, tables ? { tables } : {});
    return chunkForChannel(ir, limit, (chunk) => plugin.outbound.render(chunk).text.length).map((c) =>
      plugin.outbound.render(c),
    );
  }

  async function sendWithRetry(
    plugin: AnyChannelPlugin,
    send: () => Promise<{ messageId: string }>,
    context: Record<string, unknown>,
  ): Promise<
    { ok: true; messageId: string } | { ok: false; outcome: "uncertain" | "failed"; reason: string }
  > {
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
        if (!retryable || attempt >= retry.attempts || stopController.signal.aborted) {
          const outcome = code === "AMBIGUOUS" ? "uncertain" : "failed";
          logger.warn(
            outcome === "uncertain"
              ? `delivery uncertain (not re-sent to avoid a duplicate): ${reason}`
              : `delivery failed: ${reason}`,
            { ...context, code, attempt },
          );
          return { ok: false, outcome, reason };
        }
        const wait = channelError?.retryAfterMs ?? delay;
        logger.info(`send retry in ${wait} ms: ${reason}`, { ...context, attempt });
        await sleep(wait, stopController.signal);
        delay = Math.min(retry.maxDelayMs, delay * 2);
      }
    }
  }

  /**
   * Edit-in-place streaming (`channels.<id>.streamMode: "partial"` on channels with edits): the
   * first partial text is posted as a draft (a journaled send like any other), later partials edit
   * it at most every `streamEditIntervalMs` (default 1000), and delivery turns the draft into the
   * first chunk of the final reply with one last edit.
   */
  function createDraftStreamer(entry: InboxEntry, target: { plugin: AnyChannelPlugin; account: unknown }) {
    const { plugin, account } = target;
    const message = entry.message;
    const config = accountConfig(message);
    if (config.streamMode !== "partial" || !plugin.capabilities.edits || !plugin.outbound.editText)
      return undefined;
    const interval = typeof config.streamEditIntervalMs === "number" ? config.streamEditIntervalMs : 1_000;
    const id = `${entry.key}:draft`;
    let latest = "";
    let shown = "";
    let lastEditAt = 0;
    let chain: Promise<void> = Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const renderDraft = (text: string) => {
      // The draft shows the reply so far, formatted, cut to one message (the final delivery chunks it).
      const [first] = chunkForChannel(
        markdownToIR(text),
        plugin.capabilities.maxTextLength - 2,
        (c) => plugin.outbound.render(c).text.length,
      );
      return plugin.outbound.render(first ?? { text, spans: [] });
    };
    const push = () => {
      chain = chain.then(async () => {
        const text = latest.trim();
        if (!text || text === shown) return;
        const draftId = entry.delivered.get(id);
        try {
          if (!draftId) {
            if (entry.attempted.has(id)) return;
            await journal.recordAttempt(entry.key, id);
            entry.attempted.add(id);
            const sent = await plugin.outbound.sendText({
              accountId: message.accountId,
              account,
              to: message.chat.id,
              chunk: renderDraft(text),
              idempotencyKey: id,
              ...(message.chat.threadId ? { threadId: message.chat.threadId } : {}),
              ...(message.chat.isForumTopic ? { isForumTopic: true } : {}),
              ...(message.chat.type !== "direct" ? { replyToMessageId: message.messageId } : {}),
            });
            entry.delivered.set(id, sent.messageId);
            background(journal.recordDelivered(entry.key, id, sent.messageId), "draft");
          } else {
            await plugin.outbound.editText?.({
              accountId: message.accountId,
              account,
              to: message.chat.id,
              messageId: draftId,
              chunk: renderDraft(text),
            });
          }
          shown = text;
          lastEditAt = now();
        } catch (error) {
          logger.debug(`draft update failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      });
    };
    return {
      update(textSoFar: string) {
        latest = textSoFar;
        if (timer) return;
        const wait = Math.max(0, lastEditAt + interval - now());
        if (wait === 0 && !entry.delivered.has(id) && !entry.attempted.has(id)) return push();
        timer = setTimeout(() => {
          timer = undefined;
          push();
        }, wait);
      },
      async settle() {
        if (timer) clearTimeout(timer);
        timer = undefined;
        await chain;
      },
    };
  }

  async function deliver(
    entry: InboxEntry,
    payloads: ReplyPayload[],
    mode: { closeAs?: InboxOutcome; reason?: string; plain?: boolean } = {},
  ): Promise<void> {
    const message = entry.message;
    const target = options.resolveAccount(message.channel, message.accountId);
    if (!target) {
      // Channel not running (disabled or removed): keep the entry open for a later start.
      logger.warn("reply kept in inbox: channel account not running", {
        channel: message.channel,
        accountId: message.accountId,
      });
      return;
    }
    const { plugin, account } = target;
    let outcome: InboxOutcome = mode.closeAs ?? (payloads.length === 0 ? "empty" : "replied");
    let reason = mode.reason;
    let first = true;
    for (const [p, payload] of payloads.entries()) {
      const mediaUrls = [...(payload.mediaUrl ? [payload.mediaUrl] : []), ...(payload.mediaUrls ?? [])];
      let text = payload.text ?? "";
      if (mediaUrls.length > 0 && !plugin.outbound.sendMedia)
        text = [text, ...mediaUrls].filter(Boolean).join("\n");
      const chunks = text.trim()
        ? chunksFor(plugin, message.channel, message.accountId, text, mode.plain)
        : [];
      const jobs: { id: string; run: (replyTo: string | undefined) => Promise<{ messageId: string }> }[] = [];
      const base = {
        accountId: message.accountId,
        account,
        to: message.chat.id,
        ...(message.chat.threadId ? { threadId: message.chat.threadId } : {}),
        ...(message.chat.isForumTopic ? { isForumTopic: true } : {}),
      };
      if (plugin.outbound.sendMedia) {
        for (const [m, url] of mediaUrls.entries()) {
          const id = `${entry.key}:${p}:m${m}`;
          const sendMedia = plugin.outbound.sendMedia.bind(plugin.outbound);
          jobs.push({
            id,
            run: (replyTo) =>
              sendMedia({
                ...base,
                media: { url },
                idempotencyKey: id,
                ...(replyTo ? { replyToMessageId: replyTo } : {}),
              }),
          });
        }
      }
      const draftId = entry.delivered.get(`${entry.key}:draft`);
      for (const [c, chunk] of chunks.entries()) {
        const id = `${entry.key}:${p}:${c}`;
        if (draftId && p === 0 && c === 0 && plugin.outbound.editText) {
          const editText = plugin.outbound.editText.bind(plugin.outbound);
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
          run: (replyTo) =>
            plugin.outbound.sendText({
              ...base,
              chunk,
              idempotencyKey: id,
              ...(replyTo ? { replyToMessageId: replyTo } : {}),
            }),
        });
      }
      for (const job of jobs) {
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
        await journal.recordAttempt(entry.key, job.id);
        entry.attempted.add(job.id);
        const replyTo =
          first && message.chat.type !== "direct" ? (payload.replyToId ?? message.messageId) : undefined;
        const result = await sendWithRetry(plugin, () => job.run(replyTo), {
          key: entry.key,
          idempotencyKey: job.id,
        });
        first = false;
        if (result.ok) {
          background(journal.recordDelivered(entry.key, job.id, result.messageId), "delivered");
          emit({
            type: "outbound",
            channel: message.channel,
            accountId: message.accountId,
            at: now(),
            messageId: result.messageId,
          });
        } else {
          if (outcome !== "failed") outcome = result.outcome;
          reason = result.reason;
          emit({
            type: "error",
            channel: message.channel,
            accountId: message.accountId,
            message: result.reason,
          });
        }
      }
    }
    await close(entry, outcome, reason);
  }

  return {
    async receive(raw) {
      const parsed = InboundMessageSchema.safeParse(raw);
      if (!parsed.success) {
        const reason = parsed.error.issues
          .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
          .join("; ");
        const partial = raw as { channel?: string; accountId?: string } | undefined;
        logger.warn(`inbound rejected (malformed): ${reason}`);
        emit({
          type: "drop",
          channel: String(partial?.channel ?? "?"),
          accountId: String(partial?.accountId ?? "?"),
          reason: "malformed",
        });
        return { status: "rejected", reason };
      }
      const message = parsed.data;
      const { key, duplicate } = await journal.receive(message, now());
      if (duplicate) {
        logger.debug("inbound duplicate ignored", { key });
        emit({
          type: "drop",
          channel: message.channel,
          accountId: message.accountId,
          reason: "duplicate",
          messageId: message.messageId,
        });
        return { status: "duplicate" };
      }
      emit({ type: "inbound", channel: message.channel, accountId: message.accountId, at: now() });
      const entry = journal.get(key);
      if (entry) track(process(entry));
      return { status: "journaled" };
    },
    async recover() {
      const entries = journal.openEntries();
      for (const entry of entries) track(process(entry));
      if (entries.length > 0) logger.info(`recovering ${entries.length} unanswered inbound message(s)`);
      return entries.length;
    },
    async idle() {
      while (inFlight.size > 0 || debounced.size > 0 || lanes.size > 0) {
        await Promise.allSettled([...inFlight, ...lanes.values()]);
        if (inFlight.size === 0 && lanes.size === 0 && debounced.size > 0) await sleep(10);
      }
    },
    async sendText(request) {
      const target = options.resolveAccount(request.channel, request.accountId);
      if (!target)
        throw new ChannelError(
          "REJECTED",
          `channel ${request.channel} account ${request.accountId} is not running`,
        );
      const chunks = chunksFor(target.plugin, request.channel, request.accountId, request.text);
      const messageIds: string[] = [];
      for (const [c, chunk] of chunks.entries()) {
        const result = await sendWithRetry(
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
        emit({
          type: "outbound",
          channel: request.channel,
          accountId: request.accountId,
          at: now(),
          messageId: result.messageId,
        });
      }
      return { messageIds };
    },
    stop() {
      stopController.abort();
      for (const { timer } of debounced.values()) clearTimeout(timer);
      debounced.clear();
    },
  };
}
