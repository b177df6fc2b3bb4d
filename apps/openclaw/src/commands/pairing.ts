import type { Command } from "commander";
import { CLIENT_OPTIONS } from "./gateway-local.js";

/** `openclaw pairing list <channel> | approve <channel> <code> [--notify]` (local pairing store). */
export function registerPairing(program: Command): void {
  const pairing = program
    .command("pairing")
    .description("approve people who DM your bots (dmPolicy: pairing)");
  pairing
    .command("list <channel>")
    .description("pending pairing requests (8-character codes, valid 1 h)")
    .option("--json", "print JSON")
    .action(async (channel: string, options: { json?: boolean }) => {
      const { pairingList } = await import("./pairing-impl.js");
      await pairingList(channel, options);
    });
  const approve = pairing
    .command("approve <channel> <code>")
    .description("allow the sender who received this code")
    .option("--notify", "tell the sender through the running gateway");
  for (const [flags, description] of CLIENT_OPTIONS) approve.option(flags, description);
  approve.action(async (channel: string, code: string, options) => {
    const { pairingApprove } = await import("./pairing-impl.js");
    await pairingApprove(channel, code, options);
  });
}
