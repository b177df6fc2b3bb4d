import { createHash } from "node:crypto";
import {
  type ChannelAccountContext,
  ChannelError,
  type ChannelPluginV1,
  fetchCapped,
  routeLibraryConsole,
} from "@openclaw/protocol/channel";
import {
  listMattermostAccountIds,
  type MattermostAccount,
  mattermostConfigSchema,
  resolveMattermostAccount,
} from "./config.js";
import { type MattermostPostedData, normalizeMattermostPost } from "./normalize.js";
import { renderMattermostMarkdown } from "./render.js";

/** Mattermost's default maximum post size is 16383 characters; replies are chunked at 4000. */
export const MATTERMOST_TEXT_LIMIT = 4000;

export interface MattermostChannelOptions {
  env?: NodeJS.ProcessEnv;
  /** WebSocket retry timing of @mattermost/client (tests shorten it). */
  websocket?: { minRetryMs?: number; maxRetryMs?: number };
}

type Lib = typeof import("@mattermost/client");
type Client4 = InstanceType<Lib["Client4"]>;
/** Files of @mattermost/client (its WebSocketClient writes to console). */
const MATTERMOST_CLIENT_FILES = /[\\/]@mattermost[\\/]client[\\/]/;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A @mattermost/client failure → ChannelError. */
export function toMattermostChannelError(error: unknown): ChannelError {
  if (ChannelError.isInstance(error)) return error;
  const e = error as { status_code?: number; server_error_id?: string; message?: string };
  const status = e?.status_code;
  const detail = `${status ?? ""} ${e?.message ?? messageOf(error)}`.trim();
  if (status === 401)
    return new ChannelError("UNAUTHORIZED", `invalid bot token (${detail})`, {
      vendorStatus: 401,
      cause: error,
    });
  if (status === 429)
    return new ChannelError("NOT_SENT", detail, { vendorStatus: 429, retryAfterMs: 1000, cause: error });
  if (status !== undefined && status >= 500)
    return new ChannelError("AMBIGUOUS", detail, { vendorStatus: status, cause: error });
  if (status !== undefined)
    return new ChannelError("REJECTED", detail, { vendorStatus: status, cause: error });
  const code = (error as { cause?: { code?: string } })?.cause?.code;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND")
    return new ChannelError("NOT_SENT", `network: ${code}`, { cause: error });
  return new ChannelError("AMBIGUOUS", `network: ${messageOf(error)}`, { cause: error });
}

/**
 * `pending_post_id` derived from the idempotency key: Mattermost answers a repeated pending post id
 * with the post it already created, so a send whose connection dropped is retried safely.
 */
export const mattermostPendingPostId = (selfId: string, idempotencyKey: string) =>
  `${selfId}:${Number.parseInt(createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 12), 16)}`;

/**
 * The Mattermost channel on @mattermost/client: REST (Client4) for identity and posts, the
 * WebSocket client for events (it reconnects with backoff and asks the server to replay what it
 * missed by sequence number). DMs, channels, threads (`root_id`), mentions, Markdown.
 */
export function createMattermostChannel(
  options: MattermostChannelOptions = {},
): ChannelPluginV1<MattermostAccount> {
  const env = options.env ?? process.env;
  const selves = new Map<string, { id: string; username: string }>();
  const sockets = new Map<string, InstanceType<Lib["WebSocketClient"]>>();

  async function restFor(account: MattermostAccount): Promise<{ lib: Lib; client: Client4 }> {
    if (!account.baseUrl || !account.botToken)
      throw new ChannelError(
        "UNAUTHORIZED",
        "no server URL or bot token (set channels.mattermost.baseUrl and botToken)",
      );
    const lib = await import("@mattermost/client");
    const client = new lib.Client4();
    client.setUrl(account.baseUrl);
    client.setToken(account.botToken);
    return { lib, client };
  }

  async function monitor(ctx: ChannelAccountContext<MattermostAccount>): Promise<void> {
    const { account, logger } = ctx;
    const { lib, client } = await restFor(account);
    let me: { id: string; username: string };
    try {
      const user = await client.getMe();
      me = { id: user.id, username: user.username };
    } catch (error) {
      throw toMattermostChannelError(error);
    }
    selves.set(ctx.accountId, me);
    ctx.setStatus({ self: { id: me.id, username: me.username }, details: { baseUrl: account.baseUrl } });

    let settle: (error?: Error) => void = () => undefined;
    const stopped = new Promise<Error | undefined>((resolve) => {
      settle = resolve;
    });
    let chain: Promise<unknown> = Promise.resolve();
    // the library's console lines go to this account's logger (debug), not the gateway's stdout
    const unroute = routeLibraryConsole("mattermost client", MATTERMOST_CLIENT_FILES, logger);
    // the socket the client opened last: its close() leaves a socket still connecting alone, whose
    // close would then schedule a reconnect of a stopped account
    let socket: WebSocket | undefined;
    const ws = new lib.WebSocketClient({
      minWebSocketRetryTime: options.websocket?.minRetryMs ?? 3000,
      maxWebSocketRetryTime: options.websocket?.maxRetryMs ?? 300_000,
      reconnectJitterRange: options.websocket?.minRetryMs ?? 2000,
      newWebSocketFn: (url: string) => {
        socket = new WebSocket(url);
        return socket;
      },
    });
    sockets.set(ctx.accountId, ws);
    ws.addMessageListener((msg) => {
      if (msg.event === "hello") ctx.setStatus({ connected: true, lastError: null });
      if (msg.event !== "posted") return;
      const result = normalizeMattermostPost(msg.data as MattermostPostedData, {
        accountId: ctx.accountId,
        selfId: me.id,
        selfUsername: me.username,
        mediaMaxBytes: account.mediaMaxBytes,
      });
      if ("skip" in result) {
        logger.debug(`mattermost post ignored: ${result.skip}`);
        return;
      }
      chain = chain
        .then(async () => {
          const ack = await ctx.inbound(result.message);
          if (ack.status === "rejected") logger.warn(`mattermost post rejected: ${ack.reason}`);
        })
        .catch((error: unknown) => logger.warn(`mattermost inbound failed: ${messageOf(error)}`));
    });
    // Needed for the client to track its connection id (replays after a reconnect). Called when the
    // server could not replay (restart, long outage): posts sent in the gap are not delivered.
    ws.addMissedMessageListener(() =>
      logger.warn("mattermost websocket: the server could not replay missed events"),
    );
    ws.addCloseListener((failures) => {
      ctx.setStatus({ connected: false });
      if (failures === 1) logger.warn("mattermost websocket disconnected; reconnecting");
      // a revoked token: the socket keeps closing and REST says 401
      client.getMe().catch((error: unknown) => {
        const failure = toMattermostChannelError(error);
        if (failure.code !== "UNAUTHORIZED") return;
        logger.warn(`mattermost logout: the bot token was revoked (${failure.message})`);
        settle(new ChannelError("UNAUTHORIZED", `Mattermost session logged out: ${failure.message}`));
      });
    });
    const wsUrl = `${account.baseUrl?.replace(/^http/, "ws")}/api/v4/websocket`;
    ws.initialize(wsUrl, account.botToken);
    const onAbort = () => settle(undefined);
    ctx.abortSignal.addEventListener("abort", onAbort, { once: true });
    if (ctx.abortSignal.aborted) settle(undefined);
    let failure: Error | undefined;
    try {
      failure = await stopped;
    } finally {
      ctx.abortSignal.removeEventListener("abort", onAbort);
      ws.close();
      if (socket && socket.readyState !== WebSocket.CLOSED) {
        socket.onclose = null;
        socket.onerror = null;
        socket.onmessage = null;
        socket.close();
      }
      unroute();
      if (sockets.get(ctx.accountId) === ws) sockets.delete(ctx.accountId);
      await chain;
      ctx.setStatus({ connected: false });
    }
    if (failure) throw failure;
  }

  return {
    specificationVersion: "v1",
    id: "mattermost",
    meta: {
      label: "Mattermost",
      blurb: "Mattermost bot (REST + WebSocket): DMs, channels, threads",
      docsPath: "/channels/mattermost",
    },
    capabilities: {
      chatTypes: ["direct", "group", "thread"],
      threads: true,
      reactions: true,
      media: false,
      edits: false,
      maxTextLength: MATTERMOST_TEXT_LIMIT,
      idempotentSend: true,
    },
    configSchema: mattermostConfigSchema,
    config: {
      listAccountIds: (block) => listMattermostAccountIds(block),
      resolveAccount: (block, accountId) => resolveMattermostAccount(block, accountId, env),
      unconfiguredReason: (account) =>
        !account.baseUrl
          ? "no server URL (set channels.mattermost.baseUrl or MATTERMOST_URL)"
          : !account.botToken
            ? "no bot token (set channels.mattermost.botToken or MATTERMOST_BOT_TOKEN)"
            : undefined,
      isEnabled: (account) => account.enabled,
    },
    gateway: { startAccount: monitor },
    media: {
      /** `GET /api/v4/files/{file_id}` with the bot token (`mattermost:file:<id>`), read up to the cap. */
      async download({ account, media, maxBytes, signal }) {
        const id = /^mattermost:file:([A-Za-z0-9]+)$/.exec(media.ref)?.[1];
        if (!id) throw new Error(`not a Mattermost file reference: ${media.ref}`);
        const { client } = await restFor(account);
        const options = client.getOptions({ method: "get" }) as RequestInit;
        const file = await fetchCapped(
          client.getFileUrl(id, 0),
          { ...options, ...(signal ? { signal } : {}) },
          Math.min(maxBytes, account.mediaMaxBytes),
        );
        return {
          data: file.data,
          ...((file.mimeType ?? media.mimeType) ? { mimeType: file.mimeType ?? media.mimeType } : {}),
        };
      },
    },
    outbound: {
      render: renderMattermostMarkdown,
      async sendText(request) {
        const { client } = await restFor(request.account);
        let self = selves.get(request.accountId);
        try {
          if (!self) {
            const user = await client.getMe();
            self = { id: user.id, username: user.username };
            selves.set(request.accountId, self);
          }
          const post = await client.createPost({
            channel_id: request.to,
            message: request.chunk.text,
            ...(request.threadId ? { root_id: request.threadId } : {}),
            pending_post_id: mattermostPendingPostId(self.id, request.idempotencyKey),
          } as never);
          return { messageId: post.id };
        } catch (error) {
          throw toMattermostChannelError(error);
        }
      },
      async sendTyping(request) {
        sockets.get(request.accountId)?.userTyping(request.to, request.threadId ?? "");
      },
      async react(request) {
        const self = selves.get(request.accountId);
        if (!self) return;
        const { client } = await restFor(request.account);
        const name = request.emoji === "👀" ? "eyes" : request.emoji.replace(/:/g, "");
        await client.addReaction(self.id, request.messageId, name).catch(() => undefined);
      },
    },
    pairing: {
      idLabel: "Mattermost user id",
      normalizeAllowEntry: (entry) => entry.replace(/^mattermost:/i, "").trim(),
    },
    status: {
      async probe({ account, timeoutMs }) {
        const started = Date.now();
        try {
          const { client } = await restFor(account);
          const me = await Promise.race([
            client.getMe(),
            new Promise<never>((_, reject) =>
              setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs).unref(),
            ),
          ]);
          return { ok: true, self: { id: me.id, username: me.username }, elapsedMs: Date.now() - started };
        } catch (error) {
          return {
            ok: false,
            error: toMattermostChannelError(error).message,
            elapsedMs: Date.now() - started,
          };
        }
      },
    },
  };
}
