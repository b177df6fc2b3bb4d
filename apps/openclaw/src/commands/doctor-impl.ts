import { randomBytes } from "node:crypto";
import { chmod, readdir, readFile, rm, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import {
  ConfigError,
  diffConfigPaths,
  diffToEdits,
  editConfigFile,
  type LoadedConfig,
  loadConfig,
  normalizeConfigAliases,
  type OpenClawPaths,
  parseKeyPath,
  refuseEmptyConfigFile,
  resolveGatewayAuth,
  resolveGatewayPort,
  resolvePaths,
  unsetConfigValue,
} from "@openclaw/core/config";
import { checkPrivatePermissions, type PermissionFinding, rotateBackups } from "@openclaw/core/fs";
import type { DoctorOptions } from "./doctor.js";
import { readLock } from "./gateway-local.js";

export interface DoctorFinding {
  checkId: string;
  severity: "info" | "warn" | "critical";
  title: string;
  detail?: string;
  remediation?: string;
  /** What `--fix` did about it. */
  fixed?: string;
  /** Why `--fix` left it alone. */
  skipped?: string;
}

interface Repair {
  finding: DoctorFinding;
  /** Safe repairs run with --fix (+ --yes or a yes at the prompt); others need an explicit yes at the prompt. */
  kind: "safe" | "confirm-only";
  question: string;
  apply(): Promise<string>;
}

async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "EADDRINUSE"));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(false)));
  });
}

async function permissionTargets(paths: OpenClawPaths, configPath: string): Promise<string[]> {
  const targets = [paths.stateDir, configPath, paths.envFile, paths.credentialsDir];
  const list = async (dir: string) => readdir(dir).catch(() => [] as string[]);
  for (const name of await list(paths.credentialsDir))
    if (name.endsWith(".json")) targets.push(join(paths.credentialsDir, name));
  for (const agent of await list(paths.agentsDir)) {
    targets.push(join(paths.agentDir(agent), "auth-profiles.json"));
    targets.push(join(paths.sessionsDir(agent), "sessions.json"));
  }
  return targets;
}

function describePermission(finding: PermissionFinding, problems: string[]): string {
  return `${finding.path} is ${finding.kind === "directory" ? "a directory" : "a file"} with mode ${finding.mode} (${problems.join(", ")})`;
}

export async function collectFindings(
  options: DoctorOptions,
): Promise<{ findings: DoctorFinding[]; repairs: Repair[]; loaded?: LoadedConfig }> {
  const paths = resolvePaths(process.env);
  const findings: DoctorFinding[] = [];
  const repairs: Repair[] = [];
  let loaded: LoadedConfig | undefined;

  // 1. config valid (an empty file too: a running gateway's reload refuses it)
  try {
    loaded = await loadConfig({});
    if (loaded.exists) refuseEmptyConfigFile(loaded.path);
    findings.push({
      checkId: "config.valid",
      severity: "info",
      title: loaded.exists
        ? `Config is valid: ${loaded.path}`
        : `No config file at ${loaded.path}; safe defaults in use`,
    });
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    loaded = undefined;
    const running = readLock();
    findings.push({
      checkId: "config.invalid",
      severity: "critical",
      title: running
        ? `Config is invalid; the running gateway (pid ${running.pid}) skipped it and keeps its last good config`
        : "Config is invalid; the gateway will not start",
      detail: error.message,
      remediation: `Fix the reported keys (openclaw config set/unset) or restore ${paths.configPath}.bak. Nothing is removed automatically.`,
    });
  }
  const configPath = loaded?.path ?? paths.configPath;

  // 2. unknown keys: reported; removal only when the user confirms each one at the prompt
  if (loaded) {
    for (const issue of loaded.issues.filter((item) => item.code === "unknown_key")) {
      const finding: DoctorFinding = {
        checkId: "config.unknown_key",
        severity: "warn",
        title: `Ignored key ${issue.path}${issue.suggestion ? ` (did you mean ${issue.suggestion}?)` : ""}`,
        detail: "Kept in the file; it has no effect.",
      };
      findings.push(finding);
      const inMainFile = (() => {
        try {
          let node: unknown = loaded.parsed;
          for (const segment of parseKeyPath(issue.path))
            node = (node as Record<string | number, unknown>)?.[segment];
          return node !== undefined;
        } catch {
          return false;
        }
      })();
      if (inMainFile)
        repairs.push({
          finding,
          kind: "confirm-only",
          question: `Remove the ignored key ${issue.path} from ${configPath}?`,
          apply: async () => {
            await unsetConfigValue(issue.path);
            return `removed ${issue.path}`;
          },
        });
    }

    // 3. legacy / FAQ spellings: rewrite offered, never forced
    const legacy = loaded.legacyKeys.filter((use) => (use as { rewrite?: boolean }).rewrite !== false);
    if (legacy.length > 0) {
      const finding: DoctorFinding = {
        checkId: "config.legacy_keys",
        severity: "info",
        title: `Alternate key spellings in use: ${legacy.map((use) => `${use.path} → ${use.canonical}`).join(", ")}`,
        detail:
          "They work as written. `openclaw doctor --fix` can rewrite them to the canonical keys (a backup is kept).",
      };
      findings.push(finding);
      const parsed = loaded.parsed;
      const rewritten = normalizeConfigAliases(parsed).config;
      if (diffConfigPaths(parsed, rewritten).length > 0)
        repairs.push({
          finding,
          kind: "safe",
          question: "Rewrite the alternate spellings to the canonical keys?",
          apply: async () => {
            const result = await editConfigFile((current) =>
              diffToEdits(current, normalizeConfigAliases(current).config),
            );
            return `rewrote ${result.changedPaths.length} key(s); backup at ${result.backupPath ?? "(none)"}`;
          },
        });
    }
  }

  // 4. permissions of state and secret files
  // files behind { source: "file" } SecretRefs are secrets too (the loader already warned)
  const secretFiles = loaded?.secretFiles ?? [];
  for (const target of [...new Set([...(await permissionTargets(paths, configPath)), ...secretFiles])]) {
    const problems = await checkPrivatePermissions(target);
    if (problems.some((problem) => problem.problem === "symlink"))
      findings.push({
        checkId: "fs.symlink",
        severity: "warn",
        title: `${target} is a symlink`,
        detail: "Permissions are checked on the link target.",
      });
    const modeProblems = problems.filter((problem) => problem.problem !== "symlink");
    if (modeProblems.length === 0) continue;
    const first = modeProblems[0]!;
    const finding: DoctorFinding = {
      checkId: `fs.perms_${first.problem}`,
      severity: modeProblems.some((problem) => problem.problem.startsWith("world")) ? "critical" : "warn",
      title: describePermission(
        first,
        modeProblems.map((problem) => problem.problem.replace("_", " ")),
      ),
      remediation: `chmod ${first.fixMode.toString(8)} ${target}`,
    };
    findings.push(finding);
    repairs.push({
      finding,
      kind: "safe",
      question: `chmod ${first.fixMode.toString(8)} ${target}?`,
      apply: async () => {
        await chmod(target, first.fixMode);
        return `chmod ${first.fixMode.toString(8)}`;
      },
    });
  }

  // 5a. session indexes parse; leftover temp files from interrupted writes
  const leftovers: string[] = [];
  const scanTemps = async (dir: string) => {
    for (const name of await readdir(dir).catch(() => [] as string[]))
      if (/^\..+\.\d+\.[0-9a-f]{8}\.tmp$/.test(name)) leftovers.push(join(dir, name));
  };
  await scanTemps(paths.stateDir);
  await scanTemps(paths.credentialsDir);
  await scanTemps(paths.devicesDir);
  for (const agent of await readdir(paths.agentsDir).catch(() => [] as string[])) {
    await scanTemps(paths.sessionsDir(agent));
    await scanTemps(paths.agentDir(agent));
    const index = join(paths.sessionsDir(agent), "sessions.json");
    const text = await readFile(index, "utf8").catch(() => undefined);
    if (text === undefined) continue;
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("not an object");
    } catch (error) {
      findings.push({
        checkId: "state.sessions_index_unreadable",
        severity: "critical",
        title: `${index} is not valid JSON (${(error as Error).message})`,
        detail:
          "Transcripts are intact. The next session write moves this file aside (sessions.json.corrupt.<ts>) and starts a new index.",
        remediation: "restore it from a backup, or let the gateway recreate sessions on demand",
      });
    }
  }
  if (leftovers.length > 0) {
    const finding: DoctorFinding = {
      checkId: "state.leftover_temp_files",
      severity: "info",
      title: `${leftovers.length} temp file(s) left by interrupted writes`,
      detail: leftovers.join("\n"),
    };
    findings.push(finding);
    repairs.push({
      finding,
      kind: "safe",
      question: `Delete ${leftovers.length} leftover temp file(s)?`,
      apply: async () => {
        // only files older than a minute: a live writer's temp file is never touched
        let removed = 0;
        for (const file of leftovers) {
          const info = await stat(file).catch(() => undefined);
          if (info && Date.now() - info.mtimeMs > 60_000) {
            await rm(file, { force: true });
            removed++;
          }
        }
        return `deleted ${removed} temp file(s)`;
      },
    });
  }

  // 5. non-loopback bind needs a shared secret
  if (loaded) {
    const config = loaded.config;
    const auth = resolveGatewayAuth(config, process.env);
    const hasSecret = Boolean(auth.token || auth.password) || auth.mode === "trusted-proxy";
    if (config.gateway.bind !== "loopback" && !hasSecret) {
      const finding: DoctorFinding = {
        checkId: "gateway.bind_no_auth",
        severity: "critical",
        title: `gateway.bind is "${config.gateway.bind}" but no token or password is set; the gateway refuses to start`,
        remediation:
          "openclaw doctor --generate-gateway-token (or set gateway.auth.token / OPENCLAW_GATEWAY_TOKEN)",
      };
      findings.push(finding);
      if (!options.generateGatewayToken)
        repairs.push({
          finding,
          kind: "safe",
          question: "Generate a gateway token and write it to gateway.auth.token?",
          apply: () => writeToken(),
        });
    } else if (config.gateway.bind === "loopback" && !hasSecret && config.gateway.auth.mode !== "none") {
      findings.push({
        checkId: "gateway.loopback_no_auth",
        severity: "info",
        title: "The gateway has no token (loopback only, so only local clients can connect)",
        remediation: "openclaw doctor --generate-gateway-token",
      });
    }

    // 6. port free
    const port = resolveGatewayPort(config, process.env);
    if (await portInUse(port))
      findings.push({
        checkId: "gateway.port_in_use",
        severity: "warn",
        title: `Port ${port} is in use on 127.0.0.1`,
        detail:
          "A gateway is probably already running (openclaw gateway status), or another program holds the port.",
        remediation: `stop the other process or set gateway.port (openclaw config set gateway.port ${port + 1})`,
      });
    else findings.push({ checkId: "gateway.port_free", severity: "info", title: `Port ${port} is free` });
  }
  await findOpenClawDatabases(paths.stateDir, findings, repairs);
  return { findings, repairs, loaded };
}

/** 7. a current OpenClaw's SQLite state (sessions, auth profiles, devices) not yet imported. */
async function findOpenClawDatabases(stateDir: string, findings: DoctorFinding[], repairs: Repair[]) {
  const { isOpenClawSqliteStateDir, migrateOpenClawState, formatMigrationSummary } = await import(
    "@openclaw/core/migrate"
  );
  if (!isOpenClawSqliteStateDir(stateDir)) return;
  let pending: Awaited<ReturnType<typeof migrateOpenClawState>>;
  try {
    pending = await migrateOpenClawState({ from: stateDir, stateDir, dryRun: true });
  } catch (error) {
    findings.push({
      checkId: "state.openclaw_sqlite_unreadable",
      severity: "warn",
      title: `OpenClaw databases in ${stateDir} could not be read`,
      detail: (error as Error).message,
    });
    return;
  }
  const count =
    pending.sessions.imported.length + pending.authProfiles.imported.length + pending.devices.imported.length;
  if (count === 0) {
    findings.push({
      checkId: "state.openclaw_sqlite_imported",
      severity: "info",
      title: "OpenClaw SQLite state (sessions, auth profiles, devices) is already imported",
    });
    return;
  }
  const finding: DoctorFinding = {
    checkId: "state.openclaw_sqlite",
    severity: "warn",
    title: `OpenClaw ${pending.sourceVersion ?? "2026.9+"} SQLite state not imported yet: ${pending.sessions.imported.length} session(s), ${pending.authProfiles.imported.length} auth profile(s), ${pending.devices.imported.length} paired device(s)`,
    detail:
      "Until then this gateway shows none of them. OpenClaw's sessions and transcripts are only read; imported auth profiles are also written to OpenClaw's agent store (this state dir is OpenClaw's), so it keeps reading them.",
    remediation: "openclaw doctor --fix (or openclaw migrate openclaw)",
  };
  findings.push(finding);
  repairs.push({
    finding,
    kind: "safe",
    question: "Import the OpenClaw sessions, transcripts, auth profiles and paired devices?",
    apply: async () => {
      const summary = await migrateOpenClawState({ from: stateDir, stateDir });
      return `imported\n${formatMigrationSummary(summary)}`;
    },
  });
}

async function writeToken(): Promise<string> {
  const token = randomBytes(24).toString("hex");
  await editConfigFile(() => [
    { op: "set", path: ["gateway", "auth", "mode"], value: "token" },
    { op: "set", path: ["gateway", "auth", "token"], value: token },
  ]);
  return "generated gateway.auth.token (see: openclaw config get gateway.auth.token)";
}

async function ask(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

const ICON = { info: "ok  ", warn: "warn", critical: "FAIL" } as const;

export async function runDoctor(options: DoctorOptions): Promise<void> {
  const { findings, repairs } = await collectFindings(options);
  const interactive = !options.nonInteractive && process.stdin.isTTY === true;
  const actions: string[] = [];
  const fix = options.fix || options.repair;

  if (options.generateGatewayToken) {
    try {
      actions.push(await writeToken());
      const bindFinding = findings.find((finding) => finding.checkId === "gateway.bind_no_auth");
      if (bindFinding) bindFinding.fixed = "token generated";
    } catch (error) {
      actions.push(`could not write the token: ${(error as Error).message}`);
      process.exitCode = 1;
    }
  }

  if (fix && repairs.length > 0) {
    const paths = resolvePaths(process.env);
    const backup = await rotateBackups(paths.configPath).catch(() => undefined);
    if (backup) actions.push(`backed up the config to ${backup}`);
    for (const repair of repairs) {
      // --fix means fix: without a terminal to ask, the safe repairs run and the ones that need a
      // yes are listed as skipped (never silently)
      let approved = false;
      if (repair.kind === "safe" && (options.yes || !interactive)) approved = true;
      else if (interactive) approved = await ask(repair.question);
      if (!approved) {
        repair.finding.skipped = interactive
          ? "declined"
          : `skipped: needs a yes at a prompt (run openclaw doctor --fix in a terminal): ${repair.question}`;
        continue;
      }
      try {
        repair.finding.fixed = await repair.apply();
      } catch (error) {
        repair.finding.fixed = `repair failed: ${(error as Error).message}`;
      }
    }
  }

  if (options.json) {
    process.stdout.write(`${JSON.stringify({ findings, actions }, null, 2)}\n`);
  } else {
    for (const finding of findings) {
      process.stdout.write(`[${ICON[finding.severity]}] ${finding.title}\n`);
      if (finding.detail) process.stdout.write(`       ${finding.detail.split("\n").join("\n       ")}\n`);
      if (finding.fixed)
        process.stdout.write(`       fixed: ${finding.fixed.split("\n").join("\n       ")}\n`);
      else if (finding.skipped) process.stdout.write(`       ${finding.skipped}\n`);
      else if (finding.remediation) process.stdout.write(`       fix: ${finding.remediation}\n`);
    }
    for (const action of actions) process.stdout.write(`${action}\n`);
    const pending = repairs.filter((repair) => !repair.finding.fixed);
    if (!fix && pending.length > 0)
      process.stdout.write(`\n${pending.length} repair(s) available: openclaw doctor --fix\n`);
  }
  if (findings.some((finding) => finding.severity === "critical" && !finding.fixed)) process.exitCode = 1;
}
