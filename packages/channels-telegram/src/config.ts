import { z } from "zod";

/** Keys of one Telegram account (`channels.telegram` top level or `channels.telegram.accounts.<id>`). */
export const telegramAccountShape = {
  enabled: z.boolean().optional(),
  /** Bot token from @BotFather. The default account also reads `TELEGRAM_BOT_TOKEN`. */
  botToken: z.string().optional(),
  /** Bot API server root (self-hosted `telegram-bot-api` for large files; tests point it at a fake). */
  apiRoot: z.string().url().optional(),
  /** Public HTTPS URL Telegram posts updates to; set it to use webhook mode instead of long polling. */
  /** `{port}` is replaced by the listening port (useful with webhookPort 0). */
  webhookUrl: z.string().min(1).optional(),
  webhookSecret: z.string().optional(),
  webhookPath: z.string().optional(),
  webhookHost: z.string().optional(),
  webhookPort: z.number().int().min(0).max(65535).optional(),
  /** `partial`: post a draft and edit it in place while the model writes (default `off`). */
  streamMode: z.enum(["off", "partial", "block"]).optional(),
  /** Minimum time between draft edits, ms (default 1000; Telegram rate-limits edits). */
  streamEditIntervalMs: z.number().int().min(0).optional(),
  /** Long-poll timeout of getUpdates, seconds (default 30). */
  pollTimeoutSeconds: z.number().int().min(0).max(50).optional(),
  /** Outbound throttling (grammY transformer-throttler options), or false to disable. */
  throttle: z
    .union([
      z.literal(false),
      z.looseObject({
        global: z.looseObject({}).optional(),
        group: z.looseObject({}).optional(),
        out: z.looseObject({}).optional(),
      }),
    ])
    .optional(),
  textChunkLimit: z.number().int().positive().optional(),
};

export const telegramConfigSchema = z.looseObject({
  ...telegramAccountShape,
  accounts: z.record(z.string(), z.looseObject(telegramAccountShape)).optional(),
});

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
  const accounts = block?.accounts as Record<string, unknown> | undefined;
  const ids = Object.keys(accounts ?? {});
  if (ids.length === 0 || block?.botToken !== undefined)
    return ["default", ...ids.filter((id) => id !== "default")];
  return ids;
}

export function resolveTelegramAccount(
  block: Record<string, unknown> | undefined,
  accountId: string,
  env: NodeJS.ProcessEnv = process.env,
): TelegramAccount {
  const parsed = telegramConfigSchema.safeParse(block ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`channels.telegram.${issue?.path.join(".")}: ${issue?.message}`);
  }
  const { accounts, ...top } = parsed.data;
  const merged = { ...top, ...(accounts?.[accountId] ?? {}) };
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
