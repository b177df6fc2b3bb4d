import type { Command } from "commander";
import { CLIENT_OPTIONS } from "./gateway-local.js";

/** `openclaw logs` */
export function registerLogs(program: Command): void {
  const command = program
    .command("logs")
    .description("gateway log lines (from the gateway, or the local log file when it is down)")
    .option("--follow", "keep printing new lines")
    .option("--limit <n>", "how many recent lines", "200")
    .option("--local-time", "show local times (default)");
  for (const [flags, description] of CLIENT_OPTIONS) command.option(flags, description);
  command.action(async (options) => {
    const { logsCommand } = await import("./logs-impl.js");
    await logsCommand(options);
  });
}
