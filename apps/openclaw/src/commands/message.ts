import type { Command } from "commander";
import { CLIENT_OPTIONS } from "./gateway-local.js";

/** `openclaw message send --channel <id> --to <target> --message <text>` through the running gateway. */
export function registerMessage(program: Command): void {
  const message = program.command("message").description("send messages through a channel");
  const send = message
    .command("send")
    .description("send a message (Markdown) to a chat through the running gateway")
    .requiredOption("--channel <id>", "telegram | discord | slack")
    .requiredOption("--to <target>", "chat / channel / user id on that channel")
    .requiredOption("-m, --message <text>", "message text (Markdown)")
    .option("--account <id>", "channel account id")
    .option("--idempotency-key <key>", "retry-safe key (default: random)");
  for (const [flags, description] of CLIENT_OPTIONS) send.option(flags, description);
  send.action(async (options) => {
    const { messageSend } = await import("./message-impl.js");
    await messageSend(options);
  });
}
