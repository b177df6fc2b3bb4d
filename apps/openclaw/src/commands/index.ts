import type { Command } from "commander";
import { registerAgent } from "./agent.js";
import { registerAgents } from "./agents.js";
import { registerApprovals } from "./approvals.js";
import { registerBenchmark } from "./benchmark.js";
import { registerChannels } from "./channels.js";
import { registerConfig } from "./config.js";
import { registerCron } from "./cron.js";
import { registerDashboard } from "./dashboard.js";
import { registerDevices } from "./devices.js";
import { registerDoctor } from "./doctor.js";
import { registerExecPolicy } from "./exec-policy.js";
import { registerGateway } from "./gateway.js";
import { registerHealth } from "./health.js";
import { registerLogin } from "./login.js";
import { registerLogs } from "./logs.js";
import { registerMemory } from "./memory.js";
import { registerMessage } from "./message.js";
import { registerMigrate } from "./migrate.js";
import { registerModels } from "./models.js";
import { registerNode } from "./node.js";
import { registerNodes } from "./nodes.js";
import { registerOnboard } from "./onboard.js";
import { registerPairing } from "./pairing.js";
import { registerPlugins } from "./plugins.js";
import { registerReset } from "./reset.js";
import { registerSessions } from "./sessions.js";
import { registerSkills } from "./skills.js";
import { registerStatus } from "./status.js";
import { registerSystem } from "./system.js";
import { registerTui } from "./tui.js";
import { registerUpdate } from "./update.js";

/**
 * Every top-level command is declared here with its flags only; its implementation module is
 * imported inside the action so `openclaw --help` and unrelated commands never load it.
 * Each area adds ONE `register<Area>(program)` line below (and its import above).
 */
export function registerCommands(program: Command): void {
  registerGateway(program);
  registerStatus(program);
  registerHealth(program);
  registerLogs(program);
  registerDashboard(program);
  registerDevices(program);
  registerConfig(program);
  registerSessions(program);
  registerDoctor(program);
  registerReset(program);
  registerAgent(program);
  registerAgents(program);
  registerModels(program);
  registerChannels(program);
  registerPairing(program);
  registerMessage(program);
  registerMigrate(program);
  registerPlugins(program);
  registerCron(program);
  registerSystem(program);
  registerOnboard(program);
  registerTui(program);
  registerNode(program);
  registerNodes(program);
  registerApprovals(program);
  registerExecPolicy(program);
  registerMemory(program);
  registerSkills(program);
  registerLogin(program);
  registerBenchmark(program);
  registerUpdate(program);
  // keep last: placeholders for commands no area has registered yet
  registerNotYetAvailable(program);
}

/**
 * Commands the user's manual (docs/cli.md) names whose capability lands later. Each answers with
 * a one-line "not available yet" and exit code 2 instead of an unknown-command error. A name an
 * area has registered above is skipped, so a real command always wins.
 */
export const LATER: { name: string; description: string; issue: string }[] = [
  { name: "setup", description: "initialise config and workspace", issue: "onboarding" },
  { name: "onboard", description: "guided setup", issue: "onboarding" },
  { name: "configure", description: "interactive configuration", issue: "onboarding" },
  { name: "login", description: "log in to a provider or channel", issue: "onboarding" },
  { name: "agent", description: "send a message to the agent", issue: "the agent runtime" },
  { name: "agents", description: "manage agents", issue: "the agent runtime" },
  { name: "models", description: "models and provider auth", issue: "models" },
  { name: "channels", description: "messaging channels", issue: "channels" },
  { name: "pairing", description: "approve DM senders", issue: "channels" },
  { name: "message", description: "send messages and channel actions", issue: "channels" },
  { name: "nodes", description: "paired nodes", issue: "nodes" },
  { name: "node", description: "run this machine as a node", issue: "nodes" },
  { name: "cron", description: "scheduled jobs", issue: "cron" },
  { name: "system", description: "system events and heartbeat", issue: "cron and heartbeat" },
  { name: "approvals", description: "exec approvals", issue: "nodes" },
  { name: "uninstall", description: "remove OpenClaw", issue: "updates" },
  { name: "browser", description: "browser control", issue: "browser" },
  { name: "plugins", description: "plugins", issue: "plugins" },
  { name: "skills", description: "skills", issue: "skills" },
  { name: "hooks", description: "hooks", issue: "plugins" },
  { name: "webhooks", description: "webhook presets", issue: "plugins" },
  { name: "memory", description: "memory search", issue: "memory" },
  { name: "sandbox", description: "sandbox containers", issue: "sandbox" },
  { name: "security", description: "security audit", issue: "security audit" },
  { name: "tui", description: "terminal UI", issue: "the terminal UI" },
];

/** Subcommands the manual shows under commands an area owns, until that area registers them. */
export const LATER_SUBCOMMANDS: { path: string[]; issue: string }[] = [
  { path: ["config", "init"], issue: "config" },
  { path: ["config", "validate"], issue: "config" },
];

function registerNotYetAvailable(program: Command): void {
  for (const { path, issue } of LATER_SUBCOMMANDS) {
    let parent: Command | undefined = program;
    for (const name of path.slice(0, -1))
      parent = parent?.commands.find((command) => command.name() === name);
    const leaf = path.at(-1)!;
    if (!parent || parent === program || parent.commands.some((command) => command.name() === leaf)) continue;
    parent
      .command(leaf)
      .description("(not available yet)")
      .helpOption(false)
      .allowUnknownOption(true)
      .allowExcessArguments(true)
      .action(() => notAvailable(path.join(" "), issue));
  }
  const taken = new Set(program.commands.map((command) => command.name()));
  for (const { name, description, issue } of LATER) {
    if (taken.has(name)) continue;
    program
      .command(name)
      .description(`${description} (not available yet)`)
      .helpOption(false)
      .allowUnknownOption(true)
      .allowExcessArguments(true)
      .action(() => notAvailable(name, issue));
  }
}

export function notAvailable(name: string, what: string): void {
  process.stderr.write(`openclaw ${name}: not available yet in this version (lands with ${what})\n`);
  process.exitCode = 2;
}
