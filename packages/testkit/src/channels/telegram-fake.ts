import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import callbackQuery from "./__fixtures__/telegram/callback-query.json" with { type: "json" };
import command from "./__fixtures__/telegram/command.json" with { type: "json" };
import forumTopic from "./__fixtures__/telegram/forum-topic.json" with { type: "json" };
import groupMention from "./__fixtures__/telegram/group-mention.json" with { type: "json" };
import photo from "./__fixtures__/telegram/photo.json" with { type: "json" };
import privateText from "./__fixtures__/telegram/private-text.json" with { type: "json" };
import { Conditions } from "./conditions.js";

/** Recorded-shape Telegram updates (copy and tweak with `telegramUpdate`). */
export const telegramFixtures = {
  privateText,
  groupMention,
  forumTopic,
  command,
  callbackQuery,
  photo,
} as const;

type Json = Record<string, unknown>;

export interface FakeTelegramCall {
  method: string;
  params: Json;
  at: number;
}

export interface FakeTelegramSent {
  method: "sendMessage" | "editMessageText" | "sendPhoto" | "sendDocument";
  chatId: string;
  text: string;
  parseMode?: string;
  messageThreadId?: number;
  replyToMessageId?: number;
  messageId: number;
}

export type FakeTelegramFault =
  | { kind: "rate-limit"; method: string; retryAfter: number }
  | { kind: "drop-after-processing"; method: string }
  | { kind: "drop-before-processing"; method: string }
  | { kind: "delay"; method: string; ms: number }
  | { kind: "server-error"; method: string }
  /** Never answer (the request stays open until `close()`). */
  | { kind: "hold"; method: string };

export interface FakeTelegramOptions {
  token?: string;
  bot?: { id: number; username: string; first_name?: string };
  /** Cap for getUpdates long-poll `timeout`, seconds (default 1, so tests stay fast). */
  maxPollSeconds?: number;
}

/**
 * A fake Telegram Bot API server on 127.0.0.1:0 speaking the real HTTP wire format
 * (`/bot<token>/<method>`, `{ok, result}` / `{ok:false, error_code, description, parameters}`).
 * Point grammY's `client.apiRoot` (OpenClaw's `channels.telegram.apiRoot`) at `url`.
 */
export class FakeTelegramServer {
  readonly token: string;
  readonly bot: { id: number; is_bot: true; first_name: string; username: string };
  url = "";
  readonly calls: FakeTelegramCall[] = [];
  /** Files by file_id: `getFile` answers their `file_path`, `GET /file/bot<token>/<file_path>` serves them. */
  readonly files = new Map<string, { path: string; data: Uint8Array }>();
  /** File paths downloaded, in order. */
  readonly fileDownloads: string[] = [];
  readonly sent: FakeTelegramSent[] = [];
  readonly chatActions: { chatId: string; action: string }[] = [];
  /** Updates not yet confirmed by a getUpdates offset. */
  private queue: Json[] = [];
  private nextUpdateId = 900_000_001;
  private nextMessageId = 10_000;
  /** Highest offset a client confirmed (`offset` param of getUpdates). */
  confirmedOffset = 0;
  /** Requests refused with 401 (wrong token) — a reconnect storm would make this grow. */
  unauthorizedRequests = 0;
  webhook: { url: string; secretToken?: string } | undefined;
  private readonly faults: FakeTelegramFault[] = [];
  private readonly pollers = new Set<() => void>();
  private readonly conditions = new Conditions("FakeTelegramServer");
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private readonly maxPollSeconds: number;

  constructor(options: FakeTelegramOptions = {}) {
    this.token = options.token ?? "123456789:AAFakeTokenForTestsOnly_abcdefghijk";
    this.bot = {
      id: options.bot?.id ?? 123456789,
      is_bot: true,
      first_name: options.bot?.first_name ?? "OpenClaw Test",
      username: options.bot?.username ?? "openclaw_test_bot",
    };
    this.maxPollSeconds = options.maxPollSeconds ?? 1;
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const wake of this.pollers) wake();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Queue an update (an `update_id` is assigned unless given). Returns it. */
  inject(update: Json): Json {
    const full = {
      ...update,
      update_id: typeof update.update_id === "number" ? update.update_id : this.nextUpdateId++,
    };
    if (typeof full.update_id === "number" && full.update_id >= this.nextUpdateId)
      this.nextUpdateId = full.update_id + 1;
    this.queue.push(full);
    for (const wake of this.pollers) wake();
    if (this.webhook) void this.pushWebhook(full);
    this.notify();
    return full;
  }

  /** Inject a raw, possibly malformed update (no update_id assignment). */
  injectRaw(update: unknown): void {
    this.queue.push(update as Json);
    for (const wake of this.pollers) wake();
    this.notify();
  }

  /** Deliver an already-confirmed update again, as Telegram sometimes does after a timeout. */
  redeliver(update: Json): void {
    this.queue.push({ ...update, update_id: this.nextUpdateId++ });
    for (const wake of this.pollers) wake();
    this.notify();
  }

  /** Script a fault for the next call of `fault.method`. */
  fault(fault: FakeTelegramFault): void {
    this.faults.push(fault);
  }

  /** Resolves when `check()` is true (re-checked after every request). */
  waitFor(check: () => boolean): Promise<void> {
    return this.conditions.wait(check);
  }

  waitForSent(count: number): Promise<FakeTelegramSent[]> {
    return this.waitFor(() => this.sent.length >= count).then(() => this.sent.slice());
  }

  repliesTo(chatId: string | number): FakeTelegramSent[] {
    return this.sent.filter((s) => s.chatId === String(chatId) && s.method !== "editMessageText");
  }

  get pendingUpdates(): number {
    return this.queue.length;
  }

  private notify() {
    this.conditions.notify();
  }

  private takeFault(method: string): FakeTelegramFault | undefined {
    const index = this.faults.findIndex((f) => f.method === method);
    return index >= 0 ? this.faults.splice(index, 1)[0] : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (download && req.method === "GET") {
      const stored = [...this.files.values()].find((file) => file.path === download[2]);
      if (download[1] !== this.token || !stored) return void res.writeHead(404).end();
      this.fileDownloads.push(stored.path);
      res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": stored.data.byteLength,
      });
      return void res.end(stored.data);
    }
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const body = await readBody(req);
    const reply = (status: number, payload: Json) => {
      if (res.destroyed) return;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
      this.notify();
    };
    if (!match) return reply(404, { ok: false, error_code: 404, description: "Not Found" });
    const [, token, method = ""] = match;
    if (token !== this.token) this.unauthorizedRequests++;
    if (token !== this.token) return reply(401, { ok: false, error_code: 401, description: "Unauthorized" });
    let params: Json;
    try {
      params = parseParams(req.headers["content-type"], body, url);
    } catch {
      return reply(400, { ok: false, error_code: 400, description: "Bad Request: invalid JSON" });
    }
    this.calls.push({ method, params, at: Date.now() });
    const fault = this.takeFault(method);
    if (fault?.kind === "rate-limit")
      return reply(429, {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${fault.retryAfter}`,
        parameters: { retry_after: fault.retryAfter },
      });
    if (fault?.kind === "drop-before-processing") {
      req.socket.destroy();
      this.notify();
      return;
    }
    if (fault?.kind === "hold") {
      this.notify();
      return;
    }
    if (fault?.kind === "server-error")
      return reply(502, { ok: false, error_code: 502, description: "Bad Gateway" });
    if (fault?.kind === "delay") await new Promise((r) => setTimeout(r, fault.ms));
    const result = await this.dispatch(method, params, req);
    if (fault?.kind === "drop-after-processing") {
      req.socket.destroy();
      this.notify();
      return;
    }
    if ("error" in result)
      return reply(result.error.code, {
        ok: false,
        error_code: result.error.code,
        description: result.error.description,
      });
    reply(200, { ok: true, result: result.ok });
  }

  private async dispatch(
    method: string,
    params: Json,
    req: IncomingMessage,
  ): Promise<{ ok: unknown } | { error: { code: number; description: string } }> {
    const bad = (description: string) => ({
      error: { code: 400, description: `Bad Request: ${description}` },
    });
    switch (method) {
      case "getMe":
        return { ok: this.bot };
      case "getUpdates": {
        if (this.webhook)
          return {
            error: {
              code: 409,
              description:
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            },
          };
        const offset = Number(params.offset ?? 0);
        const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100)));
        const timeout = Math.min(this.maxPollSeconds, Number(params.timeout ?? 0));
        if (offset > 0) {
          this.confirmedOffset = Math.max(this.confirmedOffset, offset);
          this.queue = this.queue.filter((u) => typeof u.update_id !== "number" || u.update_id >= offset);
        }
        const available = () => this.queue.slice(0, limit);
        if (available().length === 0 && timeout > 0) {
          await new Promise<void>((resolve) => {
            const wake = () => {
              clearTimeout(timer);
              this.pollers.delete(wake);
              // keep-alive sockets serve many polls: one close listener at a time
              req.socket.off("close", wake);
              resolve();
            };
            const timer = setTimeout(wake, timeout * 1000);
            this.pollers.add(wake);
            req.socket.once("close", wake);
          });
        }
        this.notify();
        return { ok: available() };
      }
      case "sendMessage":
      case "editMessageText": {
        const text = String(params.text ?? "");
        const chatId = params.chat_id;
        if (chatId === undefined || chatId === "") return bad("chat_id is empty");
        if (!text.trim()) return bad("message text is empty");
        const parseMode = params.parse_mode as string | undefined;
        const visible = parseMode === "HTML" ? htmlVisibleText(text) : text;
        if (visible === undefined) return bad("can't parse entities: unsupported start tag or unclosed tag");
        if (visible.length > 4096) return bad("message is too long");
        if (method === "editMessageText") {
          const previous = [...this.sent]
            .reverse()
            .find((m) => m.messageId === Number(params.message_id) && m.chatId === String(chatId));
          if (!previous) return bad("message to edit not found");
          if (previous.text === text)
            return bad(
              "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
            );
        }
        const replyTo =
          (params.reply_parameters as Json | undefined)?.message_id ?? params.reply_to_message_id;
        const messageId = method === "editMessageText" ? Number(params.message_id) : this.nextMessageId++;
        this.sent.push({
          method,
          chatId: String(chatId),
          text,
          messageId,
          ...(parseMode ? { parseMode } : {}),
          ...(params.message_thread_id !== undefined
            ? { messageThreadId: Number(params.message_thread_id) }
            : {}),
          ...(replyTo !== undefined ? { replyToMessageId: Number(replyTo) } : {}),
        });
        return {
          ok: {
            message_id: messageId,
            date: Math.floor(Date.now() / 1000),
            chat: { id: Number(chatId), type: Number(chatId) < 0 ? "supergroup" : "private" },
            from: this.bot,
            text: visible,
          },
        };
      }
      case "sendPhoto":
      case "sendDocument": {
        const messageId = this.nextMessageId++;
        this.sent.push({
          method,
          chatId: String(params.chat_id),
          text: String(params.caption ?? ""),
          messageId,
        });
        return {
          ok: {
            message_id: messageId,
            date: Math.floor(Date.now() / 1000),
            chat: { id: Number(params.chat_id), type: "private" },
          },
        };
      }
      case "sendChatAction":
        this.chatActions.push({ chatId: String(params.chat_id), action: String(params.action) });
        return { ok: true };
      case "setWebhook": {
        const target = String(params.url ?? "");
        if (!target) return this.deleteWebhook();
        this.webhook = {
          url: target,
          ...(params.secret_token ? { secretToken: String(params.secret_token) } : {}),
        };
        for (const update of this.queue) void this.pushWebhook(update);
        return { ok: true };
      }
      case "deleteWebhook":
        if (params.drop_pending_updates === true || params.drop_pending_updates === "true") this.queue = [];
        return this.deleteWebhook();
      case "getWebhookInfo":
        return {
          ok: {
            url: this.webhook?.url ?? "",
            has_custom_certificate: false,
            pending_update_count: this.queue.length,
          },
        };
      case "setMyCommands":
      case "deleteMyCommands":
      case "answerCallbackQuery":
      case "setMessageReaction":
        return { ok: true };
      case "getFile": {
        const stored = this.files.get(String(params.file_id));
        if (!stored) return { error: { code: 400, description: "Bad Request: invalid file_id" } };
        return {
          ok: {
            file_id: params.file_id,
            file_unique_id: `u${String(params.file_id).slice(-8)}`,
            file_size: stored.data.byteLength,
            file_path: stored.path,
          },
        };
      }
      default:
        return { error: { code: 404, description: "Not Found: method not found" } };
    }
  }

  private deleteWebhook() {
    this.webhook = undefined;
    return { ok: true };
  }

  /** Webhook delivery: POST the update; a non-2xx answer or a network error keeps it queued for redelivery. */
  private async pushWebhook(update: Json): Promise<void> {
    const hook = this.webhook;
    if (!hook) return;
    try {
      const response = await fetch(hook.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(hook.secretToken ? { "x-telegram-bot-api-secret-token": hook.secretToken } : {}),
        },
        body: JSON.stringify(update),
      });
      await response.arrayBuffer();
      if (response.ok) this.queue = this.queue.filter((u) => u !== update);
    } catch {
      // keep it queued; Telegram retries later
    }
    this.notify();
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseParams(contentType: string | undefined, body: Buffer, url: URL): Json {
  const params: Json = Object.fromEntries(url.searchParams);
  if (body.length === 0) return params;
  if (contentType?.includes("application/json"))
    return { ...params, ...(JSON.parse(body.toString("utf8")) as Json) };
  if (contentType?.includes("application/x-www-form-urlencoded"))
    return { ...params, ...Object.fromEntries(new URLSearchParams(body.toString("utf8"))) };
  if (contentType?.includes("multipart/form-data")) {
    const boundary = /boundary=(.+)$/.exec(contentType)?.[1];
    if (boundary) {
      for (const part of body.toString("latin1").split(`--${boundary}`)) {
        const name = /name="([^"]+)"/.exec(part)?.[1];
        if (!name || /filename=/.test(part)) continue;
        const value = part.split("\r\n\r\n").slice(1).join("\r\n\r\n").replace(/\r\n$/, "");
        params[name] = Buffer.from(value, "latin1").toString("utf8");
      }
    }
    return params;
  }
  return params;
}

const TELEGRAM_TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "code",
  "pre",
  "a",
  "span",
  "tg-spoiler",
  "blockquote",
  "tg-emoji",
]);

/** Validate Telegram HTML (allowed tags, balanced, known entities) and return the visible text, or undefined. */
export function htmlVisibleText(html: string): string | undefined {
  const stack: string[] = [];
  let visible = "";
  const re = /<(\/?)([a-z-]+)([^>]*)>|&(lt|gt|amp|quot|#\d+);|([<>&])/g;
  let last = 0;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    visible += html.slice(last, m.index);
    last = re.lastIndex;
    if (m[5]) return undefined; // bare < > & are parse errors
    if (m[4]) {
      visible +=
        m[4] === "lt"
          ? "<"
          : m[4] === "gt"
            ? ">"
            : m[4] === "amp"
              ? "&"
              : m[4] === "quot"
                ? '"'
                : String.fromCharCode(Number(m[4].slice(1)));
      continue;
    }
    const [, closing, tag = ""] = m;
    if (!TELEGRAM_TAGS.has(tag)) return undefined;
    if (closing) {
      if (stack.pop() !== tag) return undefined;
    } else stack.push(tag);
  }
  visible += html.slice(last);
  return stack.length === 0 ? visible : undefined;
}

/** Build a realistic update from a fixture with overrides (`message` fields merged). */
export function telegramUpdate(
  base: keyof typeof telegramFixtures,
  overrides: {
    text?: string;
    chatId?: number;
    fromId?: number;
    username?: string;
    messageId?: number;
    replyTo?: Json;
    entities?: Json[];
    threadId?: number;
  } = {},
): Json {
  const clone = structuredClone(telegramFixtures[base]) as Json;
  delete clone.update_id;
  const message = clone.message as Json | undefined;
  if (message) {
    if (overrides.text !== undefined) {
      message.text = overrides.text;
      if (!overrides.entities) delete message.entities;
    }
    if (overrides.entities) message.entities = overrides.entities;
    if (overrides.chatId !== undefined) {
      (message.chat as Json).id = overrides.chatId;
      if (overrides.chatId > 0) (message.chat as Json).type = "private";
    }
    if (overrides.fromId !== undefined) {
      (message.from as Json).id = overrides.fromId;
      if ((message.chat as Json).type === "private" && overrides.chatId === undefined)
        (message.chat as Json).id = overrides.fromId;
    }
    if (overrides.username !== undefined) (message.from as Json).username = overrides.username;
    if (overrides.messageId !== undefined) message.message_id = overrides.messageId;
    if (overrides.replyTo) message.reply_to_message = overrides.replyTo;
    if (overrides.threadId !== undefined) message.message_thread_id = overrides.threadId;
  }
  return clone;
}
