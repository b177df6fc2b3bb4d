import { DEFAULT_AGENT_ID, DEFAULT_MAIN_KEY, normalizeAgentId } from "../routing/index.js";

export interface ParsedSessionKey {
  agentId: string;
  /** Everything after `agent:<agentId>:` */
  rest: string;
}

/** Split `agent:<agentId>:<rest>`; undefined for keys without the agent prefix. */
export function parseAgentSessionKey(key: string): ParsedSessionKey | undefined {
  const match = /^agent:([^:]+):(.+)$/.exec(key.trim());
  if (!match) return undefined;
  return { agentId: normalizeAgentId(match[1]), rest: match[2]! };
}

/**
 * Canonical store key for a request key: `main` → `agent:main:main`,
 * `discord:group:123` → `agent:main:discord:group:123`; `agent:…`, `global`, `cron:…`,
 * `hook:…`, `node-…` stay as they are (lower-cased).
 */
export function toAgentSessionKey(
  key: string | undefined,
  agentId = DEFAULT_AGENT_ID,
  mainKey = DEFAULT_MAIN_KEY,
): string {
  const trimmed = (key ?? "").trim();
  if (!trimmed) return `agent:${normalizeAgentId(agentId)}:${mainKey}`;
  const parsed = parseAgentSessionKey(trimmed);
  if (parsed) return `agent:${parsed.agentId}:${parsed.rest.toLowerCase()}`;
  if (trimmed === "global" || /^(cron|hook):/.test(trimmed) || trimmed.startsWith("node-")) return trimmed;
  return `agent:${normalizeAgentId(agentId)}:${trimmed.toLowerCase()}`;
}

export function agentIdFromSessionKey(key: string, fallback = DEFAULT_AGENT_ID): string {
  return parseAgentSessionKey(key)?.agentId ?? fallback;
}

/** The main/private session of an agent gets MEMORY.md; groups, threads and sub-agents do not. */
export function isMainSessionKey(key: string, mainKey = DEFAULT_MAIN_KEY): boolean {
  const parsed = parseAgentSessionKey(key);
  if (!parsed) return key === "global";
  return parsed.rest === mainKey || /^(?:[^:]+:)?(?:[^:]+:)?direct:[^:]+$/.test(parsed.rest);
}

export function isSubagentSessionKey(key: string): boolean {
  return key.includes(":subagent:");
}
