import { listChannelAccountIds } from "@openclaw/protocol/channel";
import { z } from "zod";

/** Keys of one Matrix account (`channels.matrix` top level or `channels.matrix.accounts.<id>`). */
export const matrixAccountShape = {
  enabled: z.boolean().optional(),
  /** Homeserver base URL (`https://matrix.example.org`). */
  homeserver: z.string().url().optional(),
  /** Access token of the bot's device. The default account also reads `MATRIX_ACCESS_TOKEN`. */
  accessToken: z.string().optional(),
  /** The bot's user id (`@openclaw:example.org`); asked from the homeserver (whoami) when unset. */
  userId: z.string().optional(),
  /** Join rooms the bot is invited to (default true). */
  autoJoin: z.boolean().optional(),
  /** End-to-end encryption. Not available in this build: encrypted rooms are refused with a status. */
  encryption: z.boolean().optional(),
  /** Long-poll timeout of /sync, ms (default 30000). */
  syncTimeoutMs: z.number().int().min(0).optional(),
  /** Largest inbound media passed on, MB (default 50); larger files become a note. */
  mediaMaxMb: z.number().positive().optional(),
  textChunkLimit: z.number().int().positive().optional(),
};

export const matrixConfigSchema = z.looseObject({
  ...matrixAccountShape,
  accounts: z.record(z.string(), z.looseObject(matrixAccountShape)).optional(),
});

export interface MatrixAccount {
  accountId: string;
  enabled: boolean;
  homeserver?: string;
  accessToken?: string;
  userId?: string;
  autoJoin: boolean;
  encryption: boolean;
  syncTimeoutMs: number;
  mediaMaxBytes: number;
}

export function listMatrixAccountIds(block: Record<string, unknown> | undefined): string[] {
  return listChannelAccountIds(block, "accessToken");
}

export function resolveMatrixAccount(
  block: Record<string, unknown> | undefined,
  accountId: string,
  env: NodeJS.ProcessEnv = process.env,
): MatrixAccount {
  const parsed = matrixConfigSchema.safeParse(block ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`channels.matrix.${issue?.path.join(".")}: ${issue?.message}`);
  }
  const { accounts, ...top } = parsed.data;
  const merged = { ...top, ...(accounts?.[accountId] ?? {}) };
  const accessToken = merged.accessToken ?? (accountId === "default" ? env.MATRIX_ACCESS_TOKEN : undefined);
  const homeserver = merged.homeserver ?? (accountId === "default" ? env.MATRIX_HOMESERVER : undefined);
  return {
    accountId,
    enabled: merged.enabled !== false,
    ...(homeserver ? { homeserver: homeserver.replace(/\/+$/, "") } : {}),
    ...(accessToken ? { accessToken } : {}),
    ...(merged.userId ? { userId: merged.userId } : {}),
    autoJoin: merged.autoJoin !== false,
    encryption: merged.encryption === true,
    syncTimeoutMs: merged.syncTimeoutMs ?? 30_000,
    mediaMaxBytes: Math.round((merged.mediaMaxMb ?? 50) * 1024 * 1024),
  };
}
