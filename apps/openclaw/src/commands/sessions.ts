import type { Command } from "commander";

/** `openclaw sessions [list] | export | import`. Implementation loads lazily. */
export function registerSessions(program: Command): void {
  const sessions = program
    .command("sessions")
    .description("list, export and import conversation sessions")
    .option("--agent <id>", "only this agent")
    .option("--active <minutes>", "only sessions active in the last N minutes")
    .option("--label <label>", "only sessions with this label")
    .option("--search <text>", "match key, label, display name or subject")
    .option("--limit <n>", "at most N sessions")
    .option("--json", "print JSON")
    .action(async (options: SessionsListOptions) => {
      const { sessionsList } = await import("./sessions-impl.js");
      await sessionsList(options);
    });
  sessions
    .command("export [keys...]")
    .description(
      "export sessions (all, one agent's, or the given keys) with their transcripts to one bundle file",
    )
    .option("--agent <id>", "only this agent")
    .option("-o, --out <file>", "bundle file to write (default openclaw-sessions-<date>.jsonl)")
    .action(async (keys: string[], options: { agent?: string; out?: string }) => {
      const { sessionsExport } = await import("./sessions-impl.js");
      await sessionsExport(keys, options);
    });
  sessions
    .command("import <file>")
    .description("import a bundle written by `sessions export`")
    .option("--overwrite", "replace sessions that already exist (their transcripts are archived)")
    .action(async (file: string, options: { overwrite?: boolean }) => {
      const { sessionsImport } = await import("./sessions-impl.js");
      await sessionsImport(file, options);
    });
}

export interface SessionsListOptions {
  agent?: string;
  active?: string;
  label?: string;
  search?: string;
  limit?: string;
  json?: boolean;
}
