import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

/** Where everything lives for one OpenClaw instance (spec §3.1, §4). */
export interface OpenClawPaths {
  /** The home directory used for `~` expansion (`OPENCLAW_HOME`, else `HOME`). */
  homeDir: string;
  /** Active profile (`--profile`, `OPENCLAW_PROFILE`), undefined for the default one. */
  profile: string | undefined;
  /** `~/.openclaw`, `~/.openclaw-<profile>` or `OPENCLAW_STATE_DIR`. */
  stateDir: string;
  /** `<stateDir>/openclaw.json` or `OPENCLAW_CONFIG_PATH`. */
  configPath: string;
  /** Default workspace of the default agent. */
  workspaceDir: string;
  /** `<stateDir>/.env` (global env fallback). */
  envFile: string;
  credentialsDir: string;
  agentsDir: string;
  devicesDir: string;
  cronDir: string;
  logsDir: string;
  /** `<stateDir>/agents/<agentId>/agent` */
  agentDir(agentId: string): string;
  /** `<stateDir>/agents/<agentId>/sessions` */
  sessionsDir(agentId: string): string;
}

/** Expand a leading `~` against `homeDir` and make the path absolute (relative to `cwd`). */
export function expandHome(path: string, homeDir: string, cwd: string = process.cwd()): string {
  let expanded = path;
  if (path === "~") expanded = homeDir;
  else if (path.startsWith("~/") || path.startsWith("~\\")) expanded = join(homeDir, path.slice(2));
  return isAbsolute(expanded) ? expanded : resolve(cwd, expanded);
}

/**
 * Resolve the state layout from the environment. Precedence: `OPENCLAW_CONFIG_PATH` /
 * `OPENCLAW_STATE_DIR` > profile (`~/.openclaw-<profile>`) > `~/.openclaw`; `OPENCLAW_HOME`
 * replaces the home directory everywhere.
 */
export function resolvePaths(env: NodeJS.ProcessEnv = process.env, profile?: string): OpenClawPaths {
  const homeDir = env.OPENCLAW_HOME?.trim() || env.HOME?.trim() || homedir();
  const rawProfile = (profile ?? env.OPENCLAW_PROFILE ?? env.CLAWDBOT_PROFILE)?.trim();
  const activeProfile = rawProfile && rawProfile !== "default" ? rawProfile : undefined;
  // legacy CLAWDBOT_* names are honoured when the OPENCLAW_* one is absent
  const stateOverride = (env.OPENCLAW_STATE_DIR ?? env.CLAWDBOT_STATE_DIR)?.trim();
  const stateDir = stateOverride
    ? expandHome(stateOverride, homeDir)
    : join(homeDir, activeProfile ? `.openclaw-${activeProfile}` : ".openclaw");
  const configOverride = (env.OPENCLAW_CONFIG_PATH ?? env.CLAWDBOT_CONFIG_PATH)?.trim();
  const configPath = configOverride ? expandHome(configOverride, homeDir) : join(stateDir, "openclaw.json");
  // With an explicit state dir the workspace follows it (tests, containers); otherwise OpenClaw's
  // home-based default, suffixed by the profile.
  const workspaceDir = stateOverride
    ? join(stateDir, "workspace")
    : join(homeDir, ".openclaw", activeProfile ? `workspace-${activeProfile}` : "workspace");
  const agentsDir = join(stateDir, "agents");
  return {
    homeDir,
    profile: activeProfile,
    stateDir,
    configPath,
    workspaceDir,
    envFile: join(stateDir, ".env"),
    credentialsDir: join(stateDir, "credentials"),
    agentsDir,
    devicesDir: join(stateDir, "devices"),
    cronDir: join(stateDir, "cron"),
    logsDir: join(stateDir, "logs"),
    agentDir: (agentId) => join(agentsDir, agentId, "agent"),
    sessionsDir: (agentId) => join(agentsDir, agentId, "sessions"),
  };
}
