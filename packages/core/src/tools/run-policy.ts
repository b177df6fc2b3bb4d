import { isSubagentSessionKey } from "../agent/session-key.js";
import type { RuntimeConfig } from "../models/runtime-config.js";
import type { ToolPolicyInput, ToolPolicyLayer } from "./policy.js";

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : undefined;

/** A config block as a policy layer (`profile`, `allow`, `deny`; anything else ignored). */
function layer(value: unknown): ToolPolicyLayer | undefined {
  if (!isObject(value)) return undefined;
  const allow = strings(value.allow);
  const deny = strings(value.deny);
  return {
    ...(typeof value.profile === "string" ? { profile: value.profile } : {}),
    ...(allow ? { allow } : {}),
    ...(deny ? { deny } : {}),
  };
}

/** What decides which tools one run gets. */
export interface RunToolContext {
  agentId: string;
  sessionKey: string;
  /** Provider of the model the run uses (selects `tools.byProvider.<id>`). */
  provider?: string | undefined;
  /** The channel / group layer of the conversation, if any. */
  channelTools?: ToolPolicyLayer | undefined;
}

/**
 * The layers of `isToolAllowed` for one run, from the config: `tools` (with `byProvider`), the
 * run's provider, `agents.list[].tools`, the channel's layer and, in a sub-agent session,
 * `tools.subagents.tools` (default: no `sessions_spawn`). The agent loop and `POST /tools/invoke`
 * both build their input here, so a tool is allowed over HTTP exactly where a run of that session
 * would get it.
 */
export function runToolPolicy(config: RuntimeConfig, run: RunToolContext): ToolPolicyInput {
  const tools = config.tools ?? {};
  const byProvider = isObject(tools.byProvider)
    ? Object.fromEntries(
        Object.entries(tools.byProvider).flatMap(([id, value]) => {
          const parsed = layer(value);
          return parsed ? [[id, parsed]] : [];
        }),
      )
    : undefined;
  const agent = config.agents?.list?.find((entry) => entry.id === run.agentId);
  const subagents = isObject(tools.subagents) ? layer(tools.subagents.tools) : undefined;
  return {
    global: { ...layer(tools), ...(byProvider ? { byProvider } : {}) },
    ...(run.provider ? { provider: run.provider } : {}),
    ...(agent?.tools ? { agent: layer(agent.tools) } : {}),
    ...(run.channelTools ? { channel: run.channelTools } : {}),
    ...(isSubagentSessionKey(run.sessionKey) ? { subagent: subagents ?? { deny: ["sessions_spawn"] } } : {}),
  };
}
