import { agentModelConfig, type ModelRef, parseModelRef, resolveModelInput } from "../models/model-ref.js";
import type { RuntimeConfig } from "../models/runtime-config.js";
import type { SessionEntry } from "./session-store.js";

/** Used when nothing is configured at all (OpenClaw's default provider is Anthropic). */
export const DEFAULT_MODEL = "anthropic/claude-opus-4-5";

/** Model refs for a run: explicit override > session override > agent primary, then fallbacks. */
export function resolveRunModels(
  config: RuntimeConfig,
  agentId: string,
  entry: SessionEntry | undefined,
  override?: string,
): ModelRef[] {
  const { primary, fallbacks } = agentModelConfig(config, agentId);
  const sessionModel =
    entry?.modelOverride !== undefined
      ? entry.providerOverride
        ? `${entry.providerOverride}/${entry.modelOverride}`
        : entry.modelOverride
      : undefined;
  const first = override
    ? resolveModelInput(override, config, agentId)
    : sessionModel
      ? parseModelRef(sessionModel)
      : primary
        ? parseModelRef(primary)
        : undefined;
  const refs: ModelRef[] = [];
  if (first) refs.push(first);
  for (const fallback of fallbacks) {
    try {
      refs.push(parseModelRef(fallback));
    } catch {}
  }
  if (refs.length === 0) refs.push(parseModelRef(DEFAULT_MODEL));
  return refs;
}
