import { listChannelAccountIds } from "@openclaw/protocol/channel";
import { z } from "zod";

/** Keys of one Mattermost account (`channels.mattermost` top level or `channels.mattermost.accounts.<id>`). */
export const mattermostAccountShape = {
  enabled: z.boolean().optional(),
  /** Server URL (`https://chat.example.com`). The default account also reads `MATTERMOST_URL`. */
  baseUrl: z.string().url().optional(),
  /** Bot access token. The default account also reads `MATTERMOST_BOT_TOKEN`. */
  botToken: z.string().optional(),
  /** Largest inbound file passed on, MB (default 50); larger files become a note. */
  mediaMaxMb: z.number().positive().optional(),
  textChunkLimit: z.number().int().positive().optional(),
};

export const mattermostConfigSchema = z.looseObject({
  ...mattermostAccountShape,
  accounts: z.record(z.string(), z.looseObject(mattermostAccountShape)).optional(),
});

export interface MattermostAccount {
  accountId: string;
  enabled: boolean;
  baseUrl?: string;
  botToken?: string;
  mediaMaxBytes: number;
}

export function listMattermostAccountIds(block: Record<string, unknown> | undefined): string[] {
  return listChannelAccountIds(block, "botToken");
}

export function resolveMattermostAccount(
  block: Record<string, unknown> | undefined,
  accountId: string,
  env: NodeJS.ProcessEnv = process.env,
): MattermostAccount {
  const parsed = mattermostConfigSchema.safeParse(block ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`channels.mattermost.${issue?.path.join(".")}: ${issue?.message}`);
  }
  const { accounts, ...top } = parsed.data;
  const merged = { ...top, ...(accounts?.[accountId] ?? {}) };
  const botToken = merged.botToken ?? (accountId === "default" ? env.MATTERMOST_BOT_TOKEN : undefined);
  const baseUrl = merged.baseUrl ?? (accountId === "default" ? env.MATTERMOST_URL : undefined);
  return {
    accountId,
    enabled: merged.enabled !== false,
    ...(baseUrl ? { baseUrl: baseUrl.replace(/\/+$/, "") } : {}),
    ...(botToken ? { botToken } : {}),
    mediaMaxBytes: Math.round((merged.mediaMaxMb ?? 50) * 1024 * 1024),
  };
}
