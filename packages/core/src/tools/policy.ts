/** Tool groups usable in allow/deny lists and profiles (OpenClaw names). */
export const TOOL_GROUPS: Record<string, string[]> = {
  "group:runtime": ["exec", "bash", "process"],
  "group:fs": ["read", "write", "edit", "apply_patch"],
  "group:sessions": [
    "sessions_list",
    "sessions_history",
    "sessions_send",
    "sessions_spawn",
    "session_status",
  ],
  "group:memory": ["memory_search", "memory_get"],
  "group:web": ["web_search", "web_fetch"],
  "group:ui": ["browser", "canvas"],
  "group:automation": ["cron", "gateway"],
  "group:messaging": ["message"],
  "group:nodes": ["nodes"],
};
TOOL_GROUPS["group:openclaw"] = [...new Set(Object.values(TOOL_GROUPS).flat()), "agents_list", "image"];

/** Tool profiles: the base allowlist before allow/deny apply. `full` (the default) allows everything. */
export const TOOL_PROFILES: Record<string, string[] | undefined> = {
  minimal: ["session_status"],
  coding: ["group:fs", "group:runtime", "group:sessions", "group:memory", "image"],
  messaging: ["group:messaging", "sessions_list", "sessions_history", "sessions_send", "session_status"],
  full: undefined,
};

const ALIASES: Record<string, string> = { bash: "exec" };

export interface ToolPolicyLayer {
  profile?: string;
  allow?: string[];
  deny?: string[];
}

/** Every layer that applies to one run, most general first. */
export interface ToolPolicyInput {
  /** `tools` (global) */
  global?: ToolPolicyLayer & { byProvider?: Record<string, ToolPolicyLayer> };
  /** provider of the model this run uses (selects `tools.byProvider.<id>`) */
  provider?: string;
  /** `agents.list[].tools` */
  agent?: ToolPolicyLayer;
  /** channel / group tool policy (e.g. `channels.<id>.groups.<gid>.tools`) */
  channel?: ToolPolicyLayer;
  /** sub-agent sessions get `tools.subagents.tools` */
  subagent?: ToolPolicyLayer;
}

export type ToolVerdict = { allowed: true } | { allowed: false; reason: string; stage: string };

function canonical(name: string): string {
  const lower = name.trim().toLowerCase();
  return ALIASES[lower] ?? lower;
}

function expand(patterns: string[]): string[] {
  return patterns.flatMap((pattern) => {
    const lower = pattern.trim().toLowerCase();
    return TOOL_GROUPS[lower] ?? [lower];
  });
}

function matches(name: string, patterns: string[]): boolean {
  const tool = canonical(name);
  return expand(patterns).some((pattern) => {
    const target = canonical(pattern);
    if (!target.includes("*")) return target === tool;
    const regex = new RegExp(
      `^${target
        .split("*")
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
    );
    return regex.test(tool);
  });
}

function checkLayer(name: string, layer: ToolPolicyLayer | undefined, stage: string): ToolVerdict {
  if (!layer) return { allowed: true };
  if (layer.deny?.length && matches(name, layer.deny))
    return { allowed: false, stage, reason: `tool "${name}" is denied by ${stage}.deny` };
  if (layer.profile) {
    if (!(layer.profile in TOOL_PROFILES))
      return { allowed: false, stage, reason: `unknown tool profile "${layer.profile}" in ${stage}.profile` };
    const base = TOOL_PROFILES[layer.profile];
    if (base && !matches(name, base) && !(layer.allow?.length && matches(name, layer.allow)))
      return {
        allowed: false,
        stage,
        reason: `tool "${name}" is not in the "${layer.profile}" profile (${stage}.profile)`,
      };
    return { allowed: true };
  }
  if (layer.allow?.length && !matches(name, layer.allow))
    return { allowed: false, stage, reason: `tool "${name}" is not in ${stage}.allow` };
  return { allowed: true };
}

/**
 * The one decision "may this tool run here": profile → byProvider → allow/deny (deny wins) →
 * per-agent → per-channel/group → sub-agent. A tool must pass every layer.
 */
export function isToolAllowed(name: string, input: ToolPolicyInput): ToolVerdict {
  const layers: [ToolPolicyLayer | undefined, string][] = [
    [input.global, "tools"],
    [
      input.provider ? input.global?.byProvider?.[input.provider] : undefined,
      `tools.byProvider.${input.provider}`,
    ],
    [input.agent, "agents.list[].tools"],
    [input.channel, "channel tools"],
    [input.subagent, "tools.subagents.tools"],
  ];
  for (const [layer, stage] of layers) {
    const verdict = checkLayer(name, layer, stage);
    if (!verdict.allowed) return verdict;
  }
  return { allowed: true };
}
