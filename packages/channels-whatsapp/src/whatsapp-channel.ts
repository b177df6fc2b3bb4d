import { createHash } from "node:crypto";
import path from "node:path";
import {
  type ChannelAccountContext,
  ChannelError,
  type ChannelPluginV1,
  routeLibraryConsole,
  type SendMediaRequest,
} from "@openclaw/protocol/channel";
import type { WAMessage } from "baileys";
import {
  hasWhatsAppCreds,
  openWhatsAppAuthStore,
  removeWhatsAppCreds,
  whatsappAuthDir,
} from "./auth-store.js";
import {
  listWhatsAppAccountIds,
  resolveWhatsAppAccount,
  type WhatsAppAccount,
  whatsappConfigSchema,
} from "./config.js";
import { downloadWhatsAppMedia } from "./media.js";
import { jidToE164, normalizeWhatsAppMessage, type WhatsAppSelf } from "./normalize.js";
import { renderWhatsAppText } from "./render.js";
import {
  baileysLogger,
  baileysSocketFactory,
  type WhatsAppSocket,
  type WhatsAppSocketFactory,
} from "./socket.js";

/** WhatsApp's limit is 65 536 characters; OpenClaw chunks WhatsApp replies at 4000 by default. */
export const WHATSAPP_TEXT_LIMIT = 4000;

export interface WhatsAppChannelOptions {
  /** OpenClaw state dir: sessions live in `<stateDir>/credentials/whatsapp/<accountId>/`. */
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Builds the Baileys socket (default: the real `makeWASocket`). */
  socketFactory?: WhatsAppSocketFactory;
  /** Injected clock for pacing (tests). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Files of Baileys and the libraries it runs (their console lines are routed to the channel's log). */
const WHATSAPP_LIBRARY_FILES = /[\\/]node_modules[\\/](baileys|libsignal|whatsapp-rust-bridge)[\\/]/;

/** Baileys' DisconnectReason codes (Boom `output.statusCode`). */
const LOGGED_OUT = 401;
const FORBIDDEN = 403;
const REPLACED = 440;
const BAD_SESSION = 500;

const statusCodeOf = (error: unknown): number | undefined => {
  const e = error as { output?: { statusCode?: number }; statusCode?: number } | undefined;
  return e?.output?.statusCode ?? e?.statusCode;
};
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error ?? "closed"));

/** A `connection.update` close → what the host should do: stop (credentials) or reconnect. */
export function classifyDisconnect(error: unknown): Error {
  const code = statusCodeOf(error);
  const detail = `${messageOf(error)}${code ? ` (${code})` : ""}`;
  if (code === LOGGED_OUT)
    return new ChannelError(
      "UNAUTHORIZED",
      `WhatsApp session logged out (${LOGGED_OUT}): link again with openclaw channels login --channel whatsapp`,
      { vendorStatus: code },
    );
  if (code === FORBIDDEN)
    return new ChannelError("UNAUTHORIZED", `WhatsApp refused this account (403 forbidden): ${detail}`, {
      vendorStatus: code,
    });
  if (code === REPLACED)
    return new ChannelError(
      "UNAUTHORIZED",
      "WhatsApp session replaced (440): another WhatsApp Web client uses these credentials",
      { vendorStatus: code },
    );
  if (code === BAD_SESSION)
    return new ChannelError(
      "UNAUTHORIZED",
      "WhatsApp session is corrupt (500 bad session): link again with openclaw channels login --channel whatsapp",
      { vendorStatus: code },
    );
  return new Error(`WhatsApp connection closed: ${detail}`);
}

/** Deterministic WhatsApp message id for an idempotency key (WhatsApp ids: `3EB0` + hex). */
export function whatsappMessageId(idempotencyKey: string): string {
  return `3EB0${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 18).toUpperCase()}`;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

interface Live {
  socket: WhatsAppSocket;
  self: WhatsAppSelf;
  open: boolean;
  /** Recent inbound messages by id, to quote them in replies and react to them. */
  recent: Map<string, WAMessage>;
  /** Recent outbound messages by id, for Baileys' retry receipts. */
  sent: Map<string, WAMessage>;
}

const remember = <V>(map: Map<string, V>, key: string, value: V, max = 500) => {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as string);
};

/**
 * The WhatsApp channel on Baileys (WhatsApp Web multi-device). Linking is by QR
 * (`openclaw channels login --channel whatsapp`); the gateway never shows a QR, an unlinked account
 * reports "not linked". Outbound messages are paced per account (`sendPacingMs`) so a burst of
 * replies cannot look like spam.
 */
export function createWhatsAppChannel(
  options: WhatsAppChannelOptions = {},
): ChannelPluginV1<WhatsAppAccount> {
  const env = options.env ?? process.env;
  const stateDir =
    options.stateDir ?? env.OPENCLAW_STATE_DIR ?? path.join(env.HOME ?? process.cwd(), ".openclaw");
  const factory = options.socketFactory ?? baileysSocketFactory;
  const sleep = options.sleep ?? defaultSleep;
  const live = new Map<string, Live>();
  const pacing = new Map<string, Promise<void>>();
  const lastSendAt = new Map<string, number>();
  const lastTyping = new Map<string, number>();

  async function monitor(ctx: ChannelAccountContext<WhatsAppAccount>): Promise<void> {
    // Baileys and its Signal library (libsignal prints whole session records, keys included) write
    // some lines to console: they go to this account's logger, objects left out
    const unroute = routeLibraryConsole("whatsapp library", WHATSAPP_LIBRARY_FILES, ctx.logger, {
      objects: false,
    });
    try {
      await run(ctx);
    } finally {
      unroute();
    }
  }

  async function run(ctx: ChannelAccountContext<WhatsAppAccount>): Promise<void> {
    const { account, logger } = ctx;
    const B = await import("baileys");
    const store = await openWhatsAppAuthStore(account.authDir);
    if (!store.linked)
      throw new ChannelError(
        "UNAUTHORIZED",
        `WhatsApp not linked: run openclaw channels login --channel whatsapp${ctx.accountId === "default" ? "" : ` --account ${ctx.accountId}`}`,
      );
    const entry: Live = {
      socket: undefined as never,
      self: { id: "" },
      open: false,
      recent: new Map(),
      sent: new Map(),
    };
    const socket = await factory({
      accountId: ctx.accountId,
      auth: store.state,
      logger: baileysLogger(logger),
      getMessage: async (key) => (key.id ? (entry.sent.get(key.id)?.message ?? undefined) : undefined),
    });
    entry.socket = socket;
    live.set(ctx.accountId, entry);

    // inbound: one message at a time, in order; read receipt only once journaled
    let chain = Promise.resolve();
    const onUpsert = (upsert: { messages?: WAMessage[]; type?: string }) => {
      if (upsert?.type !== "notify" || !Array.isArray(upsert.messages)) return;
      const batch = upsert.messages;
      chain = chain
        .then(() => handleBatch(ctx, B, entry, batch))
        .catch((error: unknown) => {
          logger.warn(`whatsapp inbound failed: ${messageOf(error)}`);
        });
    };
    const onCreds = () => {
      store
        .saveCreds()
        .catch((error: unknown) => logger.error(`whatsapp credentials not saved: ${messageOf(error)}`));
    };
    let settle: (error?: Error) => void = () => undefined;
    const closed = new Promise<Error | undefined>((resolve) => {
      settle = resolve;
    });
    const onConnection = (update: {
      connection?: string;
      lastDisconnect?: { error?: unknown };
      qr?: string;
    }) => {
      if (update?.qr) {
        settle(
          new ChannelError(
            "UNAUTHORIZED",
            "WhatsApp asks for a new QR scan: run openclaw channels login --channel whatsapp",
          ),
        );
        return;
      }
      if (update?.connection === "open") {
        const user = socket.user;
        entry.self = {
          id: user?.id ?? "",
          ...(user?.lid ? { lid: user.lid } : {}),
          ...(user?.name ? { name: user.name } : {}),
        };
        entry.open = true;
        const self = jidToE164(B.jidNormalizedUser(entry.self.id)) ?? entry.self.id;
        logger.info(`whatsapp connection open as ${self}`);
        ctx.setStatus({
          connected: true,
          lastError: null,
          self: { id: self, ...(user?.name ? { username: user.name } : {}) },
          details: { jid: entry.self.id, authDir: account.authDir },
        });
      } else if (update?.connection === "close") {
        entry.open = false;
        const error = update.lastDisconnect?.error;
        const code = statusCodeOf(error);
        if (code === LOGGED_OUT)
          logger.warn(
            `whatsapp logout: the session was logged out from the phone (${LOGGED_OUT}); link again with openclaw channels login --channel whatsapp`,
          );
        else logger.warn(`whatsapp connection closed (disconnect ${code ?? "unknown"}): ${messageOf(error)}`);
        settle(classifyDisconnect(error));
      }
    };
    socket.ev.on("creds.update", onCreds);
    socket.ev.on("connection.update", onConnection);
    socket.ev.on("messages.upsert", onUpsert);
    const onAbort = () => settle(undefined);
    ctx.abortSignal.addEventListener("abort", onAbort, { once: true });
    if (ctx.abortSignal.aborted) settle(undefined);
    let failure: Error | undefined;
    try {
      failure = await closed;
    } finally {
      ctx.abortSignal.removeEventListener("abort", onAbort);
      socket.ev.off("messages.upsert", onUpsert);
      socket.ev.off("connection.update", onConnection);
      entry.open = false;
      if (live.get(ctx.accountId) === entry) live.delete(ctx.accountId);
      try {
        socket.end(undefined);
      } catch {
        // already closed
      }
      await chain;
      socket.ev.off("creds.update", onCreds);
      await store.flush();
      ctx.setStatus({ connected: false });
    }
    if (failure) throw failure;
  }

  async function handleBatch(
    ctx: ChannelAccountContext<WhatsAppAccount>,
    B: typeof import("baileys"),
    entry: Live,
    messages: WAMessage[],
  ) {
    for (const raw of messages) {
      let result: ReturnType<typeof normalizeWhatsAppMessage>;
      try {
        result = normalizeWhatsAppMessage(B, raw, ctx.accountId, entry.self, ctx.account.mediaMaxBytes);
      } catch (error) {
        ctx.logger.warn(`whatsapp: malformed message ignored: ${messageOf(error)}`);
        continue;
      }
      if ("skip" in result) {
        ctx.logger.debug(`whatsapp: message ignored: ${result.skip}`);
        continue;
      }
      remember(entry.recent, result.message.messageId, raw);
      const ack = await ctx.inbound(result.message);
      if (ack.status === "rejected") ctx.logger.warn(`whatsapp message rejected: ${ack.reason}`);
      if (ctx.account.sendReadReceipts && ack.status !== "rejected" && entry.open)
        await entry.socket.readMessages([raw.key]).catch(() => undefined);
    }
  }

  const liveFor = (accountId: string): Live => {
    const entry = live.get(accountId);
    if (!entry?.open) throw new ChannelError("NOT_SENT", "WhatsApp is not connected");
    return entry;
  };

  /** Space this account's messages `sendPacingMs` apart (a burst cannot look like spam). */
  function pace(account: WhatsAppAccount, signal?: AbortSignal): Promise<void> {
    if (account.sendPacingMs <= 0) return Promise.resolve();
    const previous = pacing.get(account.accountId) ?? Promise.resolve();
    const turn = previous.then(async () => {
      const wait = (lastSendAt.get(account.accountId) ?? 0) + account.sendPacingMs - Date.now();
      if (wait > 0) await sleep(wait, signal);
      lastSendAt.set(account.accountId, Date.now());
    });
    pacing.set(
      account.accountId,
      turn.catch(() => undefined),
    );
    return turn;
  }

  async function send(
    request: {
      accountId: string;
      account: WhatsAppAccount;
      to: string;
      replyToMessageId?: string;
      idempotencyKey: string;
      signal?: AbortSignal;
      onDispatch?: () => Promise<void>;
    },
    content: Record<string, unknown>,
  ): Promise<{ messageId: string }> {
    await pace(request.account, request.signal);
    const entry = liveFor(request.accountId);
    const messageId = whatsappMessageId(request.idempotencyKey);
    const quoted = request.replyToMessageId ? entry.recent.get(request.replyToMessageId) : undefined;
    await request.onDispatch?.();
    try {
      const sent = await entry.socket.sendMessage(request.to, content, {
        messageId,
        ...(quoted ? { quoted } : {}),
      });
      if (sent) remember(entry.sent, messageId, sent);
      return { messageId: sent?.key?.id ?? messageId };
    } catch (error) {
      const code = statusCodeOf(error);
      // the socket closed around the write: WhatsApp may have the message
      if (code === 428 || code === 408 || /closed|lost|timed out/i.test(messageOf(error)))
        throw new ChannelError("AMBIGUOUS", `whatsapp send: ${messageOf(error)}`, {
          cause: error,
          ...(code ? { vendorStatus: code } : {}),
        });
      throw new ChannelError("REJECTED", `whatsapp send: ${messageOf(error)}`, {
        cause: error,
        ...(code ? { vendorStatus: code } : {}),
      });
    }
  }

  async function mediaBytes(request: SendMediaRequest<WhatsAppAccount>): Promise<Uint8Array> {
    const limit = request.account.mediaMaxBytes;
    const tooLarge = (size: number) =>
      new ChannelError(
        "REJECTED",
        `media too large: ${(size / 1024 / 1024).toFixed(1)} MB is over the ${(limit / 1024 / 1024).toFixed(1)} MB limit (mediaMaxMb)`,
      );
    if (request.media.data) {
      if (request.media.data.byteLength > limit) throw tooLarge(request.media.data.byteLength);
      return request.media.data;
    }
    if (!request.media.url) throw new ChannelError("REJECTED", "whatsapp sendMedia needs data or a URL");
    const res = await fetch(request.media.url, request.signal ? { signal: request.signal } : {}).catch(
      (error: unknown) => {
        throw new ChannelError("NOT_SENT", `media download failed: ${messageOf(error)}`);
      },
    );
    if (!res.ok || !res.body) throw new ChannelError("REJECTED", `media download failed: HTTP ${res.status}`);
    const declared = Number(res.headers.get("content-length") ?? 0);
    if (declared > limit) {
      await res.body.cancel();
      throw tooLarge(declared);
    }
    const parts: Uint8Array[] = [];
    let total = 0;
    for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
      total += part.byteLength;
      if (total > limit) throw tooLarge(total);
      parts.push(part);
    }
    return Buffer.concat(parts);
  }

  return {
    specificationVersion: "v1",
    id: "whatsapp",
    meta: {
      label: "WhatsApp",
      blurb: "WhatsApp Web multi-device (Baileys): DMs and groups, QR login",
      docsPath: "/channels/whatsapp",
    },
    capabilities: {
      chatTypes: ["direct", "group"],
      threads: false,
      reactions: true,
      media: true,
      edits: false,
      maxTextLength: WHATSAPP_TEXT_LIMIT,
      idempotentSend: false,
      reportsDispatch: true,
    },
    configSchema: whatsappConfigSchema,
    config: {
      listAccountIds: (block) => listWhatsAppAccountIds(block),
      resolveAccount: (block, accountId) =>
        resolveWhatsAppAccount(block, accountId, (id) => whatsappAuthDir(stateDir, id)),
      isEnabled: (account) => account.enabled,
    },
    gateway: {
      startAccount: monitor,
      async logoutAccount({ accountId, account }) {
        const entry = live.get(accountId);
        if (entry?.open) await entry.socket.logout("openclaw channels logout").catch(() => undefined);
        await removeWhatsAppCreds(account.authDir);
      },
    },
    media: {
      download: ({ account, media, maxBytes, signal }) =>
        downloadWhatsAppMedia(media, Math.min(maxBytes, account.mediaMaxBytes), signal),
    },
    outbound: {
      render: renderWhatsAppText,
      sendText: (request) => send(request, { text: request.chunk.text }),
      async sendMedia(request) {
        const data = Buffer.from(await mediaBytes(request));
        const mimetype = request.media.mimeType ?? "application/octet-stream";
        const caption = request.caption?.text;
        const kind = mimetype.split("/")[0];
        const content =
          kind === "image"
            ? { image: data, mimetype, ...(caption ? { caption } : {}) }
            : kind === "video"
              ? { video: data, mimetype, ...(caption ? { caption } : {}) }
              : kind === "audio"
                ? { audio: data, mimetype }
                : {
                    document: data,
                    mimetype,
                    fileName: request.media.fileName ?? "file",
                    ...(caption ? { caption } : {}),
                  };
        return send(request, content);
      },
      async sendTyping(request) {
        if (!request.account.typing) return;
        const entry = live.get(request.accountId);
        if (!entry?.open) return;
        const key = `${request.accountId}:${request.to}`;
        const now = Date.now();
        if (now - (lastTyping.get(key) ?? Number.NEGATIVE_INFINITY) < 10_000) return;
        lastTyping.set(key, now);
        if (lastTyping.size > 10_000) lastTyping.clear();
        await entry.socket.sendPresenceUpdate("composing", request.to).catch(() => undefined);
      },
      async react(request) {
        const entry = live.get(request.accountId);
        const target = entry?.recent.get(request.messageId);
        if (!entry?.open || !target) return;
        await entry.socket
          .sendMessage(request.to, { react: { text: request.emoji, key: target.key } })
          .catch(() => undefined);
      },
    },
    auth: {
      async login({ accountId, account, print, onQr, signal }) {
        const { loginWhatsApp, renderQrDataUrl, renderQrTerminal } = await import("./login.js");
        const result = await loginWhatsApp({
          authDir: account.authDir,
          accountId,
          socketFactory: factory,
          ...(signal ? { signal } : {}),
          onQr: (qr) =>
            onQr
              ? void renderQrDataUrl(qr).then((dataUrl) => onQr({ payload: qr, dataUrl }))
              : void renderQrTerminal(qr).then((text) =>
                  print(`${text}\nScan this QR in WhatsApp → Settings → Linked devices → Link a device`),
                ),
        });
        if (result.alreadyLinked)
          print(
            `WhatsApp already linked (${result.self}); run openclaw channels logout --channel whatsapp to link another phone`,
          );
        return { self: result.self };
      },
    },
    pairing: {
      idLabel: "WhatsApp number",
      normalizeAllowEntry: (entry) => {
        const bare = entry.replace(/^whatsapp:/i, "").trim();
        const digits = bare.replace(/[\s().-]/g, "");
        return /^\+?\d{6,}$/.test(digits) ? `+${digits.replace(/^\+/, "")}` : bare;
      },
    },
    status: {
      async probe({ accountId, account }) {
        const entry = live.get(accountId);
        if (entry?.open) {
          const id = jidToE164(entry.self.id.replace(/:\d+@/, "@")) ?? entry.self.id;
          return { ok: true, self: { id, ...(entry.self.name ? { username: entry.self.name } : {}) } };
        }
        if (!(await hasWhatsAppCreds(account.authDir)))
          return { ok: false, error: "WhatsApp not linked: run openclaw channels login --channel whatsapp" };
        return { ok: false, error: "WhatsApp linked but not connected" };
      },
    },
  };
}
