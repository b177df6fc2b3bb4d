import type { Command } from "commander";

export interface AgentsOptions {
  json?: boolean;
  name?: string;
  workspace?: string;
  model?: string;
  default?: boolean;
  yes?: boolean;
  session?: string;
  url?: string;
  token?: string;
  password?: string;
}

/** `openclaw agents list|add|delete|status|reset`: agents in the config and their sessions. */
export function registerAgents(program: Command): void {
  const impl = () => import("./agents-impl.js");
  const agents = program
    .command("agents")
    .description("list, add and remove agents (agents.list) and reset an agent's conversation");
  agents
    .command("list", { isDefault: true })
    .description("configured agents: id, default, workspace, model")
    .option("--json", "print JSON")
    .action(async (options: AgentsOptions) => (await impl()).agentsList(options));
  agents
    .command("add <id>")
    .description("add an agent to agents.list (the current default stays the default unless --default)")
    .option("--name <name>", "display name")
    .option("--workspace <dir>", "its workspace (default ~/.openclaw/workspace-<id>)")
    .option("--model <ref>", "its model (provider/model or alias)")
    .option("--default", "make it the default agent")
    .option("--json", "print JSON")
    .action(async (id: string, options: AgentsOptions) => (await impl()).agentsAdd(id, options));
  agents
    .command("delete <id>")
    .description("remove an agent from agents.list (its sessions and workspace stay on disk)")
    .option("--json", "print JSON")
    .action(async (id: string, options: AgentsOptions) => (await impl()).agentsDelete(id, options));
  agents
    .command("status")
    .description("per agent: sessions, last activity, model, workspace")
    .option("--json", "print JSON")
    .action(async (options: AgentsOptions) => (await impl()).agentsStatus(options));
  agents
    .command("reset [agentId]")
    .description(
      "start a fresh conversation in the agent's main session (or --session <key>); the old transcript is archived, not deleted",
    )
    .option("--session <key>", "session key to reset (default: the agent's main session)")
    .option("--url <url>", "gateway WebSocket URL")
    .option("--token <token>", "gateway token")
    .option("--password <password>", "gateway password")
    .option("--json", "print JSON")
    .action(async (agentId: string | undefined, options: AgentsOptions) =>
      (await impl()).agentsReset(agentId, options),
    );
}
