import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type * as DiscordRest from "@discordjs/rest";
import { WebSocketManager, WebSocketShardEvents } from "@discordjs/ws";
import {
  type ChannelAccountContext,
  ChannelError,
  type ChannelPluginV1,
  type ConfigShape,
  type InboundMessageInput,
  listChannelAccountIds,
  parseChannelBlock,
  zodFromConfigShape,
} from "@openclaw/protocol/channel";
import {
  GatewayDispatchEvents,
  type GatewayDispatchPayload,
  GatewayIntentBits,
  Routes,
} from "discord-api-types/v10";
import type * as z from "zod";
import { renderDiscordMarkdown } from "./render.js";

export const DISCORD_TEXT_LIMIT = 2000;

/**
 * @discordjs/rest's web build (`dist/web.js`, shipped in the same package): the same `REST` as its
 * Node entry, requests over Node's own `fetch` instead of npm's undici, which the Node entry
 * imports at load (~10 MB resident; docs/gateway.md "Memory"). The package exports it only under
 * the non-Node condition, hence the path next to the resolved Node entry.
 */
function loadRest(): typeof DiscordRest {
  const require = createRequire(import.meta.url);
  return require(join(dirname(require.resolve("@discordjs/rest")), "web.js")) as typeof DiscordRest;
}
const { DiscordAPIError, HTTPError, REST } = loadRest();
type REST = DiscordRest.REST;

const accountShape: ConfigShape = {
  enabled: { type: "boolean" },
  /** Bot token. The default account also reads `DISCORD_BOT_TOKEN`. */
  token: { type: "string" },
  /** REST API root (default `https://discord.com/api`); tests point it at a fake. */
  apiBaseUrl: { type: "string", minLength: 1 },
  /** Gateway WebSocket URL; default: what `GET /gateway/bot` answers. */
  gatewayUrl: { type: "string", minLength: 1 },
  /** Reaction added to a message the bot is going to answer ("" disables). */
  ackReaction: { type: "string" },
  textChunkLimit: { type: "int", positive: true },
};

let schema: z.ZodType | undefined;
/** The zod schema of `channels.discord` (the plugin's `configSchema`), built on first use: connecting never loads zod. */
export function discordConfigSchema(): z.ZodType {
  schema ??= zodFromConfigShape(createRequire(import.meta.url)("zod") as typeof z, accountShape);
  return schema;
}

export interface DiscordAccount {
  accountId: string;
  enabled: boolean;
  token?: string;
  apiBaseUrl?: string;
  gatewayUrl?: string;
}

export function resolveDiscordAccount(
  block: Record<string, unknown> | undefined,
  accountId: string,
  env: NodeJS.ProcessEnv = process.env,
): DiscordAccount {
  const { accounts, ...top } = parseChannelBlock("discord", block, accountShape);
  const merged = { ...top, ...(accounts?.[accountId] ?? {}) } as {
    enabled?: boolean;
    token?: string;
    apiBaseUrl?: string;
    gatewayUrl?: string;
  };
  const token = merged.token ?? (accountId === "default" ? env.DISCORD_BOT_TOKEN : undefined);
  return {
    accountId,
    enabled: merged.enabled !== false,
    ...(token ? { token } : {}),
    ...(merged.apiBaseUrl ? { apiBaseUrl: merged.apiBaseUrl.replace(/\/+$/, "") } : {}),
    ...(merged.gatewayUrl ? { gatewayUrl: merged.gatewayUrl } : {}),
  };
}

function toChannelError(error: unknown): ChannelError {
  if (ChannelError.isInstance(error)) return error;
  if (error instanceof DiscordAPIError) {
    if (error.status === 401)
      return new ChannelError("UNAUTHORIZED", "invalid bot token (401 Unauthorized)", {
        vendorStatus: 401,
        cause: error,
      });
    if (error.status === 429)
      return new ChannelError("NOT_SENT", error.message, { vendorStatus: 429, cause: error });
    return new ChannelError("REJECTED", `${error.message} (${error.code})`, {
      vendorStatus: error.status,
      cause: error,
    });
  }
  if (error instanceof HTTPError)
    return new ChannelError("AMBIGUOUS", error.message, { vendorStatus: error.status, cause: error });
  const code =
    (error as { code?: string; cause?: { code?: string } })?.cause?.code ??
    (error as { code?: string })?.code;
  if (code === "ECONNREFUSED") return new ChannelError("NOT_SENT", `network: ${code}`, { cause: error });
  return new ChannelError("AMBIGUOUS", error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}

/** Discord nonces are at most 25 characters: a stable digest of the idempotency key. */
export const discordNonce = (idempotencyKey: string) =>
  createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 25);

// biome-ignore lint/suspicious/noExplicitAny: raw gateway JSON, checked field by field
type Json = Record<string, any>;

export function normalizeDiscordMessage(
  d: Json,
  accountId: string,
  selfId: string,
  threads: Map<string, string>,
): InboundMessageInput | undefined {
  if (!d || typeof d.id !== "string" || typeof d.channel_id !== "string" || !d.author?.id) return undefined;
  if (d.author.id === selfId) return undefined;
  const content: string = typeof d.content === "string" ? d.content : "";
  const attachments: Json[] = Array.isArray(d.attachments) ? d.attachments : [];
  if (!content && attachments.length === 0) return undefined;
  const mentionIds: string[] = Array.isArray(d.mentions) ? d.mentions.map((u: Json) => String(u.id)) : [];
  const referencedFromBot = d.referenced_message?.author?.id === selfId;
  const mentioned =
    mentionIds.includes(selfId) ||
    content.includes(`<@${selfId}>`) ||
    content.includes(`<@!${selfId}>`) ||
    referencedFromBot;
  const parent = threads.get(d.channel_id);
  const guildId = typeof d.guild_id === "string" ? d.guild_id : undefined;
  const chat = !guildId
    ? { type: "direct" as const, id: d.channel_id }
    : parent
      ? { type: "thread" as const, id: d.channel_id, parentId: parent, threadId: d.channel_id, guildId }
      : { type: "channel" as const, id: d.channel_id, guildId };
  return {
    channel: "discord",
    accountId,
    messageId: d.id,
    chat,
    sender: {
      id: String(d.author.id),
      ...(d.author.username ? { username: String(d.author.username) } : {}),
      ...(d.author.global_name ? { displayName: String(d.author.global_name) } : {}),
      ...(d.author.bot ? { isBot: true } : {}),
    },
    text: content.replace(new RegExp(`<@!?${selfId}>\\s*`, "g"), "").trim() || content,
    mentioned,
    mentions: mentionIds,
    ...(d.referenced_message?.id
      ? { replyTo: { messageId: String(d.referenced_message.id), fromBot: referencedFromBot } }
      : {}),
    media: attachments.map((a) => ({
      kind: String(a.content_type ?? "").startsWith("image/") ? ("image" as const) : ("document" as const),
      ref: String(a.url ?? a.id),
      ...(a.content_type ? { mimeType: String(a.content_type) } : {}),
      ...(a.filename ? { fileName: String(a.filename) } : {}),
      ...(typeof a.size === "number" ? { sizeBytes: a.size } : {}),
    })),
    timestamp: typeof d.timestamp === "string" ? Date.parse(d.timestamp) : Date.now(),
  };
}

/** Thread → parent channel ids an account remembers (the oldest forgotten first). */
const MAX_THREADS = 10_000;

function rememberThread(threads: Map<string, string>, id: string, parent: string): void {
  threads.delete(id);
  threads.set(id, parent);
  if (threads.size > MAX_THREADS) threads.delete(threads.keys().next().value as string);
}

/** The Discord channel: gateway over @discordjs/ws, REST over @discordjs/rest (base URLs configurable). */
export function createDiscordChannel(
  options: { env?: NodeJS.ProcessEnv } = {},
): ChannelPluginV1<DiscordAccount> {
  const env = options.env ?? process.env;
  const rests = new Map<string, REST>();
  const restFor = (account: DiscordAccount) => {
    if (!account.token)
      throw new ChannelError(
        "UNAUTHORIZED",
        "no bot token configured (channels.discord.token or DISCORD_BOT_TOKEN)",
      );
    const key = `${account.token}|${account.apiBaseUrl ?? ""}`;
    let rest = rests.get(key);
    if (!rest) {
      rest = new REST({
        version: "10",
        ...(account.apiBaseUrl ? { api: account.apiBaseUrl } : {}),
        retries: 2,
        timeout: 15_000,
      }).setToken(account.token);
      rests.set(key, rest);
    }
    return rest;
  };

  async function monitor(ctx: ChannelAccountContext<DiscordAccount>): Promise<void> {
    const rest = restFor(ctx.account);
    let self: Json;
    try {
      self = (await rest.get(Routes.user("@me"))) as Json;
    } catch (error) {
      throw toChannelError(error);
    }
    const selfId = String(self.id);
    ctx.setStatus({ self: { id: selfId, username: String(self.username) } });
    const threads = new Map<string, string>();
    const manager = new WebSocketManager({
      token: ctx.account.token ?? "",
      intents:
        GatewayIntentBits.Guilds |
        GatewayIntentBits.GuildMessages |
        GatewayIntentBits.DirectMessages |
        GatewayIntentBits.MessageContent,
      rest,
    });
    if (ctx.account.gatewayUrl) {
      const url = ctx.account.gatewayUrl;
      manager.fetchGatewayInformation = async () => ({
        url,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      });
    }
    let fail: (error: Error) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    failed.catch(() => undefined);
    manager.on(WebSocketShardEvents.Ready, () => ctx.setStatus({ connected: true }));
    manager.on(WebSocketShardEvents.Resumed, () =>
      ctx.setStatus({ connected: true, details: { resumed: true } }),
    );
    manager.on(WebSocketShardEvents.Closed, (code: number) => {
      ctx.setStatus({ connected: false });
      if (code === 4004)
        fail(new ChannelError("UNAUTHORIZED", "invalid bot token (gateway 4004 Authentication failed)"));
      else if (code === 4014)
        fail(
          new ChannelError(
            "UNAUTHORIZED",
            "disallowed intents (4014): enable Message Content intent in the developer portal",
          ),
        );
    });
    manager.on(WebSocketShardEvents.Error, (error: Error) =>
      ctx.logger.warn(`gateway error: ${error.message}`),
    );
    manager.on(WebSocketShardEvents.Dispatch, (payload: GatewayDispatchPayload) => {
      const d = payload.d as Json;
      switch (payload.t) {
        case GatewayDispatchEvents.GuildCreate:
          for (const t of (d.threads ?? []) as Json[])
            if (t.parent_id) rememberThread(threads, String(t.id), String(t.parent_id));
          break;
        case GatewayDispatchEvents.ThreadCreate:
          if (d.parent_id) rememberThread(threads, String(d.id), String(d.parent_id));
          break;
        case GatewayDispatchEvents.MessageCreate: {
          const message = normalizeDiscordMessage(d, ctx.accountId, selfId, threads);
          if (!message) return;
          ctx.inbound(message).then(
            (ack) => ack.status === "rejected" && ctx.logger.warn(`discord message rejected: ${ack.reason}`),
            (error) => ctx.logger.error(`discord message not journaled: ${String(error)}`),
          );
          break;
        }
        default:
          break;
      }
    });
    const stopped = new Promise<void>((resolve) =>
      ctx.abortSignal.addEventListener("abort", () => resolve(), { once: true }),
    );
    try {
      await Promise.race([manager.connect(), failed]);
      await Promise.race([stopped, failed]);
    } catch (error) {
      throw toChannelError(error);
    } finally {
      await Promise.resolve(manager.destroy()).catch(() => undefined);
      ctx.setStatus({ connected: false });
    }
  }

  return {
    specificationVersion: "v1",
    id: "discord",
    meta: {
      label: "Discord",
      blurb: "Discord bot: DMs, guild channels, threads",
      docsPath: "/channels/discord",
    },
    capabilities: {
      chatTypes: ["direct", "channel", "thread"],
      threads: true,
      reactions: true,
      media: true,
      edits: true,
      maxTextLength: DISCORD_TEXT_LIMIT,
      idempotentSend: true,
    },
    /** Built (and zod loaded) on first read: connecting checks the block without zod. */
    get configSchema() {
      return discordConfigSchema();
    },
    config: {
      listAccountIds: (block) => listChannelAccountIds(block, "token"),
      resolveAccount: (block, accountId) => resolveDiscordAccount(block, accountId, env),
      unconfiguredReason: (account) =>
        account.token ? undefined : "no bot token (set channels.discord.token or DISCORD_BOT_TOKEN)",
      isEnabled: (account) => account.enabled,
    },
    gateway: { startAccount: monitor },
    outbound: {
      render: renderDiscordMarkdown,
      async sendText(request) {
        try {
          const created = (await restFor(request.account).post(Routes.channelMessages(request.to), {
            body: {
              content: request.chunk.text,
              nonce: discordNonce(request.idempotencyKey),
              enforce_nonce: true,
              allowed_mentions: { parse: [] },
              ...(request.replyToMessageId
                ? { message_reference: { message_id: request.replyToMessageId, fail_if_not_exists: false } }
                : {}),
            },
            ...(request.signal ? { signal: request.signal } : {}),
          })) as Json;
          return { messageId: String(created.id) };
        } catch (error) {
          throw toChannelError(error);
        }
      },
      async editText(request) {
        try {
          await restFor(request.account).patch(Routes.channelMessage(request.to, request.messageId), {
            body: { content: request.chunk.text },
          });
          return { messageId: request.messageId };
        } catch (error) {
          throw toChannelError(error);
        }
      },
      async sendTyping(request) {
        await restFor(request.account)
          .post(Routes.channelTyping(request.to))
          .catch(() => undefined);
      },
      async react(request) {
        await restFor(request.account)
          .put(
            Routes.channelMessageOwnReaction(
              request.to,
              request.messageId,
              encodeURIComponent(request.emoji),
            ),
          )
          .catch(() => undefined);
      },
    },
    pairing: {
      idLabel: "Discord user id",
      normalizeAllowEntry: (entry) => entry.replace(/^(discord|user):/i, "").replace(/^<@!?(\d+)>$/, "$1"),
    },
    status: {
      async probe({ account, timeoutMs }) {
        const started = Date.now();
        if (!account.token) return { ok: false, error: "no bot token configured" };
        try {
          const me = (await restFor(account).get(Routes.user("@me"), {
            signal: AbortSignal.timeout(timeoutMs),
          })) as Json;
          return {
            ok: true,
            self: { id: String(me.id), username: String(me.username) },
            elapsedMs: Date.now() - started,
          };
        } catch (error) {
          return { ok: false, error: toChannelError(error).message, elapsedMs: Date.now() - started };
        }
      },
    },
  };
}

export const discord = createDiscordChannel();
