import {
  type ChannelAccountContext,
  ChannelError,
  type ChannelErrorCode,
  type ChannelPluginV1,
  escapeHtml,
  type InboundAck,
  type InboundMessageInput,
  type RenderedChunk,
  renderFormattedText,
} from "@openclaw/protocol";

export interface MockSentMessage {
  accountId: string;
  to: string;
  text: string;
  threadId?: string;
  replyToMessageId?: string;
  idempotencyKey: string;
  messageId: string;
  /** performance.now() when the channel "posted" it. */
  at: number;
}

export interface MockChannel {
  plugin: ChannelPluginV1<{ accountId: string; token?: string }>;
  /** Messages the channel "posted". */
  sent: MockSentMessage[];
  /** Deliver an inbound message as the vendor would (waits until the account is running). */
  inject(message: Partial<InboundMessageInput> & { text: string }, accountId?: string): Promise<InboundAck>;
  /** The next send fails with this code (once per call). `AMBIGUOUS_POSTED` posts, then fails. */
  failNextSend(code: ChannelErrorCode | "AMBIGUOUS_POSTED", retryAfterMs?: number): void;
  /** Resolves when `count` messages have been sent. */
  waitForSent(count: number): Promise<MockSentMessage[]>;
  /** Resolves when an account is running. */
  running(accountId?: string): Promise<void>;
}

/**
 * An in-memory ChannelPluginV1 for tests and plugin authors: renders the IR as HTML, records what
 * it sends, and lets tests inject inbound messages and send failures.
 */
export function createMockChannel(
  options: { id?: string; maxTextLength?: number; idempotentSend?: boolean } = {},
): MockChannel {
  const id = options.id ?? "mock";
  const sent: MockSentMessage[] = [];
  const contexts = new Map<string, ChannelAccountContext<{ accountId: string }>>();
  const runningWaiters = new Map<string, (() => void)[]>();
  const sentWaiters: { count: number; resolve: (v: MockSentMessage[]) => void }[] = [];
  const failures: { code: ChannelErrorCode | "AMBIGUOUS_POSTED"; retryAfterMs?: number }[] = [];
  const postedKeys = new Map<string, string>();
  let nextId = 1;
  let seq = 1;

  const record = (message: MockSentMessage) => {
    sent.push(message);
    for (const waiter of [...sentWaiters]) {
      if (sent.length >= waiter.count) {
        sentWaiters.splice(sentWaiters.indexOf(waiter), 1);
        waiter.resolve(sent.slice());
      }
    }
  };

  const plugin: MockChannel["plugin"] = {
    specificationVersion: "v1",
    id,
    meta: { label: `Mock (${id})` },
    capabilities: {
      chatTypes: ["direct", "group", "channel", "thread"],
      threads: true,
      reactions: false,
      media: false,
      edits: false,
      maxTextLength: options.maxTextLength ?? 4096,
      idempotentSend: options.idempotentSend ?? false,
    },
    config: {
      listAccountIds: (block) => {
        const accounts = (block?.accounts ?? {}) as Record<string, unknown>;
        const ids = Object.keys(accounts);
        return ids.length > 0 ? ids : ["default"];
      },
      resolveAccount: (block, accountId) => {
        const accounts = (block?.accounts ?? {}) as Record<string, Record<string, unknown>>;
        const token = (accounts[accountId]?.token ?? block?.token) as string | undefined;
        return token ? { accountId, token } : { accountId };
      },
    },
    gateway: {
      async startAccount(ctx) {
        contexts.set(ctx.accountId, ctx);
        ctx.setStatus({ connected: true, self: { id: "bot", username: "mockbot" } });
        for (const resolve of runningWaiters.get(ctx.accountId) ?? []) resolve();
        runningWaiters.delete(ctx.accountId);
        await new Promise<void>((resolve) =>
          ctx.abortSignal.addEventListener("abort", () => resolve(), { once: true }),
        );
        contexts.delete(ctx.accountId);
      },
    },
    outbound: {
      render: (ir): RenderedChunk => ({
        ir,
        parseMode: "html",
        text: renderFormattedText(
          ir,
          (span) =>
            span.style === "link"
              ? { open: `<a href="${escapeHtml(span.href ?? "")}">`, close: "</a>" }
              : { open: `<${span.style}>`, close: `</${span.style}>` },
          escapeHtml,
        ),
      }),
      async sendText(request) {
        if (options.idempotentSend) {
          const existing = postedKeys.get(request.idempotencyKey);
          if (existing) return { messageId: existing };
        }
        const failure = failures.shift();
        const post = () => {
          const messageId = String(nextId++);
          if (options.idempotentSend) postedKeys.set(request.idempotencyKey, messageId);
          record({
            accountId: request.accountId,
            to: request.to,
            text: request.chunk.text,
            idempotencyKey: request.idempotencyKey,
            messageId,
            at: performance.now(),
            ...(request.threadId ? { threadId: request.threadId } : {}),
            ...(request.replyToMessageId ? { replyToMessageId: request.replyToMessageId } : {}),
          });
          return messageId;
        };
        if (failure) {
          if (failure.code === "AMBIGUOUS_POSTED") {
            post();
            throw new ChannelError("AMBIGUOUS", "connection dropped after the request was sent");
          }
          throw new ChannelError(
            failure.code,
            `mock ${failure.code}`,
            failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {},
          );
        }
        return { messageId: post() };
      },
    },
    pairing: { idLabel: "mock user id" },
    status: { probe: async () => ({ ok: true, self: { id: "bot", username: "mockbot" } }) },
  };

  const running = (accountId = "default") =>
    contexts.has(accountId)
      ? Promise.resolve()
      : new Promise<void>((resolve) =>
          runningWaiters.set(accountId, [...(runningWaiters.get(accountId) ?? []), resolve]),
        );

  return {
    plugin,
    sent,
    async inject(message, accountId = "default") {
      await running(accountId);
      const ctx = contexts.get(accountId);
      if (!ctx) throw new Error(`mock account ${accountId} not running`);
      const n = seq++;
      return ctx.inbound({
        channel: id,
        accountId,
        messageId: String(n),
        chat: { type: "direct", id: "100" },
        sender: { id: "100", username: "alice" },
        timestamp: Date.now(),
        ...message,
      });
    },
    failNextSend(code, retryAfterMs) {
      failures.push(retryAfterMs !== undefined ? { code, retryAfterMs } : { code });
    },
    waitForSent(count) {
      if (sent.length >= count) return Promise.resolve(sent.slice());
      return new Promise((resolve) => sentWaiters.push({ count, resolve }));
    },
    running,
  };
}
