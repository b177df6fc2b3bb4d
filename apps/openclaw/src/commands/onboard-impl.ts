// `openclaw onboard` / `setup`: apply what the user chose. Nothing is written until every answer is
// in; then one core config-store patch edits only the chosen keys (comments and other keys stay;
// temp file + rename, so Ctrl-C never leaves a half-written file), the API key goes to the agent's
// auth-profiles.json (0600), and the workspace gets its template files (never overwritten).
import { join } from "node:path";
import { localPaths, print } from "./gateway-local.js";
import {
  answersFromFlags,
  configPatch,
  modelOf,
  type OnboardAnswers,
  OnboardError,
  type OnboardFlags,
  providerOf,
} from "./onboard-plan.js";

export interface Applied {
  ok: true;
  configPath: string;
  workspace: string;
  workspaceFiles: string[];
  mode: "local" | "remote";
  provider?: string;
  model?: string;
  gateway?: { port: number; bind: string; auth: string };
  dashboardUrl?: string;
  daemonInstalled: boolean;
  /** With --install-daemon: the unit written and whether the service manager started it. */
  service?: { manager: string; unitPath?: string; started: boolean };
  health: "ok" | "not-running" | "skipped" | "remote";
}

/** The token already in the config (a re-run keeps it instead of generating a new one). */
async function existingSecret(path: string): Promise<string | undefined> {
  const { loadConfig, ConfigError } = await import("@openclaw/core/config");
  try {
    const loaded = await loadConfig({ path, missingEnv: "keep" });
    const token = (loaded.config.gateway as { auth?: { token?: unknown } } | undefined)?.auth?.token;
    return typeof token === "string" && token ? token : undefined;
  } catch (error) {
    if (ConfigError.isInstance(error) && error.code === "CONFIG_READ") return undefined;
    return undefined;
  }
}

async function storeCredential(answers: OnboardAnswers): Promise<void> {
  const credential = providerOf(answers).credential;
  if (!credential) return;
  const { createFileStateStore, AuthProfileStore } = await import("@openclaw/core/state");
  const store = new AuthProfileStore(createFileStateStore(localPaths().stateDir), "main");
  await store.upsert(`${credential.provider}:default`, {
    type: "api_key",
    provider: credential.provider,
    key: credential.key,
  });
}

/** GET /health on the local gateway: is one running on the chosen port? */
async function probeHealth(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** Write everything the answers decide; returns what was done (the `--json` report). */
export async function applyOnboarding(
  answers: OnboardAnswers,
  options: { skipHealth?: boolean; quiet?: boolean } = {},
): Promise<Applied> {
  const paths = localPaths();
  const { mkdirSync } = await import("node:fs");
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  if (answers.mode === "local" && answers.auth === "token" && !answers.token)
    answers = {
      ...answers,
      ...(await existingSecret(paths.configPath).then((token) => (token ? { token } : {}))),
    };
  const patch = configPatch(answers);
  const { ensureWorkspace } = await import("@openclaw/core");
  const workspaceFiles = answers.mode === "local" ? await ensureWorkspace(answers.workspace) : [];
  await storeCredential(answers);
  const { patchConfig } = await import("@openclaw/core/config");
  await patchConfig(patch, { path: paths.configPath });
  let daemonInstalled = false;
  let service: Applied["service"];
  if (answers.installDaemon && answers.mode === "local") {
    // `openclaw gateway install`'s own code: the same unit, the same service manager calls
    const { serviceCommand, unitPath } = await import("./gateway-service.js");
    const failedBefore = Boolean(process.exitCode);
    await serviceCommand("install", { port: String(answers.port), quiet: Boolean(options.quiet) });
    daemonInstalled = !failedBefore && !process.exitCode;
    const unit = unitPath();
    const { existsSync } = await import("node:fs");
    service = {
      manager: unit.manager,
      ...(unit.path && existsSync(unit.path) ? { unitPath: unit.path } : {}),
      started: daemonInstalled,
    };
  }
  const health =
    answers.mode === "remote"
      ? "remote"
      : options.skipHealth
        ? "skipped"
        : (await probeHealth(answers.port))
          ? "ok"
          : "not-running";
  const provider = providerOf(answers).id;
  const model = modelOf(answers);
  return {
    ok: true,
    configPath: paths.configPath,
    workspace: answers.workspace,
    workspaceFiles,
    mode: answers.mode,
    ...(provider ? { provider } : {}),
    ...(model ? { model } : {}),
    ...(answers.mode === "local"
      ? {
          gateway: { port: answers.port, bind: answers.bind, auth: answers.auth },
          dashboardUrl: `http://127.0.0.1:${answers.port}/`,
        }
      : {}),
    daemonInstalled,
    ...(service ? { service } : {}),
    health,
  };
}

export function summary(applied: Applied): string {
  const lines = [`Config: ${applied.configPath} (only the keys you chose were edited)`];
  if (applied.mode === "remote")
    return [...lines, "Mode: remote (the CLI talks to gateway.remote.url)"].join("\n");
  lines.push(
    `Workspace: ${applied.workspace}${applied.workspaceFiles.length ? ` (wrote ${applied.workspaceFiles.join(", ")})` : ""}`,
  );
  lines.push(`Model: ${applied.model ?? "none yet (openclaw configure --section models)"}`);
  lines.push(
    `Gateway: port ${applied.gateway?.port}, bind ${applied.gateway?.bind}, auth ${applied.gateway?.auth}`,
  );
  if (applied.daemonInstalled) lines.push("Service: installed and started");
  else if (applied.service?.unitPath)
    lines.push(`Service: ${applied.service.unitPath} written but not started (see the message above)`);
  else if (applied.service) lines.push("Service: not installed (see the message above)");
  lines.push(
    applied.health === "ok"
      ? "Health: the gateway answers /health"
      : applied.health === "skipped"
        ? "Health: skipped"
        : "Health: no gateway running yet: start it with `openclaw gateway` (or `openclaw gateway install`)",
  );
  lines.push("Dashboard: `openclaw dashboard` opens the Control UI signed in");
  return lines.join("\n");
}

function defaultWorkspace(): string {
  return join(localPaths().stateDir, "workspace");
}

export async function runOnboard(flags: OnboardFlags): Promise<void> {
  try {
    if (flags.nonInteractive) {
      const answers = answersFromFlags(flags, process.env, defaultWorkspace());
      const applied = await applyOnboarding(answers, {
        ...(flags.skipHealth ? { skipHealth: true } : {}),
        ...(flags.json ? { quiet: true } : {}),
      });
      print(flags.json ? JSON.stringify(applied, null, 2) : summary(applied));
      return;
    }
    if (!process.stdin.isTTY || !process.stdout.isTTY)
      throw new OnboardError(
        "openclaw onboard asks questions and needs a terminal; without one use --non-interactive --accept-risk with flags (docs/onboarding.md)",
      );
    const { interactiveOnboard } = await import("./onboard-prompts.js");
    await interactiveOnboard(flags, defaultWorkspace());
  } catch (error) {
    if (error instanceof OnboardError) {
      process.stderr.write(`openclaw onboard: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
}

/** `openclaw setup`: the workspace and its template files only (and agents.defaults.workspace). */
export async function runSetup(options: { workspace?: string; json?: boolean }): Promise<void> {
  const workspace = options.workspace ?? defaultWorkspace();
  const { ensureWorkspace } = await import("@openclaw/core");
  const written = await ensureWorkspace(workspace);
  const { patchConfig } = await import("@openclaw/core/config");
  await patchConfig({ agents: { defaults: { workspace } } }, { path: localPaths().configPath });
  if (options.json) print(JSON.stringify({ ok: true, workspace, written }, null, 2));
  else
    print(
      written.length
        ? `Workspace ${workspace}: wrote ${written.join(", ")}`
        : `Workspace ${workspace}: already set up (existing files kept)`,
    );
}
