import { existsSync } from "node:fs";
import { resolvePaths } from "@openclaw/core/config";
import {
  formatMigrationSummary,
  isOpenClawSqliteStateDir,
  migrateOpenClawState,
} from "@openclaw/core/migrate";
import type { MigrateOpenClawCliOptions } from "./migrate.js";

export async function runMigrateOpenClaw(options: MigrateOpenClawCliOptions): Promise<void> {
  const paths = resolvePaths(process.env);
  const from = options.from ?? paths.stateDir;
  if (!existsSync(from)) {
    process.stderr.write(`openclaw migrate: ${from} does not exist\n`);
    process.exitCode = 1;
    return;
  }
  if (!isOpenClawSqliteStateDir(from)) {
    process.stderr.write(
      `openclaw migrate: no OpenClaw 2026.9+ databases in ${from} (expected agents/<id>/agent/openclaw-agent.sqlite or state/openclaw.sqlite); nothing to import\n`,
    );
    process.exitCode = 1;
    return;
  }
  try {
    const summary = await migrateOpenClawState({ from, stateDir: paths.stateDir, dryRun: options.dryRun });
    process.stdout.write(
      options.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatMigrationSummary(summary)}\n`,
    );
  } catch (error) {
    process.stderr.write(`openclaw migrate: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
