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

/** Canonical store key for a request key (`main` → `agent:main:main`); protocol's, shared with the gateway. */
export { toAgentSessionKey } from "@openclaw/protocol/base";

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
