import type { Command } from "commander";

/** `openclaw migrate openclaw [--from <dir>]`: import a current OpenClaw's SQLite state. */
export function registerMigrate(program: Command): void {
  const migrate = program.command("migrate").description("import state from another OpenClaw install");
  migrate
    .command("openclaw")
    .description(
      "import sessions, transcripts, auth profiles and paired devices of an OpenClaw 2026.9+ state dir (SQLite), read-only on the source; running it again imports nothing new",
    )
    .option("--from <dir>", "OpenClaw state dir to read (default: this state dir)")
    .option("--dry-run", "show what would be imported without writing")
    .option("--json", "print the summary as JSON")
    .action(async (options: MigrateOpenClawCliOptions) => {
      const { runMigrateOpenClaw } = await import("./migrate-impl.js");
      await runMigrateOpenClaw(options);
    });
}

export interface MigrateOpenClawCliOptions {
  from?: string;
  dryRun?: boolean;
  json?: boolean;
}
