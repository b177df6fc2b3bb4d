import { listChannelAccountIds } from "@openclaw/protocol/channel";
import { z } from "zod";

/** Keys of one Signal account (`channels.signal` top level or `channels.signal.accounts.<id>`). */
export const signalAccountShape = {
  enabled: z.boolean().optional(),
  /** The Signal number signal-cli is registered or linked with (`+15551234567`). */
  account: z.string().optional(),
  /** A running signal-cli daemon (`signal-cli daemon --http 127.0.0.1:8080`); unset = spawn one. */
  httpUrl: z.string().url().optional(),
  /** signal-cli executable spawned when `httpUrl` is unset (default `signal-cli` on PATH). */
  cliPath: z.string().min(1).optional(),
  /** Port of the spawned daemon (default 8080, loopback only). */
  httpPort: z.number().int().min(0).max(65535).optional(),
  /** Largest attachment accepted in either direction, MB (default 50). */
  mediaMaxMb: z.number().positive().optional(),
  textChunkLimit: z.number().int().positive().optional(),
};

export const signalConfigSchema = z.looseObject({
  ...signalAccountShape,
  accounts: z.record(z.string(), z.looseObject(signalAccountShape)).optional(),
});

export interface SignalAccount {
  accountId: string;
  enabled: boolean;
  account?: string;
  httpUrl?: string;
  cliPath: string;
  httpPort: number;
  mediaMaxBytes: number;
}

export function listSignalAccountIds(block: Record<string, unknown> | undefined): string[] {
  return listChannelAccountIds(block, "account");
}

export function resolveSignalAccount(
  block: Record<string, unknown> | undefined,
  accountId: string,
): SignalAccount {
  const parsed = signalConfigSchema.safeParse(block ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`channels.signal.${issue?.path.join(".")}: ${issue?.message}`);
  }
  const { accounts, ...top } = parsed.data;
  const merged = { ...top, ...(accounts?.[accountId] ?? {}) };
  return {
    accountId,
    enabled: merged.enabled !== false,
    ...(merged.account ? { account: merged.account } : {}),
    ...(merged.httpUrl ? { httpUrl: merged.httpUrl.replace(/\/+$/, "") } : {}),
    cliPath: merged.cliPath ?? "signal-cli",
    httpPort: merged.httpPort ?? 8080,
    mediaMaxBytes: Math.round((merged.mediaMaxMb ?? 50) * 1024 * 1024),
  };
}
