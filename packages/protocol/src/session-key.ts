/**
 * Session keys (spec §5.2): RPC callers may pass short request keys (`main`,
 * `discord:group:123`); every store, event and transcript uses the canonical store key
 * `agent:<agentId>:<rest>`. Pure functions, shared by the gateway (which does not load core)
 * and core's assistant, so a key means the same session everywhere.
 */

/** The default agent id and main session key. */
export const DEFAULT_AGENT_ID = "main";
export const DEFAULT_MAIN_KEY = "main";

/** Lowercase, `[a-z0-9][a-z0-9_-]{0,63}`; anything else collapses to `-`; empty ⇒ `main`. */
export function normalizeAgentId(id: string | undefined): string {
  const cleaned = (id ?? "")
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[-_]+/, "")
    .slice(0, 64);
  return cleaned || DEFAULT_AGENT_ID;
}

/**
 * Canonical store key for a request key: `main` (or nothing) → `agent:main:main`,
 * `discord:group:123` → `agent:main:discord:group:123`; `agent:…` keys get a normalized agent id
 * and a lower-cased rest; `global`, `cron:…`, `hook:…` and `node-…` stay as they are.
 */
export function toAgentSessionKey(
  key: string | undefined,
  agentId: string = DEFAULT_AGENT_ID,
  mainKey: string = DEFAULT_MAIN_KEY,
): string {
  const trimmed = (key ?? "").trim();
  if (!trimmed) return `agent:${normalizeAgentId(agentId)}:${mainKey}`;
  const match = /^agent:([^:]+):(.+)$/.exec(trimmed);
  if (match) return `agent:${normalizeAgentId(match[1])}:${match[2]!.toLowerCase()}`;
  if (trimmed === "global" || /^(cron|hook):/.test(trimmed) || trimmed.startsWith("node-")) return trimmed;
  return `agent:${normalizeAgentId(agentId)}:${trimmed.toLowerCase()}`;
}
