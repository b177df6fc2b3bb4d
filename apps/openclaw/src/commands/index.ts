import type { Command } from "commander";

/**
 * Every top-level command is declared here with its flags only; its implementation module is
 * imported inside the action so `openclaw --help` and unrelated commands never load it.
 */
export function registerCommands(program: Command): void {
  for (const { name, description, issue } of LATER) {
    program
      .command(name)
      .description(`${description} (not available yet)`)
      .allowUnknownOption(true)
      .allowExcessArguments(true)
      .action(() => notAvailable(name, issue));
  }
}

/** Commands whose capability lands with a later piece of work: they answer clearly instead of failing. */
const LATER: { name: string; description: string; issue: string }[] = [
  { name: "gateway", description: "run and manage the gateway", issue: "the gateway" },
  { name: "status", description: "show local status", issue: "the gateway" },
];

export function notAvailable(name: string, what: string): void {
  process.stderr.write(`openclaw ${name}: not available yet in this version (lands with ${what})\n`);
  process.exitCode = 2;
}
