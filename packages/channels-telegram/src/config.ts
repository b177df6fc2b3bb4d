import { createRequire } from "node:module";
import {
  type ConfigShape,
  listChannelAccountIds,
  parseChannelBlock,
  zodFromConfigShape,
} from "@openclaw/protocol/channel";
import type * as z from "zod";

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Keys of one Telegram account (`channels.telegram` top level or `channels.telegram.accounts.<id>`). */
export const telegramAccountShape: ConfigShape = {
  enabled: { type: "boolean" },
  /** Bot token from @BotFather. The default account also reads `TELEGRAM_BOT_TOKEN`. */
  botToken: { type: "string" },
  /** Bot API server root (self-hosted `telegram-bot-api` for large files; tests point it at a fake). */
  apiRoot: { type: "string", url: true },
  /** Public HTTPS URL Telegram posts updates to; set it to use webhook mode instead of long polling. */
  /** `{port}` is replaced by the listening port (useful with webhookPort 0). */
  webhookUrl: { type: "string", minLength: 1 },
  webhookSecret: { type: "string" },
  webhookPath: { type: "string" },
  webhookHost: { type: "string" },
  webhookPort: { type: "int", min: 0, max: 65535 },
  /** `partial`: post a draft and edit it in place while the model writes (default `off`). */
  streamMode: { type: "enum", values: ["off", "partial", "block"] },
  /** Minimum time between draft edits, ms (default 1000; Telegram rate-limits edits). */
  streamEditIntervalMs: { type: "int", min: 0 },
  /** Long-poll timeout of getUpdates, seconds (default 30). */
  pollTimeoutSeconds: { type: "int", min: 0, max: 50 },
  /** Outbound throttling (grammY transformer-throttler options), or false to disable. */
  throttle: {
    type: "custom",
    check: (value) =>
      value === false ||
      (isObject(value) &&
        ["global", "group", "out"].every((key) => value[key] === undefined || isObject(value[key]))),
    zod: (zod) =>
      zod.union([
        zod.literal(false),
        zod.looseObject({
          global: zod.looseObject({}).optional(),
          group: zod.looseObject({}).optional(),
          out: zod.looseObject({}).optional(),
        }),
      ]),
  },
  textChunkLimit: { type: "int", positive: true },
};

let schema: z.ZodType | undefined;
/**
 * The zod schema of `channels.telegram` (the plugin's `configSchema`), built on first use: connecting
 * checks the block with `parseChannelBlock` and never loads zod.
 */
export function telegramConfigSchema(): z.ZodType {
  schema ??= zodFromConfigShape(createRequire(import.meta.url)("zod") as typeof z, telegramAccountShape);
  return schema;
}

/** The keys `resolveTelegramAccount` reads, as `parseChannelBlock` checked them. */
interface TelegramBlock {
  enabled?: boolean;
  botToken?: string;
  apiRoot?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  webhookPath?: string;
  webhookHost?: string;
  webhookPort?: number;
  streamMode?: "off" | "partial" | "block";
  pollTimeoutSeconds?: number;
  throttle?: TelegramAccount["throttle"];
}

export interface TelegramAccount {
  accountId: string;
  enabled: boolean;
  botToken?: string;
  apiRoot?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  webhookPath: string;
  webhookHost: string;
  webhookPort: number;
  streamMode: "off" | "partial" | "block";
  pollTimeoutSeconds: number;
  throttle:
    | false
    | { global?: Record<string, unknown>; group?: Record<string, unknown>; out?: Record<string, unknown> };
}

export function listTelegramAccountIds(block: Record<string, unknown> | undefined): string[] {
  return listChannelAccountIds(block, "botToken");
}

export function resolveTelegramAccount(
  block: Record<string, unknown> | undefined,
  accountId: string,
  env: NodeJS.ProcessEnv = process.env,
): TelegramAccount {
  const { accounts, ...top } = parseChannelBlock("telegram", block, telegramAccountShape);
  const merged = { ...top, ...(accounts?.[accountId] ?? {}) } as TelegramBlock;
  const botToken = merged.botToken ?? (accountId === "default" ? env.TELEGRAM_BOT_TOKEN : undefined);
  return {
    accountId,
    enabled: merged.enabled !== false,
    ...(botToken ? { botToken } : {}),
    ...(merged.apiRoot ? { apiRoot: merged.apiRoot.replace(/\/+$/, "") } : {}),
    ...(merged.webhookUrl ? { webhookUrl: merged.webhookUrl } : {}),
    ...(merged.webhookSecret ? { webhookSecret: merged.webhookSecret } : {}),
    webhookPath: merged.webhookPath ?? "/telegram-webhook",
    webhookHost: merged.webhookHost ?? "127.0.0.1",
    webhookPort: merged.webhookPort ?? 8787,
    streamMode: merged.streamMode ?? "off",
    pollTimeoutSeconds: merged.pollTimeoutSeconds ?? 30,
    throttle: (merged.throttle as TelegramAccount["throttle"] | undefined) ?? {},
  };
}
