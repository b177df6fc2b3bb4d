import type { Command } from "commander";

/** `openclaw node run|install|uninstall|start|stop|restart|status`: this machine as a headless node. */
export function registerNode(program: Command): void {
  const node = program.command("node").description("run this machine as a headless node of a gateway");
  const connection = (command: Command) =>
    command
      .option("--host <host>", "gateway host (default: gateway.remote.url's host, else 127.0.0.1)")
      .option("--port <port>", "gateway port (default 18789)")
      .option("--tls", "connect with wss://")
      .option(
        "--tls-fingerprint <sha256>",
        "pin the gateway's TLS certificate (SHA-256 fingerprint); implies --tls",
      )
      .option("--display-name <name>", "the name operators see (default: the host name)")
      .option(
        "--token <token>",
        "gateway token for the first pairing (default: OPENCLAW_GATEWAY_TOKEN / gateway.remote.token)",
      );
  connection(
    node.command("run").description("connect and serve system.run, system.which, … until stopped"),
  ).action(async (options) => {
    const { nodeRun } = await import("./node-impl.js");
    await nodeRun(options);
  });
  connection(node.command("install").description("install the node as a user service (systemd / launchd)"))
    .option("--dry-run", "print the unit instead of installing it")
    .action(async (options) => {
      const { nodeService } = await import("./node-impl.js");
      await nodeService("install", options);
    });
  for (const action of ["uninstall", "start", "stop", "restart", "status"] as const) {
    node
      .command(action)
      .description(`${action} the node service`)
      .option("--dry-run", "say what would be done")
      .option("--json", "print JSON (status)")
      .action(async (options) => {
        const { nodeService } = await import("./node-impl.js");
        await nodeService(action, options);
      });
  }
}
