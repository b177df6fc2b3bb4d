import { readdir, rm } from "node:fs/promises";
import { join, relative } from "node:path";
import { createInterface } from "node:readline/promises";
import { resolvePaths } from "@openclaw/core/config";
import { rotateBackups } from "@openclaw/core/fs";
import type { ResetOptions } from "./reset.js";

const SCOPES = ["config", "config+creds+sessions", "full"] as const;
type Scope = (typeof SCOPES)[number];

/** What each scope removes (absolute paths that exist). The config is always backed up first. */
export async function resetTargets(scope: Scope, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const paths = resolvePaths(env);
  const exists = async (path: string) =>
    readdir(join(path, "..")).then(
      (names) => names.includes(path.split("/").pop()!),
      () => false,
    );
  const targets: string[] = [];
  if (scope === "full") {
    targets.push(paths.stateDir);
    if (relative(paths.stateDir, paths.configPath).startsWith("..")) targets.push(paths.configPath);
  } else {
    targets.push(paths.configPath);
    if (scope === "config+creds+sessions") {
      targets.push(paths.credentialsDir);
      for (const agent of await readdir(paths.agentsDir).catch(() => [] as string[])) {
        targets.push(paths.sessionsDir(agent));
        targets.push(join(paths.agentDir(agent), "auth-profiles.json"));
      }
    }
  }
  const present: string[] = [];
  for (const target of targets) if (await exists(target)) present.push(target);
  return present;
}

export async function runReset(options: ResetOptions): Promise<void> {
  if (!SCOPES.includes(options.scope as Scope)) {
    process.stderr.write(
      `openclaw reset: --scope must be one of ${SCOPES.join(", ")} (got "${options.scope}")\n`,
    );
    process.exitCode = 1;
    return;
  }
  const scope = options.scope as Scope;
  const targets = await resetTargets(scope);
  if (targets.length === 0) {
    process.stdout.write("Nothing to reset.\n");
    return;
  }
  process.stdout.write(`This removes:\n${targets.map((target) => `  ${target}`).join("\n")}\n`);
  if (options.dryRun) return;
  if (!options.yes) {
    if (options.nonInteractive || process.stdin.isTTY !== true) {
      process.stderr.write("openclaw reset: refusing without confirmation; re-run with --yes\n");
      process.exitCode = 1;
      return;
    }
    const prompt = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await prompt.question(`Type "reset" to remove ${scope}: `);
    prompt.close();
    if (answer.trim() !== "reset") {
      process.stdout.write("Cancelled.\n");
      return;
    }
  }
  const paths = resolvePaths(process.env);
  if (scope !== "full") {
    const backup = await rotateBackups(paths.configPath).catch(() => undefined);
    if (backup) process.stdout.write(`Config backed up to ${backup}\n`);
  }
  for (const target of targets) {
    // the config backups stay unless the whole state dir goes
    await rm(target, { recursive: true, force: true });
  }
  process.stdout.write(`Reset ${scope}.\n`);
}
