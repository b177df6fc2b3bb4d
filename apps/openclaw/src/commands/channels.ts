import type { Command } from "commander";
import { CLIENT_OPTIONS } from "./gateway-local.js";

/** `openclaw channels list|status|add|remove|login|logout`. Implementation loads lazily. */
export function registerChannels(program: Command): void {
  const channels = program.command("channels").description("messaging channels (Telegram, Discord, Slack)");
  channels
    .command("list")
    .description("configured channels and accounts (local config)")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const { channelsList } = await import("./channels-impl.js");
      await channelsList(options);
    });
  const status = channels
    .command("status")
    .description("per-account status from the running gateway (connected, last error, drops)")
    .option("--probe", "also call the vendor API with each account's credentials")
    .option("--channel <id>", "only this channel");
  for (const [flags, description] of CLIENT_OPTIONS) status.option(flags, description);
  status.action(async (options) => {
    const { channelsStatus } = await import("./channels-impl.js");
    await channelsStatus(options);
  });
  for (const name of ["add", "login"] as const) {
    channels
      .command(name)
      .description(
        name === "add"
          ? "add or update a channel account in the config"
          : "store a channel's credentials (checked against the vendor first)",
      )
      .requiredOption("--channel <id>", "telegram | discord | slack")
      .option("--account <id>", "account id (default: the channel's default account)")
      .option("--token <token>", "bot token (Telegram, Discord) or Slack bot token xoxb-…")
      .option("--app-token <token>", "Slack app-level token xapp-… (Socket Mode)")
      .option("--api-root <url>", "Telegram: self-hosted Bot API server")
      .option("--no-verify", "login: skip the vendor check")
      .action(async (options) => {
        const { channelsAdd } = await import("./channels-impl.js");
        await channelsAdd(options, name === "login");
      });
  }
  channels
    .command("remove")
    .description("disable a channel (or one account); --delete removes its config block")
    .requiredOption("--channel <id>", "channel id")
    .option("--account <id>", "only this account")
    .option("--delete", "delete the config instead of disabling it")
    .action(async (options) => {
      const { channelsRemove } = await import("./channels-impl.js");
      await channelsRemove(options);
    });
  const logout = channels
    .command("logout")
    .description("stop a channel account in the running gateway and forget its session")
    .requiredOption("--channel <id>", "channel id")
    .option("--account <id>", "only this account");
  for (const [flags, description] of CLIENT_OPTIONS) logout.option(flags, description);
  logout.action(async (options) => {
    const { channelsLogout } = await import("./channels-impl.js");
    await channelsLogout(options);
  });
}
