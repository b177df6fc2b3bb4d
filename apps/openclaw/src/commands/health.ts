import type { Command } from "commander";
import { CLIENT_OPTIONS } from "./gateway-local.js";

/** `openclaw health` */
export function registerHealth(program: Command): void {
  const command = program
    .command("health")
    .description("health of the running gateway")
    .option("--verbose", "more detail");
  for (const [flags, description] of CLIENT_OPTIONS) command.option(flags, description);
  command.action(async (options) => {
    const { healthCommand } = await import("./health-impl.js");
    await healthCommand(options);
  });
}
