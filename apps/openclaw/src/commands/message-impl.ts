import { randomUUID } from "node:crypto";
import { type ClientFlags, print, resolveTarget } from "./gateway-local.js";
import { callGateway, runClient } from "./gateway-rpc.js";

export async function messageSend(
  options: ClientFlags & {
    channel: string;
    to: string;
    message: string;
    account?: string;
    idempotencyKey?: string;
  },
): Promise<void> {
  await runClient(async () => {
    const result = await callGateway<{ messageIds?: string[] }>(resolveTarget(options), "send", {
      channel: options.channel.toLowerCase(),
      to: options.to,
      message: options.message,
      ...(options.account ? { accountId: options.account } : {}),
      idempotencyKey: options.idempotencyKey ?? randomUUID(),
    });
    if (options.json) return print(JSON.stringify(result, null, 2));
    const ids = result.messageIds ?? [];
    print(
      `Sent to ${options.channel}:${options.to} (${ids.length} message${ids.length === 1 ? "" : "s"}${ids.length ? `: ${ids.join(", ")}` : ""}).`,
    );
  });
}
