import type { Server } from "node:http";
import { createConcurrentSink, createRunner, createSource, type UpdateSupplier } from "@grammyjs/runner";
import {
  type ChannelAccountContext,
  ChannelError,
  type ChannelPluginV1,
  fetchCapped,
  type InboundMessageInput,
} from "@openclaw/protocol/channel";
import { Bot, GrammyError, HttpError, webhookCallback } from "grammy";
import type { Update } from "grammy/types";
import {
  listTelegramAccountIds,
  resolveTelegramAccount,
  type TelegramAccount,
  telegramConfigSchema,
} from "./config.js";
import { type BotIdentity, normalizeTelegramMessage } from "./normalize.js";
import { renderTelegramHtml } from "./render.js";

export const TELEGRAM_TEXT_LIMIT = 4096;

// Not `import … from "node:http"`: Node's ES-module facade of `node:http` reads every export,
// including the lazy `WebSocket` getter that loads Node's bundled undici (~3 MB resident for a
// connected bot that never uses it; docs/gateway.md "Memory").
const { createServer } = process.getBuiltinModule("node:http");

/** grammY types its signals with the abort-controller polyfill; native signals work at runtime. */
type GrammySignal = Parameters<Bot["api"]["getMe"]>[0];
const sig = (signal: AbortSignal | undefined) => signal as unknown as GrammySignal;

export interface TelegramChannelOptions {
  /** Environment for `TELEGRAM_BOT_TOKEN` (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** Turn a grammY failure into a ChannelError the host can act on. */
export function toChannelError(error: unknown): ChannelError {
  if (ChannelError.isInstance(error)) return error;
  if (error instanceof GrammyError) {
    const code = error.error_code;
    const retryAfter = error.parameters?.retry_after;
    if (code === 429)
      return new ChannelError("NOT_SENT", error.description, {
        vendorStatus: code,
        ...(retryAfter !== undefined ? { retryAfterMs: retryAfter * 1000 } : {}),
        cause: error,
      });
    if (code === 401 || code === 404)
      return new ChannelError("UNAUTHORIZED", `invalid bot token (${code} ${error.description})`, {
        vendorStatus: code,
        cause: error,
      });
    if (code >= 500)
      return new ChannelError("AMBIGUOUS", error.description, { vendorStatus: code, cause: error });
    return new ChannelError("REJECTED", error.description, { vendorStatus: code, cause: error });
  }
  if (error instanceof HttpError) {
    const inner = error.error as { code?: string; message?: string } | undefined;
    const code = inner?.code ?? (inner as { cause?: { code?: string } } | undefined)?.cause?.code;
    if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN")
      return new ChannelError("NOT_SENT", `network: ${code}`, { cause: error });
    return new ChannelError("AMBIGUOUS", `network: ${inner?.message ?? error.message}`, { cause: error });
  }
  return new ChannelError("AMBIGUOUS", error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}

type ApiTransformer = Parameters<Bot["api"]["config"]["use"]>[0];

/**
 * Send hooks by request signal: the host's `onDispatch` runs when the request leaves the throttle
 * queue (the transformer nearest the network), not when it enters it.
 */
const dispatchHooks = new WeakMap<object, () => Promise<void>>();

const dispatchTransformer: ApiTransformer = async (prev, method, payload, signal) => {
  const hook = signal ? dispatchHooks.get(signal) : undefined;
  if (hook) {
    dispatchHooks.delete(signal as object);
    await hook();
  }
  return prev(method, payload, signal);
};

/** A per-request signal that carries `onDispatch` to the dispatch transformer. */
function dispatchSignal(request: { signal?: AbortSignal; onDispatch?: () => Promise<void> }) {
  const signal = request.signal ? AbortSignal.any([request.signal]) : new AbortController().signal;
  if (request.onDispatch) dispatchHooks.set(signal, request.onDispatch);
  return sig(signal);
}

/**
 * Status calls (typing, ack reaction) are best-effort: they never wait in the per-chat throttle
 * queue, so the chat's budget goes to the replies. Typing is sent at most once per chat per 4 s
 * (Telegram shows it for 5 s); a failed status call is dropped, never retried.
 */
const BEST_EFFORT_METHODS = new Set(["sendChatAction", "setMessageReaction"]);

function replyFirstThrottler(throttle: ApiTransformer): ApiTransformer {
  return (prev, method, payload, signal) =>
    BEST_EFFORT_METHODS.has(method) ? prev(method, payload, signal) : throttle(prev, method, payload, signal);
}

type ThrottlerOptions = Exclude<TelegramAccount["throttle"], false>;

/**
 * grammY's throttler (Bottleneck) for calls that target a chat — it passes every other call
 * through — loaded with the first such call: a connected bot that has not sent anything yet does
 * not hold it.
 */
function lazyThrottler(options: ThrottlerOptions): ApiTransformer {
  let throttle: Promise<ApiTransformer> | undefined;
  return async (prev, method, payload, signal) => {
    if (!payload || !("chat_id" in payload)) return prev(method, payload, signal);
    throttle ??= import("@grammyjs/transformer-throttler").then(({ apiThrottler }) =>
      apiThrottler(options as Parameters<typeof apiThrottler>[0]),
    );
    return (await throttle)(prev, method, payload, signal);
  };
}

/** One grammY Bot per account (outbound uses it even before the monitor is up). */
function createBot(account: TelegramAccount): Bot {
  if (!account.botToken)
    throw new ChannelError(
      "UNAUTHORIZED",
      "no bot token configured (channels.telegram.botToken or TELEGRAM_BOT_TOKEN)",
    );
  const bot = new Bot(account.botToken, {
    client: {
      ...(account.apiRoot ? { apiRoot: account.apiRoot } : {}),
      timeoutSeconds: account.pollTimeoutSeconds + 15,
    },
  });
  // installed first = innermost: runs after the throttler released the request
  bot.api.config.use(dispatchTransformer);
  if (account.throttle !== false) bot.api.config.use(replyFirstThrottler(lazyThrottler(account.throttle)));
  return bot;
}

interface UpdateHandler {
  handleUpdate(update: Update): Promise<void>;
}

/** Hand a message (or channel post) to the host; edits and other update types are ignored. */
async function dispatchUpdate(
  ctx: ChannelAccountContext<TelegramAccount>,
  me: BotIdentity,
  update: Update,
): Promise<void> {
  let message: InboundMessageInput | undefined;
  if (update.message) message = normalizeTelegramMessage(update.message as never, ctx.accountId, me);
  else if (update.edited_message) {
    ctx.logger.debug("ignoring edited_message", { chatId: update.edited_message.chat.id });
    return;
  } else if (update.channel_post)
    message = normalizeTelegramMessage(update.channel_post as never, ctx.accountId, me, true);
  else {
    const types = Object.keys(update).filter((k) => k !== "update_id");
    ctx.logger.debug(`ignoring update type: ${types.join(",") || "empty"}`);
    return;
  }
  if (!message) return;
  const ack = await ctx.inbound(message);
  if (ack.status === "rejected") ctx.logger.warn(`telegram message rejected: ${ack.reason}`);
}

/**
 * The Telegram channel on grammY: long polling through @grammyjs/runner (the offset advances only
 * after the host journaled every update of the batch), or webhook mode (Telegram gets its 200 only
 * after journaling). Renders the IR as Telegram HTML; 4096-character messages.
 */
export function createTelegramChannel(
  options: TelegramChannelOptions = {},
): ChannelPluginV1<TelegramAccount> {
  const env = options.env ?? process.env;
  const bots = new Map<string, Bot>();
  const botFor = (account: TelegramAccount) => {
    const key = `${account.accountId}:${account.botToken}:${account.apiRoot ?? ""}`;
    let bot = bots.get(key);
    if (!bot) {
      bot = createBot(account);
      bots.set(key, bot);
    }
    return bot;
  };

  async function monitor(ctx: ChannelAccountContext<TelegramAccount>): Promise<void> {
    const account = ctx.account;
    const bot = botFor(account);
    let me: BotIdentity;
    try {
      const info = await bot.api.getMe(sig(ctx.abortSignal));
      me = { id: info.id, username: info.username };
      bot.botInfo = info;
    } catch (error) {
      throw toChannelError(error);
    }
    ctx.setStatus({
      self: { id: String(me.id), username: me.username },
      details: { mode: account.webhookUrl ? "webhook" : "polling" },
    });

    // the account's one Bot polls and sends; updates are dispatched here (no second Bot)
    const handler: UpdateHandler = { handleUpdate: (update) => dispatchUpdate(ctx, me, update) };
    if (account.webhookUrl) return runWebhook(ctx, bot, handler);
    return runPolling(ctx, bot, handler);
  }

  async function runPolling(
    ctx: ChannelAccountContext<TelegramAccount>,
    bot: Bot,
    handler: UpdateHandler,
  ): Promise<void> {
    await bot.api.deleteWebhook(undefined, sig(ctx.abortSignal)).catch((error) => {
      throw toChannelError(error);
    });
    // getMe and deleteWebhook answered: the Bot API is reachable with this token.
    ctx.setStatus({ connected: true });
    let offset = 0;
    let batch: { id: number; done: Promise<boolean> }[] = [];
    const settle = new Map<number, (ok: boolean) => void>();
    const failed = new Map<number, number>();
    const supplier: UpdateSupplier<Update> = {
      supply: async (batchSize, signal) => {
        // Acknowledge (advance the offset past) only updates the host journaled.
        const results = await Promise.all(batch.map(async (b) => ({ id: b.id, ok: await b.done })));
        for (const r of results) {
          if (!r.ok) break;
          offset = Math.max(offset, r.id + 1);
        }
        batch = [];
        let raw: unknown[];
        try {
          raw = (await bot.api.getUpdates(
            { offset, limit: Math.max(1, Math.min(batchSize, 100)), timeout: ctx.account.pollTimeoutSeconds },
            signal as unknown as GrammySignal,
          )) as unknown[];
        } catch (error) {
          if (signal.aborted) throw error;
          throw toChannelError(error);
        }
        ctx.setStatus({ connected: true });
        const updates: Update[] = [];
        for (const update of raw) {
          const id = (update as { update_id?: unknown } | null)?.update_id;
          if (typeof id !== "number") {
            ctx.logger.warn("malformed update without update_id ignored", {
              update: JSON.stringify(update).slice(0, 200),
            });
            continue;
          }
          let resolve: (ok: boolean) => void = () => undefined;
          const done = new Promise<boolean>((r) => (resolve = r));
          settle.set(id, resolve);
          batch.push({ id, done });
          updates.push(update as Update);
        }
        return updates;
      },
    };
    const sink = createConcurrentSink<Update, unknown>(
      {
        consume: async (update) => {
          let ok = true;
          try {
            await handler.handleUpdate(update);
          } catch (error) {
            // Not journaled: leave the offset so Telegram redelivers (dedupe makes that safe), but
            // give up on an update that keeps failing so one bad update cannot wedge the bot.
            const failures = (failed.get(update.update_id) ?? 0) + 1;
            failed.set(update.update_id, failures);
            ok = failures >= 3;
            ctx.logger.warn(
              `update ${update.update_id} failed (attempt ${failures}): ${error instanceof Error ? error.message : String(error)}`,
            );
          } finally {
            settle.get(update.update_id)?.(ok);
            settle.delete(update.update_id);
          }
        },
      },
      async (error) => {
        ctx.logger.warn(`update handling failed: ${String(error)}`);
      },
      { concurrency: 100 },
    );
    const runner = createRunner(createSource(supplier), sink);
    runner.start();
    const stop = () => void runner.stop();
    ctx.abortSignal.addEventListener("abort", stop, { once: true });
    try {
      await runner.task();
    } finally {
      ctx.abortSignal.removeEventListener("abort", stop);
      if (runner.isRunning()) await runner.stop();
      ctx.setStatus({ connected: false });
    }
  }

  async function runWebhook(
    ctx: ChannelAccountContext<TelegramAccount>,
    bot: Bot,
    handler: UpdateHandler,
  ): Promise<void> {
    const account = ctx.account;
    // grammY's webhook adapter (secret check, timeout) only needs these three of a Bot
    const receiver = {
      isRunning: () => false,
      init: async () => undefined,
      handleUpdate: handler.handleUpdate,
    };
    const callback = webhookCallback(receiver as unknown as Bot, "http", {
      ...(account.webhookSecret ? { secretToken: account.webhookSecret } : {}),
      timeoutMilliseconds: 9_000,
      onTimeout: "throw",
    });
    const server: Server = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (req.method !== "POST" || path !== account.webhookPath) {
        res.writeHead(404).end();
        return;
      }
      callback(req, res).catch((error: unknown) => {
        ctx.logger.warn(`webhook update failed: ${String(error)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(account.webhookPort, account.webhookHost, () => resolve());
    });
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : account.webhookPort;
    const url = (account.webhookUrl ?? "").replace("{port}", String(port));
    try {
      await bot.api.setWebhook(url, {
        ...(account.webhookSecret ? { secret_token: account.webhookSecret } : {}),
      });
    } catch (error) {
      server.close();
      throw toChannelError(error);
    }
    ctx.setStatus({
      connected: true,
      details: { mode: "webhook", webhookUrl: url, listen: `${account.webhookHost}:${port}` },
    });
    await new Promise<void>((resolve) =>
      ctx.abortSignal.addEventListener("abort", () => resolve(), { once: true }),
    );
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections?.();
  }

  const threadParams = (threadId?: string) => (threadId ? { message_thread_id: Number(threadId) } : {});
  const lastTyping = new Map<string, number>();
  const TYPING_EVERY_MS = 4_000;

  return {
    specificationVersion: "v1",
    id: "telegram",
    meta: {
      label: "Telegram",
      blurb: "Telegram bot (grammY): DMs, groups, forum topics",
      docsPath: "/channels/telegram",
    },
    capabilities: {
      chatTypes: ["direct", "group", "channel", "thread"],
      threads: true,
      reactions: true,
      media: true,
      edits: true,
      maxTextLength: TELEGRAM_TEXT_LIMIT,
      nativeCommands: true,
      idempotentSend: false,
      reportsDispatch: true,
    },
    /** Built (and zod loaded) on first read: connecting checks the block without zod. */
    get configSchema() {
      return telegramConfigSchema();
    },
    config: {
      listAccountIds: (block) => listTelegramAccountIds(block),
      resolveAccount: (block, accountId) => resolveTelegramAccount(block, accountId, env),
      unconfiguredReason: (account) =>
        account.botToken ? undefined : "no bot token (set channels.telegram.botToken or TELEGRAM_BOT_TOKEN)",
      isEnabled: (account) => account.enabled,
    },
    gateway: {
      startAccount: monitor,
      async logoutAccount({ account }) {
        if (account.botToken)
          await botFor(account)
            .api.deleteWebhook()
            .catch(() => undefined);
      },
    },
    media: {
      /** `getFile`, then `GET <apiRoot>/file/bot<token>/<file_path>` (bots can fetch files up to 20 MB). */
      async download({ account, media, maxBytes, signal }) {
        const file = await botFor(account).api.getFile(media.ref, sig(signal));
        if (!file.file_path) throw new Error("Telegram gave no file path for this file");
        const root = account.apiRoot ?? "https://api.telegram.org";
        return fetchCapped(
          `${root}/file/bot${account.botToken}/${file.file_path}`,
          signal ? { signal } : {},
          maxBytes,
        );
      },
    },
    outbound: {
      render: renderTelegramHtml,
      async sendText(request) {
        const bot = botFor(request.account);
        const base = {
          ...threadParams(request.threadId),
          ...(request.replyToMessageId
            ? {
                reply_parameters: {
                  message_id: Number(request.replyToMessageId),
                  allow_sending_without_reply: true,
                },
              }
            : {}),
          link_preview_options: { is_disabled: true },
        };
        try {
          const sent = await bot.api.sendMessage(
            request.to,
            request.chunk.text,
            { parse_mode: "HTML", ...base },
            dispatchSignal(request),
          );
          return { messageId: String(sent.message_id) };
        } catch (error) {
          // Markup Telegram refuses ("can't parse entities") is re-sent as plain text: the user still gets the words.
          if (
            error instanceof GrammyError &&
            error.error_code === 400 &&
            /parse entities/i.test(error.description)
          ) {
            const sent = await bot.api
              .sendMessage(request.to, request.chunk.ir.text, base, sig(request.signal))
              .catch((e) => {
                throw toChannelError(e);
              });
            return { messageId: String(sent.message_id) };
          }
          throw toChannelError(error);
        }
      },
      async editText(request) {
        try {
          await botFor(request.account).api.editMessageText(
            request.to,
            Number(request.messageId),
            request.chunk.text,
            { parse_mode: "HTML" },
            sig(request.signal),
          );
          return { messageId: request.messageId };
        } catch (error) {
          // The draft already shows exactly this text: nothing to change is success.
          if (error instanceof GrammyError && /message is not modified/i.test(error.description))
            return { messageId: request.messageId };
          throw toChannelError(error);
        }
      },
      async sendMedia(request) {
        const bot = botFor(request.account);
        const url = request.media.url;
        if (!url) throw new ChannelError("REJECTED", "telegram sendMedia needs a URL");
        try {
          const options = {
            ...threadParams(request.threadId),
            ...(request.caption ? { caption: request.caption.text, parse_mode: "HTML" as const } : {}),
          };
          const sent = /\.(png|jpe?g|gif|webp)(\?|$)/i.test(url)
            ? await bot.api.sendPhoto(request.to, url, options, dispatchSignal(request))
            : await bot.api.sendDocument(request.to, url, options, dispatchSignal(request));
          return { messageId: String(sent.message_id) };
        } catch (error) {
          throw toChannelError(error);
        }
      },
      async sendTyping(request) {
        const key = `${request.accountId}:${request.to}:${request.threadId ?? ""}`;
        const now = Date.now();
        if (now - (lastTyping.get(key) ?? Number.NEGATIVE_INFINITY) < TYPING_EVERY_MS) return;
        // oldest first: the chats whose throttle ran out are dropped from the front
        lastTyping.delete(key);
        lastTyping.set(key, now);
        for (const [chat, at] of lastTyping) {
          if (now - at < TYPING_EVERY_MS && lastTyping.size <= 10_000) break;
          lastTyping.delete(chat);
        }
        await botFor(request.account)
          .api.sendChatAction(request.to, "typing", threadParams(request.threadId))
          .catch(() => undefined);
      },
      async react(request) {
        await botFor(request.account)
          .api.setMessageReaction(request.to, Number(request.messageId), [
            { type: "emoji", emoji: request.emoji as "👀" },
          ])
          .catch(() => undefined);
      },
    },
    pairing: {
      idLabel: "Telegram user id",
      normalizeAllowEntry: (entry) => entry.replace(/^(telegram|tg):/i, ""),
    },
    status: {
      async probe({ account, timeoutMs }) {
        const started = Date.now();
        if (!account.botToken) return { ok: false, error: "no bot token configured" };
        try {
          const me = await botFor(account).api.getMe(sig(AbortSignal.timeout(timeoutMs)));
          return {
            ok: true,
            self: { id: String(me.id), username: me.username },
            elapsedMs: Date.now() - started,
          };
        } catch (error) {
          return { ok: false, error: toChannelError(error).message, elapsedMs: Date.now() - started };
        }
      },
    },
  };
}

/** Default instance (reads TELEGRAM_BOT_TOKEN from process.env). */
export const telegram = createTelegramChannel();
