import type { Command } from "commander";
import { CLIENT_OPTIONS, type ClientFlags } from "./gateway-local.js";

function withClient(command: Command): Command {
  for (const [flags, description] of CLIENT_OPTIONS) command.option(flags, description);
  return command;
}

/** `openclaw system heartbeat last|enable|disable`, `openclaw system event --text … [--mode]`. */
export function registerSystem(program: Command): void {
  const system = program.command("system").description("system events and heartbeats");
  const heartbeat = system.command("heartbeat").description("the heartbeat runner");
  withClient(heartbeat.command("last").description("the last heartbeat (status, reason, time)")).action(
    async (options: ClientFlags) => (await import("./system-impl.js")).heartbeatLast(options),
  );
  for (const [name, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const)
    withClient(
      heartbeat.command(name).description(`${name} heartbeat runs (until the gateway restarts)`),
    ).action(async (options: ClientFlags) =>
      (await import("./system-impl.js")).heartbeatSet(enabled, options),
    );
  withClient(
    system
      .command("event")
      .description("queue a system event for the main session (and wake the agent)")
      .requiredOption("--text <text>", "event text")
      .option("--mode <mode>", "now | next-heartbeat", "now"),
  ).action(async (options: ClientFlags & { text: string; mode: string }) =>
    (await import("./system-impl.js")).systemEvent(options),
  );
}
