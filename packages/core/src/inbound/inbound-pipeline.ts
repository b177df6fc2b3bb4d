import { checkInboundMessage, type InboundAck } from "@openclaw/protocol/channel";
import type { PairingStore } from "../state/dm-pairing-store.js";
import { createAccessGate } from "./access-gate.js";
import { createDelivery, type SendTextRequest } from "./delivery.js";
import { resolveInboundMedia } from "./inbound-media.js";
import { debounceMsFor, routeInbound } from "./inbound-routing.js";
import type { InboxEntry, InboxJournal, InboxOutcome } from "./inbox-journal.js";
import { ReplyOrder } from "./reply-order.js";
import { type AdmittedMessage, createTurnHandover } from "./turn-handover.js";
import type {
  ChannelTarget,
  InboundAssistant,
  InboundHostConfig,
  PipelineContext,
  PipelineEvent,
} from "./types.js";

export { resolveChannelAccountConfig } from "./inbound-routing.js";
export type {
  InboundAssistant,
  InboundHostConfig,
  InboundReply,
  InboundTurn,
  PipelineEvent,
  UnsolicitedChannelReply,
} from "./types.js";

export interface InboundPipelineOptions {
  journal: InboxJournal;
  pairing: PairingStore;
  assistant: InboundAssistant;
  getConfig(): InboundHostConfig;
  /** The plugin and resolved account an outbound reply goes through. */
  resolveAccount(channel: string, accountId: string): ChannelTarget | undefined;
  logger: import("@openclaw/protocol").ChannelLogger;
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
  sendText(request: SendTextRequest): Promise<{ messageIds: string[] }>;
  /**
   * Deliver a reply nobody waits for (a sub-agent's announce) after every reply of its session
   * handed over so far, so the turn that started the helper is answered first.
   */
  sendInOrder(sessionKey: string, request: SendTextRequest): Promise<{ messageIds: string[] }>;
  stop(): void;
}

/** Runs `fn`s of one key one after another (arrival order of a session's messages). */
function createSerialLanes() {
  const lanes = new Map<string, Promise<unknown>>();
  return {
    get size() {
      return lanes.size;
    },
    pending: () => [...lanes.values()],
    run<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const next = (lanes.get(key) ?? Promise.resolve()).then(fn);
      const settled = next.catch(() => undefined);
      lanes.set(key, settled);
      void settled.then(() => {
        if (lanes.get(key) === settled) lanes.delete(key);
      });
      return next;
    },
  };
}

/** The pipeline's shared context; `inFlight` holds what `idle()` waits for. */
function createPipelineContext(options: InboundPipelineOptions, stopSignal: AbortSignal) {
  const { journal, logger } = options;
  const inFlight = new Set<Promise<unknown>>();
  const emit = (event: PipelineEvent) => options.onEvent?.(event);
  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
    return promise;
  };
  const context: PipelineContext = {
    journal,
    logger,
    getConfig: options.getConfig,
    resolveAccount: options.resolveAccount,
    emit,
    now: options.now ?? Date.now,
    stopSignal,
    track,
    background(write, what) {
      track(write.catch((error) => logger.error(`inbox journal write failed (${what}): ${String(error)}`)));
    },
    close(entry: InboxEntry, outcome: InboxOutcome, reason?: string) {
      context.background(journal.close(entry.key, outcome, reason), "close");
      emit({
        type: "closed",
        channel: entry.message.channel,
        accountId: entry.message.accountId,
        key: entry.key,
        outcome,
        ...(reason ? { reason } : {}),
      });
    },
  };
  return { context, inFlight };
}

/** The inbound message schema (zod, the protocol's main entry): loaded with the first message the zod-free check refuses. */
let inboundSchema: Promise<typeof import("@openclaw/protocol")["InboundMessageSchema"]> | undefined;

/** Validate a message from a channel; the reason when it is malformed (logged, counted as a drop). */
async function parseInbound(raw: unknown, context: PipelineContext) {
  // a well-formed message needs no zod: the same result as the schema's (inbound-check.test.ts)
  const checked = checkInboundMessage(raw);
  if (checked) return { message: checked };
  inboundSchema ??= import("@openclaw/protocol").then((protocol) => protocol.InboundMessageSchema);
  const parsed = (await inboundSchema).safeParse(raw);
  if (parsed.success) return { message: parsed.data };
  const reason = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
  const partial = raw as { channel?: string; accountId?: string } | undefined;
  context.logger.warn(`inbound rejected (malformed): ${reason}`);
  context.emit({
    type: "drop",
    channel: String(partial?.channel ?? "?"),
    accountId: String(partial?.accountId ?? "?"),
    reason: "malformed",
  });
  return { reason };
}

/**
 * The one path an inbound message takes: journal (durable before the vendor offset is acked) →
 * dedupe → access → route → debounce → hand-over to the assistant → delivery in the session's
 * reply order → inbox entry closed.
 */
export function createInboundPipeline(options: InboundPipelineOptions): InboundPipeline {
  const { journal, logger } = options;
  const processing = new Set<string>();
  const intake = createSerialLanes();
  const order = new ReplyOrder();
  /** Debounced turns by session + sender; `fired` settles when the turn is handed over (or dropped by stop). */
  const debounced = new Map<
    string,
    { entries: AdmittedMessage[]; timer: NodeJS.Timeout; fired: Promise<void>; release: () => void }
  >();
  const stopController = new AbortController();
  const { context, inFlight } = createPipelineContext(options, stopController.signal);
  const { emit, now, track } = context;
  const retry = { attempts: 5, minDelayMs: 500, maxDelayMs: 30_000, ...options.retry };
  const delivery = createDelivery(context, retry, options.sleep ?? defaultSleep);
  const gate = createAccessGate(context, options.pairing, delivery);
  const turns = createTurnHandover(context, options.assistant, delivery, order);

  function failed(entry: InboxEntry, error: unknown) {
    const text = error instanceof Error ? error.message : String(error);
    logger.error(`inbound processing failed: ${text}`, { key: entry.key });
    emit({
      type: "error",
      channel: entry.message.channel,
      accountId: entry.message.accountId,
      message: text,
    });
  }

  /** Debounce (`messages.inbound.debounceMs`): a sender's quick messages become one turn. */
  function buffer(item: AdmittedMessage, ms: number) {
    const key = `${item.route.sessionKey}|${item.entry.message.sender.id}`;
    const existing = debounced.get(key);
    if (existing) clearTimeout(existing.timer);
    const entries = [...(existing?.entries ?? []), item];
    let release = existing?.release;
    const fired = existing?.fired ?? new Promise<void>((resolve) => (release = resolve));
    const timer = setTimeout(() => {
      debounced.delete(key);
      track(turns.handOver(entries).catch((error) => failed(item.entry, error)));
      release?.();
    }, ms);
    debounced.set(key, { entries, timer, fired, release: release! });
  }

  /**
   * Access → route → debounce → hand-over, in arrival order per session. Resolves once the turn is
   * handed over (not answered), with the turn's promise boxed, so the session's next message does
   * not wait for this reply.
   */
  async function admit(entry: InboxEntry): Promise<{ turn?: Promise<void> }> {
    const route = routeInbound(options.getConfig(), entry.message);
    if (entry.replies) {
      // recovered with its reply journaled: deliver it, in order with the session's other replies
      const replies = entry.replies;
      return { turn: order.after(route.sessionKey, () => delivery.deliver(entry, replies)) };
    }
    // access checks run at once, side by side; the hand-over waits for the session's earlier messages
    const admission = gate.admit(entry, route);
    admission.catch(() => undefined);
    return intake.run(route.sessionKey, async () => {
      const admitted = await admission;
      if (!admitted) return {};
      // downloads only for admitted senders, before the hand-over so the session's order holds
      const resolved = entry.message.media.length
        ? await resolveInboundMedia(context, entry.message)
        : undefined;
      const item = { entry, route, wasMentioned: admitted.wasMentioned, ...(resolved ? { resolved } : {}) };
      const debounceMs = debounceMsFor(options.getConfig(), entry.message.channel);
      if (debounceMs > 0 && entry.message.media.length === 0 && !entry.message.command) {
        buffer(item, debounceMs);
        return {};
      }
      return { turn: turns.handOver([item]) };
    });
  }

  async function process(entry: InboxEntry): Promise<void> {
    if (processing.has(entry.key)) return;
    processing.add(entry.key);
    try {
      const { turn } = await admit(entry);
      await turn;
    } catch (error) {
      failed(entry, error);
    } finally {
      processing.delete(entry.key);
    }
  }

  return {
    async receive(raw) {
      const parsed = await parseInbound(raw, context);
      if (!parsed.message) return { status: "rejected", reason: parsed.reason };
      const message = parsed.message;
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
      while (inFlight.size > 0 || debounced.size > 0 || intake.size > 0 || order.size > 0) {
        const debounces = [...debounced.values()].map((item) => item.fired);
        await Promise.allSettled([...inFlight, ...intake.pending(), ...order.pending(), ...debounces]);
      }
    },
    sendText: delivery.sendText,
    sendInOrder(sessionKey, request) {
      return track(
        new Promise<{ messageIds: string[] }>((resolve, reject) => {
          order.after(sessionKey, () => delivery.sendText(request).then(resolve, reject)).catch(reject);
        }),
      );
    },
    stop() {
      stopController.abort();
      for (const { timer, release } of debounced.values()) {
        clearTimeout(timer);
        release();
      }
      debounced.clear();
    },
  };
}
