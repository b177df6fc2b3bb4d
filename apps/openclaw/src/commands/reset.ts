import type { Command } from "commander";

/** `openclaw reset --scope …`: remove config, credentials, sessions or everything, after confirmation. */
export function registerReset(program: Command): void {
  program
    .command("reset")
    .description("reset local state: config | config+creds+sessions | full (asks first)")
    .requiredOption("--scope <scope>", "config | config+creds+sessions | full")
    .option("--yes", "do not ask for confirmation")
    .option("--non-interactive", "never prompt (requires --yes)")
    .option("--dry-run", "list what would be removed")
    .action(async (options: ResetOptions) => {
      const { runReset } = await import("./reset-impl.js");
      await runReset(options);
    });
}

export interface ResetOptions {
  scope: string;
  yes?: boolean;
  nonInteractive?: boolean;
  dryRun?: boolean;
}
