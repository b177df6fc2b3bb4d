import type { RuntimeConfig } from "../models/runtime-config.js";
import type { ToolPolicyLayer } from "../tools/policy.js";

/**
 * Per-group settings of a channel: `channels.<channel>.groups.<groupId>` (or `"*"`):
 * `tools` (allow/deny) and `systemPrompt`.
 */
export function channelGroupSettings(
  config: RuntimeConfig,
  channel: string | undefined,
  groupId: string | undefined,
): { tools?: ToolPolicyLayer; systemPrompt?: string } {
  if (!channel || !groupId) return {};
  const groups = ((config.channels?.[channel] as { groups?: Record<string, unknown> } | undefined)?.groups ??
    {}) as Record<string, { tools?: ToolPolicyLayer; systemPrompt?: string } | undefined>;
  const group = groups[groupId] ?? groups[groupId.toLowerCase()] ?? groups["*"];
  return {
    tools: group?.tools,
    systemPrompt: typeof group?.systemPrompt === "string" ? group.systemPrompt : undefined,
  };
}
