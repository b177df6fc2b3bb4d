import { listChannelAccountIds } from "@openclaw/protocol/channel";
import { z } from "zod";

/** Keys of one WhatsApp account (`channels.whatsapp` top level or `channels.whatsapp.accounts.<id>`). */
export const whatsappAccountShape = {
  enabled: z.boolean().optional(),
  /** Where the linked session lives (default `<stateDir>/credentials/whatsapp/<accountId>`). */
  authDir: z.string().min(1).optional(),
  /** Mark answered messages as read (blue ticks). Default true. */
  sendReadReceipts: z.boolean().optional(),
  /** Show "typing…" while the agent works. Default true. */
  typing: z.boolean().optional(),
  /** Minimum time between two outbound messages of this account, ms (default 1000; 0 = no pacing). */
  sendPacingMs: z.number().int().min(0).optional(),
  /** Largest media accepted in either direction, MB (default 50). */
  mediaMaxMb: z.number().positive().optional(),
  textChunkLimit: z.number().int().positive().optional(),
};

export const whatsappConfigSchema = z.looseObject({
  ...whatsappAccountShape,
  accounts: z.record(z.string(), z.looseObject(whatsappAccountShape)).optional(),
});

export interface WhatsAppAccount {
  accountId: string;
  enabled: boolean;
  authDir: string;
  sendReadReceipts: boolean;
  typing: boolean;
  sendPacingMs: number;
  mediaMaxBytes: number;
}

export function listWhatsAppAccountIds(block: Record<string, unknown> | undefined): string[] {
  return listChannelAccountIds(block);
}

export function resolveWhatsAppAccount(
  block: Record<string, unknown> | undefined,
  accountId: string,
  defaultAuthDir: (accountId: string) => string,
): WhatsAppAccount {
  const parsed = whatsappConfigSchema.safeParse(block ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`channels.whatsapp.${issue?.path.join(".")}: ${issue?.message}`);
  }
  const { accounts, ...top } = parsed.data;
  const own = accounts?.[accountId] ?? {};
  const merged = { ...top, ...own };
  return {
    accountId,
    enabled: merged.enabled !== false,
    // a top-level authDir belongs to the default account only: two accounts never share a session
    authDir:
      own.authDir ?? (accountId === "default" && top.authDir ? top.authDir : defaultAuthDir(accountId)),
    sendReadReceipts: merged.sendReadReceipts !== false,
    typing: merged.typing !== false,
    sendPacingMs: merged.sendPacingMs ?? 1000,
    mediaMaxBytes: Math.round((merged.mediaMaxMb ?? 50) * 1024 * 1024),
  };
}
