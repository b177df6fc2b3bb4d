import { OpenClawError } from "@openclaw/protocol/base";
import type { CoreMethods } from "../methods/context.js";

/** The DM pairing store of this gateway's state dir (loaded on the first call). */
async function pairingStore(stateDir: string) {
  const { createFilePairingStore } = await import("../state/dm-pairing-store.js");
  return createFilePairingStore({ stateDir });
}

/**
 * `channels.pairing.*`: the senders waiting with a pairing code (what `openclaw pairing list` and
 * `approve` do on the CLI), for operators approving them from the Control UI.
 */
export const dmPairingMethods = {
  "channels.pairing.list": async (params, ctx) => {
    const store = await pairingStore(ctx.stateDir);
    const configured = Object.keys((ctx.config().channels as Record<string, unknown> | undefined) ?? {});
    const channels = params.channel ? [params.channel.toLowerCase()] : configured;
    const requests = [];
    for (const channel of channels)
      for (const request of await store.list(channel, params.accountId))
        requests.push({ ...request, channel });
    return { requests };
  },

  "channels.pairing.approve": async (params, ctx) => {
    const channel = params.channel.toLowerCase();
    const request = await (await pairingStore(ctx.stateDir)).approve(channel, params.code);
    if (!request)
      throw new OpenClawError(
        "INVALID_REQUEST",
        `no pending pairing request with code ${params.code.toUpperCase()} for ${channel} (expired after 1 h, or already approved?)`,
      );
    ctx.logger.info({ channel, sender: request.id }, "channel sender approved (pairing)");
    return { ok: true as const, request: { ...request, channel } };
  },

  "channels.pairing.dismiss": async (params, ctx) => {
    const removed = await (await pairingStore(ctx.stateDir)).reject(
      params.channel.toLowerCase(),
      params.code,
    );
    return { ok: true as const, removed };
  },
} satisfies CoreMethods;
