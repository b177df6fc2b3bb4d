import type { Command } from "commander";
import { CLIENT_OPTIONS } from "./gateway-local.js";

/** `openclaw nodes status|list|pending|approve|reject|describe|rename|invoke|run|remove` */
export function registerNodes(program: Command): void {
  const nodes = program.command("nodes").description("paired nodes: pairing, status, invoking commands");
  const withClient = (command: Command) => {
    for (const [flags, description] of CLIENT_OPTIONS) command.option(flags, description);
    return command;
  };
  const run =
    (action: string) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const positional = args.slice(0, -2).filter((arg) => arg !== undefined) as (string | string[])[];
      const { nodesCommand } = await import("./nodes-impl.js");
      await nodesCommand(action, positional, command.opts());
    };
  withClient(nodes.command("status").description("nodes, online or not, with their commands")).action(
    run("status"),
  );
  withClient(nodes.command("list").description("paired nodes and pending pairing requests")).action(
    run("list"),
  );
  withClient(nodes.command("pending").description("node pairing requests waiting for approval")).action(
    run("pending"),
  );
  withClient(nodes.command("approve <requestId>").description("approve a node pairing request")).action(
    run("approve"),
  );
  withClient(nodes.command("reject <requestId>").description("reject a node pairing request")).action(
    run("reject"),
  );
  withClient(
    nodes
      .command("remove [node]")
      .description("forget a paired node")
      .option("--node <idOrNameOrIp>", "the node"),
  ).action(run("remove"));
  withClient(
    nodes
      .command("describe [node]")
      .description("one node's capabilities, commands and permissions")
      .option("--node <idOrNameOrIp>", "the node"),
  ).action(run("describe"));
  withClient(
    nodes
      .command("rename [node] [name]")
      .description("set a node's display name")
      .option("--node <idOrNameOrIp>", "the node")
      .option("--name <displayName>", "the new name"),
  ).action(run("rename"));
  withClient(
    nodes
      .command("invoke [node]")
      .description('invoke a node command: --command system.which --params \'{"bins":["git"]}\'')
      .option("--node <idOrNameOrIp>", "the node")
      .option("--command <command>", "the node command")
      .option("--params <json>", "params as JSON", "{}")
      .option("--invoke-timeout <ms>", "how long to wait for the node (default 30000)"),
  ).action(run("invoke"));
  withClient(
    nodes
      .command("run [node] [argv...]")
      .description("run a command on a node under its exec approvals: openclaw nodes run <node> -- echo hi")
      .option("--node <idOrNameOrIp>", "the node")
      .option("--cwd <dir>", "working directory on the node")
      .option("--command-timeout <ms>", "kill the command after this long")
      .option("--invoke-timeout <ms>", "how long to wait for the node, approval included (default 150000)"),
  ).action(run("run"));
}
