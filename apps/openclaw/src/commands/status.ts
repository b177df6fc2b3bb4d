import type { Command } from "commander";
import { CLIENT_OPTIONS } from "./gateway-local.js";

/** `openclaw status` */
export function registerStatus(program: Command): void {
  const command = program
    .command("status")
    .description("local status (config, gateway, sessions, channels); --deep probes the gateway")
    .option("--all", "full, redacted report you can paste into an issue")
    .option("--full", "same as --all")
    .option("--deep", "also probe the running gateway and channels");
  for (const [flags, description] of CLIENT_OPTIONS) command.option(flags, description);
  command.action(async (options) => {
    const { statusCommand } = await import("./status-impl.js");
    await statusCommand(options);
  });
}
