import { createHash } from "node:crypto";
import path from "node:path";
import {
  type ChannelAccountContext,
  ChannelError,
  type ChannelPluginV1,
  fetchCapped,
  routeLibraryConsole,
} from "@openclaw/protocol/channel";
import type { MatrixClient, MatrixEvent, Room, RoomMember } from "matrix-js-sdk";
import {
  listMatrixAccountIds,
  type MatrixAccount,
  matrixConfigSchema,
  resolveMatrixAccount,
} from "./config.js";
import { normalizeMatrixEvent } from "./normalize.js";
import { renderMatrixHtml } from "./render.js";
import { matrixStateDir, readSyncToken, writeSyncToken } from "./sync-token.js";

/** Matrix has no hard message limit short of the 64 KiB event size; long replies are chunked at 4000. */
export const MATRIX_TEXT_LIMIT = 4000;

export interface MatrixChannelOptions {
  /** OpenClaw state dir: the /sync position lives in `<stateDir>/credentials/matrix/<accountId>/`. */
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
}

type Sdk = typeof import("matrix-js-sdk");
/** Files of matrix-js-sdk (its global logger writes to console). */
const MATRIX_SDK_FILES = /[\\/]matrix-js-sdk[\\/]/;
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A matrix-js-sdk failure → ChannelError (sends carry a transaction id, so AMBIGUOUS is retried safely). */
export function toMatrixChannelError(error: unknown): ChannelError {
  if (ChannelError.isInstance(error)) return error;
  const e = error as {
    httpStatus?: number;
    errcode?: string;
    data?: { retry_after_ms?: number; error?: string };
  };
  const status = e?.httpStatus;
  const detail = `${status ?? ""} ${e?.errcode ?? ""} ${e?.data?.error ?? messageOf(error)}`.trim();
  if (status === 429 || e?.errcode === "M_LIMIT_EXCEEDED")
    return new ChannelError("NOT_SENT", detail, {
      vendorStatus: status ?? 429,
      ...(e.data?.retry_after_ms !== undefined ? { retryAfterMs: e.data.retry_after_ms } : {}),
      cause: error,
    });
  if (status === 401 || e?.errcode === "M_UNKNOWN_TOKEN" || e?.errcode === "M_MISSING_TOKEN")
    return new ChannelError("UNAUTHORIZED", `invalid access token (${detail})`, {
      vendorStatus: status ?? 401,
      cause: error,
    });
  if (status !== undefined && status >= 500)
    return new ChannelError("AMBIGUOUS", detail, { vendorStatus: status, cause: error });
  if (status !== undefined)
    return new ChannelError("REJECTED", detail, { vendorStatus: status, cause: error });
  return new ChannelError("AMBIGUOUS", `network: ${messageOf(error)}`, { cause: error });
}

/** Deterministic transaction id: the homeserver answers a repeated PUT with the first event id. */
export const matrixTxnId = (idempotencyKey: string) =>
  `oc${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 32)}`;

function sdkLogger(log: { debug(m: string): void }) {
  const line =
    (level: string) =>
    (...parts: unknown[]) =>
      log.debug(
        `matrix-js-sdk ${level}: ${parts
          .map((p) => (p instanceof Error ? p.message : String(p)))
          .join(" ")
          .slice(0, 300)}`,
      );
  const logger = {
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: line("warn"),
    error: line("error"),
    getChild: () => logger,
  };
  return logger;
}

/**
 * The Matrix channel on matrix-js-sdk: access-token login, /sync through the SDK (its position saved
 * after every batch is journaled, so messages sent while the gateway was down are answered once),
 * DMs and rooms, threads, mentions, HTML bodies rendered from the IR. Encrypted rooms are refused
 * with a status error (end-to-end encryption is not available in this build).
 */
export function createMatrixChannel(options: MatrixChannelOptions = {}): ChannelPluginV1<MatrixAccount> {
  const env = options.env ?? process.env;
  const stateDir =
    options.stateDir ?? env.OPENCLAW_STATE_DIR ?? path.join(env.HOME ?? process.cwd(), ".openclaw");
  const clients = new Map<string, MatrixClient>();
  const lastTyping = new Map<string, number>();

  async function newClient(sdk: Sdk, account: MatrixAccount, store?: InstanceType<Sdk["MemoryStore"]>) {
    if (!account.homeserver || !account.accessToken)
      throw new ChannelError(
        "UNAUTHORIZED",
        "no homeserver or access token (set channels.matrix.homeserver and accessToken)",
      );
    return sdk.createClient({
      baseUrl: account.homeserver,
      accessToken: account.accessToken,
      ...(account.userId ? { userId: account.userId } : {}),
      ...(store ? { store } : {}),
      // no blind retries: the host retries, with the same transaction id
      scheduler: new sdk.MatrixScheduler(() => -1),
      logger: sdkLogger({ debug() {} }) as never,
    });
  }

  async function clientFor(account: MatrixAccount): Promise<MatrixClient> {
    const running = clients.get(account.accountId);
    if (running) return running;
    const client = await newClient(await import("matrix-js-sdk"), account);
    clients.set(account.accountId, client);
    return client;
  }

  async function monitor(ctx: ChannelAccountContext<MatrixAccount>): Promise<void> {
    const { account, logger } = ctx;
    if (account.encryption)
      throw new ChannelError(
        "UNAUTHORIZED",
        "channels.matrix.encryption: end-to-end encryption is not available in this build (remove the key; encrypted rooms are refused)",
      );
    const sdk = await import("matrix-js-sdk");
    // matrix-js-sdk's global logger writes to console: its lines go to this account's logger (debug)
    const unroute = routeLibraryConsole("matrix-js-sdk", MATRIX_SDK_FILES, logger);
    try {
      await run(ctx, sdk);
    } finally {
      unroute();
    }
  }

  async function run(ctx: ChannelAccountContext<MatrixAccount>, sdk: Sdk): Promise<void> {
    const { account, logger } = ctx;
    const dir = matrixStateDir(stateDir, ctx.accountId);
    const saved = await readSyncToken(dir);
    class SavedPositionStore extends sdk.MemoryStore {
      override getSavedSyncToken(): Promise<string | null> {
        return Promise.resolve(saved ?? null);
      }
    }
    const client = await newClient(sdk, account, new SavedPositionStore());
    let selfId: string;
    try {
      const me = await client.whoami();
      selfId = me.user_id;
    } catch (error) {
      throw toMatrixChannelError(error);
    }
    (client as unknown as { credentials: { userId: string } }).credentials.userId = selfId;
    clients.set(ctx.accountId, client);
    ctx.setStatus({ self: { id: selfId }, details: { homeserver: account.homeserver } });

    let settle: (error?: Error) => void = () => undefined;
    const stopped = new Promise<Error | undefined>((resolve) => {
      settle = resolve;
    });
    let chain: Promise<unknown> = Promise.resolve();
    const refusedRooms = new Set<string>();
    // first start: the initial sync is history, not new messages
    let live = saved !== undefined;

    const handle = async (event: MatrixEvent, room: Room | undefined) => {
      const roomId = room?.roomId ?? event.getRoomId() ?? "";
      if (event.getType() === "m.room.encrypted" && !refusedRooms.has(roomId)) {
        refusedRooms.add(roomId);
        const reason = `encrypted room ${roomId} refused: end-to-end encryption is not configured for this account`;
        logger.warn(reason);
        ctx.setStatus({ lastError: reason });
        return;
      }
      const json = event.event as Parameters<typeof normalizeMatrixEvent>[0];
      const inReplyTo = (
        json.content?.["m.relates_to"] as { "m.in_reply_to"?: { event_id?: string } } | undefined
      )?.["m.in_reply_to"]?.event_id;
      const result = normalizeMatrixEvent(json, {
        accountId: ctx.accountId,
        roomId,
        selfId,
        direct: (room?.getJoinedMemberCount() ?? 0) <= 2,
        ...(room?.name && !room.name.startsWith("Empty room") ? { roomName: room.name } : {}),
        ...(room?.getMember(event.getSender() ?? "")?.name
          ? { senderName: room?.getMember(event.getSender() ?? "")?.name }
          : {}),
        ...(inReplyTo && room?.findEventById(inReplyTo)?.getSender()
          ? { repliedToSender: room.findEventById(inReplyTo)?.getSender() }
          : {}),
        mediaMaxBytes: account.mediaMaxBytes,
      });
      if ("skip" in result) {
        logger.debug(`matrix event ignored: ${result.skip}`);
        return;
      }
      if (room?.hasEncryptionStateEvent()) {
        logger.warn(`matrix: message in encrypted room ${roomId} ignored (encryption not configured)`);
        return;
      }
      const ack = await ctx.inbound(result.message);
      if (ack.status === "rejected") logger.warn(`matrix message rejected: ${ack.reason}`);
    };

    const onTimeline = (
      event: MatrixEvent,
      room: Room | undefined,
      toStart: boolean | undefined,
      removed: boolean,
    ) => {
      if (toStart || removed || !live) return;
      chain = chain
        .then(() => handle(event, room))
        .catch((error: unknown) => logger.warn(`matrix inbound failed: ${messageOf(error)}`));
    };
    const onSync = (
      state: string,
      _prev: string | null,
      data?: { nextSyncToken?: string; error?: Error },
    ) => {
      if (state === "PREPARED" || state === "SYNCING") {
        live = true;
        ctx.setStatus({ connected: true });
      } else if (state === "ERROR" || state === "RECONNECTING") {
        ctx.setStatus({
          connected: false,
          ...(data?.error ? { lastError: `sync: ${messageOf(data.error)}` } : {}),
        });
        logger.warn(
          `matrix sync ${state.toLowerCase()}: ${data?.error ? messageOf(data.error) : "connection lost"}`,
        );
      }
      const token = data?.nextSyncToken;
      // the position advances only once every event of the batch is journaled
      if (token && (state === "PREPARED" || state === "SYNCING"))
        chain = chain
          .then(() => writeSyncToken(dir, token))
          .catch((error: unknown) => logger.warn(`matrix sync position not saved: ${messageOf(error)}`));
    };
    const onMembership = (_event: MatrixEvent, member: RoomMember) => {
      if (member.userId !== selfId || member.membership !== "invite" || !account.autoJoin) return;
      client
        .joinRoom(member.roomId)
        .catch((error: unknown) =>
          logger.warn(`matrix: joining ${member.roomId} failed: ${messageOf(error)}`),
        );
    };
    const onLoggedOut = (error: unknown) => {
      logger.warn(`matrix logout: the homeserver ended this session (${messageOf(error)})`);
      settle(
        new ChannelError(
          "UNAUTHORIZED",
          `Matrix session logged out (${toMatrixChannelError(error).message}): set a new channels.matrix.accessToken`,
        ),
      );
    };
    client.on(sdk.RoomEvent.Timeline, onTimeline as never);
    client.on(sdk.ClientEvent.Sync, onSync as never);
    client.on(sdk.RoomMemberEvent.Membership, onMembership as never);
    client.on(sdk.HttpApiEvent.SessionLoggedOut, onLoggedOut as never);
    const onAbort = () => settle(undefined);
    ctx.abortSignal.addEventListener("abort", onAbort, { once: true });
    let failure: Error | undefined;
    try {
      await client.startClient({
        initialSyncLimit: 1,
        pollTimeout: account.syncTimeoutMs,
        lazyLoadMembers: false,
      });
      if (ctx.abortSignal.aborted) settle(undefined);
      failure = await stopped;
    } finally {
      ctx.abortSignal.removeEventListener("abort", onAbort);
      client.stopClient();
      client.removeAllListeners();
      if (clients.get(ctx.accountId) === client) clients.delete(ctx.accountId);
      await chain;
      ctx.setStatus({ connected: false });
    }
    if (failure) throw failure;
  }

  return {
    specificationVersion: "v1",
    id: "matrix",
    meta: {
      label: "Matrix",
      blurb: "Matrix (matrix-js-sdk): DMs, rooms, threads",
      docsPath: "/channels/matrix",
    },
    capabilities: {
      chatTypes: ["direct", "group", "thread"],
      threads: true,
      reactions: true,
      media: false,
      edits: false,
      maxTextLength: MATRIX_TEXT_LIMIT,
      idempotentSend: true,
    },
    configSchema: matrixConfigSchema,
    config: {
      listAccountIds: (block) => listMatrixAccountIds(block),
      resolveAccount: (block, accountId) => resolveMatrixAccount(block, accountId, env),
      unconfiguredReason: (account) =>
        !account.homeserver
          ? "no homeserver (set channels.matrix.homeserver)"
          : !account.accessToken
            ? "no access token (set channels.matrix.accessToken or MATRIX_ACCESS_TOKEN)"
            : undefined,
      isEnabled: (account) => account.enabled,
    },
    gateway: {
      startAccount: monitor,
      async logoutAccount({ accountId }) {
        const { rm } = await import("node:fs/promises");
        await rm(matrixStateDir(stateDir, accountId), { recursive: true, force: true });
      },
    },
    media: {
      /**
       * An `mxc://` URI through authenticated media (`GET /_matrix/client/v1/media/download/…`,
       * Matrix 1.11) with the account's access token, read up to the cap.
       */
      async download({ account, media, maxBytes, signal }) {
        if (!media.ref.startsWith("mxc://")) throw new Error(`not a Matrix content URI: ${media.ref}`);
        const client = await clientFor(account);
        const url = client.mxcUrlToHttp(media.ref, undefined, undefined, undefined, false, true, true);
        if (!url) throw new Error(`not a valid Matrix content URI: ${media.ref}`);
        const file = await fetchCapped(
          url,
          { headers: { authorization: `Bearer ${client.getAccessToken()}` }, ...(signal ? { signal } : {}) },
          Math.min(maxBytes, account.mediaMaxBytes),
        );
        const mimeType = file.mimeType ?? media.mimeType;
        return { data: file.data, ...(mimeType ? { mimeType } : {}) };
      },
    },
    outbound: {
      render: renderMatrixHtml,
      async sendText(request) {
        const client = await clientFor(request.account);
        const room = client.getRoom(request.to);
        if (room?.hasEncryptionStateEvent())
          throw new ChannelError(
            "REJECTED",
            `room ${request.to} is end-to-end encrypted; encryption is not configured`,
          );
        const content: Record<string, unknown> = {
          msgtype: "m.text",
          body: request.chunk.ir.text,
          format: "org.matrix.custom.html",
          formatted_body: request.chunk.text,
        };
        if (request.threadId)
          content["m.relates_to"] = {
            rel_type: "m.thread",
            event_id: request.threadId,
            is_falling_back: !request.replyToMessageId,
            "m.in_reply_to": { event_id: request.replyToMessageId ?? request.threadId },
          };
        else if (request.replyToMessageId)
          content["m.relates_to"] = { "m.in_reply_to": { event_id: request.replyToMessageId } };
        try {
          const sent = await client.sendEvent(
            request.to,
            request.threadId ?? null,
            "m.room.message" as never,
            content as never,
            matrixTxnId(request.idempotencyKey),
          );
          return { messageId: sent.event_id };
        } catch (error) {
          throw toMatrixChannelError(error);
        }
      },
      async sendTyping(request) {
        const client = clients.get(request.accountId);
        if (!client) return;
        const key = `${request.accountId}:${request.to}`;
        const now = Date.now();
        if (now - (lastTyping.get(key) ?? Number.NEGATIVE_INFINITY) < 20_000) return;
        lastTyping.set(key, now);
        if (lastTyping.size > 10_000) lastTyping.clear();
        await client.sendTyping(request.to, true, 25_000).catch(() => undefined);
      },
      async react(request) {
        const client = clients.get(request.accountId);
        await client
          ?.sendEvent(
            request.to,
            null,
            "m.reaction" as never,
            {
              "m.relates_to": { rel_type: "m.annotation", event_id: request.messageId, key: request.emoji },
            } as never,
          )
          .catch(() => undefined);
      },
    },
    pairing: {
      idLabel: "Matrix user id",
      normalizeAllowEntry: (entry) => entry.replace(/^matrix:/i, "").trim(),
    },
    status: {
      async probe({ account, timeoutMs }) {
        const started = Date.now();
        try {
          const sdk = await import("matrix-js-sdk");
          const client = await newClient(sdk, account);
          const me = await Promise.race([
            client.whoami(),
            new Promise<never>((_, reject) =>
              setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs).unref(),
            ),
          ]);
          return { ok: true, self: { id: me.user_id }, elapsedMs: Date.now() - started };
        } catch (error) {
          return { ok: false, error: toMatrixChannelError(error).message, elapsedMs: Date.now() - started };
        }
      },
    },
  };
}
