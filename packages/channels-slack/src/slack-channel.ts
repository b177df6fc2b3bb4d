import { createRequire } from "node:module";
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
import { type Logger, LogLevel, WebClient } from "@slack/web-api";
import type * as z from "zod";
import { renderSlackMrkdwn } from "./render.js";

/** Slack accepts ~40k characters but renders long messages poorly; chunk at 4000 like OpenClaw. */
export const SLACK_TEXT_LIMIT = 4000;

const accountShape: ConfigShape = {
  enabled: { type: "boolean" },
  /** Bot token `xoxb-…` (default account also reads SLACK_BOT_TOKEN). */
  botToken: { type: "string" },
  /** App-level token `xapp-…` for Socket Mode (default account also reads SLACK_APP_TOKEN). */
  appToken: { type: "string" },
  /** `socket` (default) or `http` (Events API over HTTP; needs signingSecret). */
  mode: { type: "enum", values: ["socket", "http"] },
  signingSecret: { type: "string" },
  /** HTTP events mode: port and path the events server listens on. */
  webhookPort: { type: "int", min: 0, max: 65535 },
  webhookPath: { type: "string" },
  /** Web API root (default `https://slack.com/api/`); tests point it at a fake. */
  apiUrl: { type: "string", minLength: 1 },
  textChunkLimit: { type: "int", positive: true },
};

let schema: z.ZodType | undefined;
/** The zod schema of `channels.slack` (the plugin's `configSchema`), built on first use: connecting never loads zod. */
export function slackConfigSchema(): z.ZodType {
  schema ??= zodFromConfigShape(createRequire(import.meta.url)("zod") as typeof z, accountShape);
  return schema;
}

export interface SlackAccount {
  accountId: string;
  enabled: boolean;
  botToken?: string;
  appToken?: string;
  mode: "socket" | "http";
  signingSecret?: string;
  webhookPort: number;
  webhookPath: string;
  apiUrl?: string;
}

export function resolveSlackAccount(
  block: Record<string, unknown> | undefined,
  accountId: string,
  env: NodeJS.ProcessEnv = process.env,
): SlackAccount {
  const { accounts, ...top } = parseChannelBlock("slack", block, accountShape);
  const merged = { ...top, ...(accounts?.[accountId] ?? {}) } as Partial<
    Omit<SlackAccount, "accountId" | "enabled"> & { enabled: boolean }
  >;
  const isDefault = accountId === "default";
  const botToken = merged.botToken ?? (isDefault ? env.SLACK_BOT_TOKEN : undefined);
  const appToken = merged.appToken ?? (isDefault ? env.SLACK_APP_TOKEN : undefined);
  return {
    accountId,
    enabled: merged.enabled !== false,
    ...(botToken ? { botToken } : {}),
    ...(appToken ? { appToken } : {}),
    mode: merged.mode ?? "socket",
    ...(merged.signingSecret ? { signingSecret: merged.signingSecret } : {}),
    webhookPort: merged.webhookPort ?? 3000,
    webhookPath: merged.webhookPath ?? "/slack/events",
    ...(merged.apiUrl ? { apiUrl: merged.apiUrl.endsWith("/") ? merged.apiUrl : `${merged.apiUrl}/` } : {}),
  };
}

function toChannelError(error: unknown): ChannelError {
  if (ChannelError.isInstance(error)) return error;
  const e = error as {
    code?: string;
    retryAfter?: number;
    data?: { error?: string };
    message?: string;
    original?: { code?: string };
  };
  switch (e?.code) {
    case "slack_webapi_rate_limited_error":
      return new ChannelError("NOT_SENT", "rate limited", {
        vendorStatus: 429,
        ...(e.retryAfter !== undefined ? { retryAfterMs: e.retryAfter * 1000 } : {}),
        cause: error,
      });
    case "slack_webapi_platform_error": {
      const reason = e.data?.error ?? "unknown";
      if (
        ["invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"].includes(reason)
      )
        return new ChannelError("UNAUTHORIZED", `invalid token (${reason})`, {
          vendorStatus: reason,
          cause: error,
        });
      return new ChannelError("REJECTED", reason, { vendorStatus: reason, cause: error });
    }
    case "slack_webapi_request_error":
      if (e.original?.code === "ECONNREFUSED")
        return new ChannelError("NOT_SENT", "network: ECONNREFUSED", { cause: error });
      return new ChannelError("AMBIGUOUS", `network: ${e.original?.code ?? e.message}`, { cause: error });
    case "slack_webapi_http_error":
      return new ChannelError("AMBIGUOUS", e.message ?? "http error", { cause: error });
    default:
      return new ChannelError("AMBIGUOUS", error instanceof Error ? error.message : String(error), {
        cause: error,
      });
  }
}

// biome-ignore lint/suspicious/noExplicitAny: raw Slack event JSON, checked field by field
type Json = Record<string, any>;

const IGNORED_SUBTYPES = new Set([
  "message_changed",
  "message_deleted",
  "bot_message",
  "channel_join",
  "channel_leave",
  "message_replied",
]);

/** Slack Events API `message` / `app_mention` event → InboundMessage. */
export function normalizeSlackEvent(
  body: Json,
  accountId: string,
  botUserId: string,
): InboundMessageInput | undefined {
  const event = body?.event as Json | undefined;
  if (!event || (event.type !== "message" && event.type !== "app_mention")) return undefined;
  if (event.subtype && IGNORED_SUBTYPES.has(event.subtype)) return undefined;
  if (typeof event.channel !== "string" || typeof event.ts !== "string" || typeof event.user !== "string")
    return undefined;
  if (event.user === botUserId || event.bot_id) return undefined;
  const text: string = typeof event.text === "string" ? event.text : "";
  const files: Json[] = Array.isArray(event.files) ? event.files : [];
  if (!text && files.length === 0) return undefined;
  const channelType = event.channel_type ?? (String(event.channel).startsWith("D") ? "im" : "channel");
  const type =
    channelType === "im" ? "direct" : channelType === "mpim" || channelType === "group" ? "group" : "channel";
  const threadTs =
    typeof event.thread_ts === "string" && event.thread_ts !== event.ts ? event.thread_ts : undefined;
  const mentions = [...text.matchAll(/<@([A-Z0-9]+)(?:\|[^>]*)?>/g)].map((m) => m[1] ?? "");
  return {
    channel: "slack",
    accountId,
    messageId: event.ts,
    chat: {
      type,
      id: event.channel,
      ...(threadTs ? { threadId: threadTs } : {}),
      ...(body.team_id ? { teamId: String(body.team_id) } : {}),
    },
    sender: { id: event.user },
    text: text.replace(new RegExp(`<@${botUserId}>\\s*`, "g"), "").trim() || text,
    mentioned: event.type === "app_mention" || mentions.includes(botUserId),
    mentions,
    media: files.map((f) => ({
      kind: String(f.mimetype ?? "").startsWith("image/") ? ("image" as const) : ("document" as const),
      ref: String(f.url_private ?? f.id),
      ...(f.mimetype ? { mimeType: String(f.mimetype) } : {}),
      ...(f.name ? { fileName: String(f.name) } : {}),
      ...(typeof f.size === "number" ? { sizeBytes: f.size } : {}),
    })),
    timestamp: Math.round(Number(event.ts) * 1000),
  };
}

function slackLogger(ctx: ChannelAccountContext<SlackAccount>): Logger {
  let level = LogLevel.WARN;
  const text = (args: unknown[]) =>
    args
      .map((a) => (typeof a === "string" ? a : a instanceof Error ? a.message : JSON.stringify(a)))
      .join(" ");
  return {
    debug: (...a: unknown[]) => ctx.logger.debug(text(a)),
    info: (...a: unknown[]) => ctx.logger.debug(text(a)),
    warn: (...a: unknown[]) => ctx.logger.warn(text(a)),
    error: (...a: unknown[]) => ctx.logger.error(text(a)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** Resolves when the account is stopped (at once if it already is). */
const stopped = (signal: AbortSignal) =>
  new Promise<void>((resolve) =>
    signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true }),
  );

/**
 * The Slack channel on @slack/web-api, with @slack/socket-mode (default) or Slack's HTTP Events API
 * on node:http for inbound messages; mrkdwn rendering.
 */
export function createSlackChannel(options: { env?: NodeJS.ProcessEnv } = {}): ChannelPluginV1<SlackAccount> {
  const env = options.env ?? process.env;
  // Outbound Web API calls go through one client per account: no blind library retries (a retried
  // chat.postMessage after a dropped connection would post twice); rate limits surface to the host.
  const clients = new Map<string, WebClient>();
  const clientFor = (account: SlackAccount) => {
    if (!account.botToken)
      throw new ChannelError(
        "UNAUTHORIZED",
        "no bot token configured (channels.slack.botToken or SLACK_BOT_TOKEN)",
      );
    const key = `${account.botToken}|${account.apiUrl ?? ""}`;
    let client = clients.get(key);
    if (!client) {
      client = new WebClient(account.botToken, {
        ...(account.apiUrl ? { slackApiUrl: account.apiUrl } : {}),
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
      });
      clients.set(key, client);
    }
    return client;
  };

  async function monitor(ctx: ChannelAccountContext<SlackAccount>): Promise<void> {
    const account = ctx.account;
    if (!account.botToken) throw new ChannelError("UNAUTHORIZED", "no bot token configured");
    if (account.mode === "socket" && !account.appToken)
      throw new ChannelError(
        "UNAUTHORIZED",
        "no app token configured (channels.slack.appToken or SLACK_APP_TOKEN) for Socket Mode",
      );
    if (account.mode === "http" && !account.signingSecret)
      throw new ChannelError("UNAUTHORIZED", "HTTP events mode needs channels.slack.signingSecret");
    const logger = slackLogger(ctx);
    const web = new WebClient(account.botToken, {
      logger,
      ...(account.apiUrl ? { slackApiUrl: account.apiUrl } : {}),
      retryConfig: { retries: 0 },
    });
    let botUserId = "";
    try {
      const auth = (await web.auth.test()) as Json;
      botUserId = String(auth.user_id);
      ctx.setStatus({
        self: { id: botUserId, username: String(auth.user ?? "") },
        details: { mode: account.mode, team: auth.team },
      });
    } catch (error) {
      throw toChannelError(error);
    }
    // The message is journaled before Slack gets its ack (envelope ack or HTTP 200).
    const onEvent = async (body: Json) => {
      const message = normalizeSlackEvent(body, ctx.accountId, botUserId);
      if (!message) return;
      const ack = await ctx.inbound(message);
      if (ack.status === "rejected") ctx.logger.warn(`slack message rejected: ${ack.reason}`);
    };
    if (account.mode === "http") {
      const http = await import("./http-events.js");
      const server = await http
        .startSlackEventsServer({
          port: account.webhookPort,
          path: account.webhookPath,
          signingSecret: account.signingSecret as string,
          logger: ctx.logger,
          onEvent,
        })
        .catch((error: unknown) => {
          throw toChannelError(error);
        });
      const port = (server.address() as { port?: number } | null)?.port ?? account.webhookPort;
      ctx.setStatus({ connected: true, details: { listen: `:${port}${account.webhookPath}`, port } });
      await stopped(ctx.abortSignal);
      await http.closeSlackEventsServer(server);
      ctx.setStatus({ connected: false });
      return;
    }
    const { connectSocketMode } = await import("./socket-mode.js");
    const socket = await connectSocketMode(
      {
        appToken: account.appToken as string,
        ...(account.apiUrl ? { apiUrl: account.apiUrl } : {}),
        logger,
        onEvent,
      },
      ctx,
    ).catch((error: unknown) => {
      throw toChannelError(error);
    });
    ctx.setStatus({ connected: true });
    const ended = await Promise.race([
      stopped(ctx.abortSignal).then(() => false),
      socket.closed.then(() => true),
    ]);
    await socket.stop();
    ctx.setStatus({ connected: false });
    // the host's account loop reconnects (Slack also asks apps to reconnect every few hours)
    if (ended) ctx.logger.info("slack: Socket Mode connection closed");
  }

  return {
    specificationVersion: "v1",
    id: "slack",
    meta: {
      label: "Slack",
      blurb: "Slack app (Socket Mode or HTTP events): DMs, channels, threads, app mentions",
      docsPath: "/channels/slack",
    },
    capabilities: {
      chatTypes: ["direct", "group", "channel", "thread"],
      threads: true,
      reactions: true,
      media: false,
      edits: true,
      maxTextLength: SLACK_TEXT_LIMIT,
      idempotentSend: false,
    },
    /** Built (and zod loaded) on first read: connecting checks the block without zod. */
    get configSchema() {
      return slackConfigSchema();
    },
    config: {
      listAccountIds: (block) => listChannelAccountIds(block, "botToken"),
      resolveAccount: (block, accountId) => resolveSlackAccount(block, accountId, env),
      unconfiguredReason: (account) => {
        if (!account.botToken) return "no bot token (set channels.slack.botToken or SLACK_BOT_TOKEN)";
        if (account.mode === "socket" && !account.appToken)
          return "no app token (set channels.slack.appToken or SLACK_APP_TOKEN)";
        if (account.mode === "http" && !account.signingSecret)
          return "no signing secret (channels.slack.signingSecret)";
        return undefined;
      },
      isEnabled: (account) => account.enabled,
    },
    gateway: { startAccount: monitor },
    outbound: {
      render: renderSlackMrkdwn,
      async sendText(request) {
        try {
          const result = (await clientFor(request.account).chat.postMessage({
            channel: request.to,
            text: request.chunk.text,
            mrkdwn: true,
            unfurl_links: false,
            ...(request.threadId ? { thread_ts: request.threadId } : {}),
          })) as Json;
          return { messageId: String(result.ts) };
        } catch (error) {
          throw toChannelError(error);
        }
      },
      async editText(request) {
        try {
          await clientFor(request.account).chat.update({
            channel: request.to,
            ts: request.messageId,
            text: request.chunk.text,
          });
          return { messageId: request.messageId };
        } catch (error) {
          throw toChannelError(error);
        }
      },
      async react(request) {
        const name = request.emoji === "👀" ? "eyes" : request.emoji.replace(/:/g, "");
        await clientFor(request.account)
          .reactions.add({ channel: request.to, timestamp: request.messageId, name })
          .catch(() => undefined);
      },
    },
    pairing: {
      idLabel: "Slack user id",
      normalizeAllowEntry: (entry) => entry.replace(/^(slack|user):/i, "").replace(/^<@([A-Z0-9]+)>$/, "$1"),
    },
    status: {
      async probe({ account }) {
        const started = Date.now();
        try {
          const auth = (await clientFor(account).auth.test()) as Json;
          return {
            ok: true,
            self: { id: String(auth.user_id), username: String(auth.user) },
            elapsedMs: Date.now() - started,
          };
        } catch (error) {
          return { ok: false, error: toChannelError(error).message, elapsedMs: Date.now() - started };
        }
      },
    },
  };
}

export const slack = createSlackChannel();
