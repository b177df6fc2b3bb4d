import type { Command } from "commander";
import { CLIENT_OPTIONS } from "./gateway-local.js";

/** `openclaw approvals get|set|allowlist|pending|approve|deny` */
export function registerApprovals(program: Command): void {
  const approvals = program
    .command("approvals")
    .description("exec approvals: the host policy files and pending requests");
  const withClient = (command: Command) => {
    for (const [flags, description] of CLIENT_OPTIONS) command.option(flags, description);
    return command;
  };
  const host = (command: Command) =>
    command
      .option("--gateway", "the gateway host's exec-approvals.json (default)")
      .option("--node <idOrNameOrIp>", "a node's exec-approvals.json");
  const run =
    (action: string) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const positional = args.slice(0, -2).filter((arg) => typeof arg === "string") as string[];
      const { approvalsCommand } = await import("./approvals-impl.js");
      await approvalsCommand(action, positional, command.opts());
    };
  withClient(host(approvals.command("get").description("show the exec approvals policy file"))).action(
    run("get"),
  );
  withClient(
    host(approvals.command("set").description("replace the exec approvals file (JSON or JSON5)"))
      .option("--file <path>", "read the new file from here")
      .option("--stdin", "read the new file from stdin"),
  ).action(run("set"));
  const allowlist = approvals
    .command("allowlist")
    .description("allowlist entries (globs over resolved binary paths)");
  for (const action of ["add", "remove"] as const) {
    withClient(
      host(allowlist.command(`${action} <pattern>`).description(`${action} an allowlist pattern`)).option(
        "--agent <agentId>",
        "the agent (default main)",
      ),
    ).action(run(`allowlist-${action}`));
  }
  withClient(approvals.command("pending").description("commands waiting for an operator's approval")).action(
    run("pending"),
  );
  withClient(
    approvals
      .command("approve <id>")
      .description(
        "approve a pending command: once (default) or always (adds an allowlist entry on its host)",
      )
      .option("--once", "allow this one run")
      .option("--always", "allow and remember (allowlist entry)"),
  ).action(run("approve"));
  withClient(approvals.command("deny <id>").description("deny a pending command")).action(run("deny"));
}
