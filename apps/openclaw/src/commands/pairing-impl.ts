import { type ClientFlags, localPaths, print, resolveTarget } from "./gateway-local.js";
import { CliError, callGateway, runClient } from "./gateway-rpc.js";

async function store() {
  const { createFilePairingStore } = await import("@openclaw/core");
  return createFilePairingStore({ stateDir: localPaths().stateDir });
}

export async function pairingList(channel: string, options: { json?: boolean }): Promise<void> {
  await runClient(async () => {
    const requests = await (await store()).list(channel.toLowerCase());
    if (options.json) return print(JSON.stringify({ channel, requests }, null, 2));
    if (requests.length === 0) return print(`No pending pairing requests for ${channel}.`);
    for (const r of requests) {
      const who = r.meta?.username ? `@${r.meta.username}` : (r.meta?.displayName ?? "");
      const expires = new Date(Date.parse(r.createdAt) + 3_600_000).toISOString();
      print(
        `${r.code}  sender ${r.id}${who ? ` (${who})` : ""}  account ${r.meta?.accountId ?? "default"}  expires ${expires}`,
      );
    }
    print(`Approve with: openclaw pairing approve ${channel} <code>`);
  });
}

export async function pairingApprove(
  channel: string,
  code: string,
  options: ClientFlags & { notify?: boolean },
): Promise<void> {
  await runClient(async () => {
    const request = await (await store()).approve(channel.toLowerCase(), code);
    if (!request)
      throw new CliError(
        `no pending pairing request with code ${code.toUpperCase()} for ${channel} (expired after 1 h, or already approved?)`,
      );
    print(
      `Approved ${channel} sender ${request.id}${request.meta?.username ? ` (@${request.meta.username})` : ""}.`,
    );
    if (options.notify) {
      try {
        await callGateway(resolveTarget(options), "send", {
          channel: channel.toLowerCase(),
          to: request.id,
          ...(request.meta?.accountId ? { accountId: request.meta.accountId } : {}),
          message: "✅ OpenClaw access approved. Send a message to start chatting.",
          idempotencyKey: `pairing-approved:${channel}:${request.id}:${request.code}`,
        });
        print("Notified the sender.");
      } catch (error) {
        print(`Could not notify the sender: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  });
}
