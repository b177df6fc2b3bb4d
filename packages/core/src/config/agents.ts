import { join } from "node:path";
import { expandHome, type OpenClawPaths, resolvePaths } from "./paths.js";
import type { AgentEntryConfig, OpenClawConfig } from "./types.js";

const DEFAULT_AGENT_ID = "main";

/** Normalize an agent id the way OpenClaw does: trimmed, lower-case. */
function normalizeAgentId(id: string): string {
  return id.trim().toLowerCase();
}

/** Default agent: the entry with `default: true`, else the first entry, else `main`. */
export function getDefaultAgentId(config: OpenClawConfig): string {
  const list = config.agents.list;
  return (list.find((agent) => agent.default) ?? list[0])?.id ?? DEFAULT_AGENT_ID;
}

/** Every configured agent id (at least the default one). */
export function listAgentIds(config: OpenClawConfig): string[] {
  const ids = config.agents.list.map((agent) => agent.id);
  return ids.length > 0 ? ids : [DEFAULT_AGENT_ID];
}

/** An agent with defaults folded in: what the agent loop needs. */
export interface ResolvedAgent {
  id: string;
  isDefault: boolean;
  name?: string;
  /** Absolute workspace dir. Default agent: `agents.defaults.workspace`; others `~/.openclaw/workspace-<id>`. */
  workspace: string;
  /** Absolute agent dir (`<stateDir>/agents/<id>/agent` unless set). */
  agentDir: string;
  /** Absolute sessions dir (`<stateDir>/agents/<id>/sessions`). */
  sessionsDir: string;
  /** Primary model (agent's own, else defaults) and its fallbacks. */
  model: { primary?: string; fallbacks: string[] };
  entry?: AgentEntryConfig;
}

/** Resolve one agent (unknown ids resolve like an unlisted agent, which OpenClaw allows for `main`). */
export function resolveAgent(
  config: OpenClawConfig,
  agentId: string,
  paths: OpenClawPaths = resolvePaths(),
): ResolvedAgent {
  const id = normalizeAgentId(agentId);
  const entry = config.agents.list.find((agent) => agent.id === id);
  const isDefault = id === getDefaultAgentId(config);
  const defaults = config.agents.defaults;
  const defaultWorkspace = defaults.workspace ?? paths.workspaceDir;
  const workspace = entry?.workspace
    ? expandHome(entry.workspace, paths.homeDir)
    : isDefault
      ? expandHome(defaultWorkspace, paths.homeDir)
      : join(paths.workspaceDir, "..", `workspace-${id}`);
  const primary = entry?.model?.primary ?? defaults.model.primary;
  const fallbacks = entry?.model?.fallbacks ?? defaults.model.fallbacks ?? [];
  return {
    id,
    isDefault,
    name: entry?.name,
    workspace,
    agentDir: entry?.agentDir ? expandHome(entry.agentDir, paths.homeDir) : paths.agentDir(id),
    sessionsDir: paths.sessionsDir(id),
    model: { primary, fallbacks },
    entry,
  };
}

/** Alias → "provider/model" map from `agents.defaults.models[*].alias`. */
export function resolveModelAliases(config: OpenClawConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [model, entry] of Object.entries(config.agents.defaults.models))
    if (entry.alias) out[entry.alias] = model;
  return out;
}

/** Gateway port with OpenClaw precedence: explicit flag > OPENCLAW_GATEWAY_PORT > config > default. */
export function resolveGatewayPort(
  config: OpenClawConfig,
  env: NodeJS.ProcessEnv = process.env,
  flag?: number,
): number {
  if (flag !== undefined) return flag;
  const fromEnv = Number(env.OPENCLAW_GATEWAY_PORT);
  if (env.OPENCLAW_GATEWAY_PORT && Number.isInteger(fromEnv) && fromEnv > 0 && fromEnv < 65536)
    return fromEnv;
  return config.gateway.port;
}

/** Gateway shared secrets: config first, then OPENCLAW_GATEWAY_TOKEN / OPENCLAW_GATEWAY_PASSWORD. */
export function resolveGatewayAuth(
  config: OpenClawConfig,
  env: NodeJS.ProcessEnv = process.env,
): { mode: "token" | "password" | "none" | "trusted-proxy"; token?: string; password?: string } {
  const auth = config.gateway.auth;
  const token =
    (typeof auth.token === "string" ? auth.token : undefined) ||
    env.OPENCLAW_GATEWAY_TOKEN ||
    env.CLAWDBOT_GATEWAY_TOKEN ||
    undefined;
  const password =
    (typeof auth.password === "string" ? auth.password : undefined) ||
    env.OPENCLAW_GATEWAY_PASSWORD ||
    env.CLAWDBOT_GATEWAY_PASSWORD ||
    undefined;
  const mode = auth.mode ?? (token ? "token" : password ? "password" : "none");
  return { mode, token, password };
}
