import type { Command } from "commander";
import { CLIENT_OPTIONS } from "./gateway-local.js";

/** `openclaw devices list|approve|reject|remove` */
export function registerDevices(program: Command): void {
  const devices = program.command("devices").description("paired devices and pairing requests");
  const withClient = (command: Command) => {
    for (const [flags, description] of CLIENT_OPTIONS) command.option(flags, description);
    return command;
  };
  withClient(devices.command("list").description("pending requests and paired devices")).action(
    async (options) => {
      const { devicesCommand } = await import("./devices-impl.js");
      await devicesCommand("list", undefined, options);
    },
  );
  for (const [name, arg, description] of [
    ["approve", "<requestId>", "approve a pairing request"],
    ["reject", "<requestId>", "reject a pairing request"],
    ["remove", "<deviceId>", "remove a paired device (its sockets are closed)"],
  ] as const) {
    withClient(devices.command(`${name} ${arg}`).description(description)).action(
      async (id: string, options) => {
        const { devicesCommand } = await import("./devices-impl.js");
        await devicesCommand(name, id, options);
      },
    );
  }
}
