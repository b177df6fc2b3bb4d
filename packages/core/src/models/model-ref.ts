import type { RuntimeConfig } from "./runtime-config.js";

/** A parsed `provider/model` reference. Model ids may contain slashes (`openrouter/meta/llama`). */
export interface ModelRef {
  provider: string;
  model: string;
}

/** Provider assumed for a bare model id (OpenClaw historically defaulted to anthropic). */
export const DEFAULT_PROVIDER = "anthropic";

export class ModelRefError extends Error {
  readonly code: "UNKNOWN_MODEL" | "MODEL_NOT_ALLOWED" | "INVALID_MODEL_REF";
  constructor(code: ModelRefError["code"], message: string) {
    super(message);
    this.name = "ModelRefError";
    this.code = code;
  }
}

export function parseModelRef(raw: string): ModelRef {
  const text = raw.trim();
  if (!text || /\s/.test(text))
    throw new ModelRefError("INVALID_MODEL_REF", `Invalid model ref "${raw}": expected provider/model`);
  const slash = text.indexOf("/");
  if (slash === -1) return { provider: DEFAULT_PROVIDER, model: text };
  const provider = text.slice(0, slash).toLowerCase();
  const model = text.slice(slash + 1);
  if (!provider || !model)
    throw new ModelRefError("INVALID_MODEL_REF", `Invalid model ref "${raw}": expected provider/model`);
  return { provider, model };
}

export function formatModelRef(ref: ModelRef): string {
  return `${ref.provider}/${ref.model}`;
}

/** The allowlist/catalog map for an agent: `agents.defaults.models` merged with the agent's own. */
export function modelCatalog(config: RuntimeConfig, agentId?: string): Record<string, { alias?: string }> {
  const agent = config.agents?.list?.find((entry) => entry.id === agentId);
  return { ...(config.agents?.defaults?.models ?? {}), ...(agent?.models ?? {}) };
}

/** alias → ref, from the catalog entries' `alias`. */
export function modelAliases(config: RuntimeConfig, agentId?: string): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const [ref, entry] of Object.entries(modelCatalog(config, agentId)))
    if (entry?.alias) aliases[entry.alias.toLowerCase()] = ref;
  return aliases;
}

/** Every model id declared under `models.providers.<id>.models`, as refs. */
export function configuredModelRefs(config: RuntimeConfig): string[] {
  const refs: string[] = [];
  for (const [id, provider] of Object.entries(config.models?.providers ?? {})) {
    if (provider.enabled === false) continue;
    for (const model of provider.models ?? []) refs.push(`${id}/${model.id}`);
  }
  return refs;
}

/**
 * Turn what a user typed (`opus`, `anthropic/claude-opus-4-5`, `gpt-4o`) into a ref, checking the
 * allowlist (`agents.defaults.models` when non-empty).
 */
export function resolveModelInput(input: string, config: RuntimeConfig, agentId?: string): ModelRef {
  const trimmed = input.trim();
  const alias = modelAliases(config, agentId)[trimmed.toLowerCase()];
  const ref = parseModelRef(alias ?? trimmed);
  const catalog = modelCatalog(config, agentId);
  const allowed = Object.keys(catalog);
  if (allowed.length > 0) {
    const key = formatModelRef(ref);
    const ok = allowed.some((entry) => entry.toLowerCase() === key.toLowerCase());
    if (!ok)
      throw new ModelRefError(
        "MODEL_NOT_ALLOWED",
        `Model "${key}" is not in the allowlist (agents.defaults.models). Allowed: ${allowed.join(", ")}`,
      );
  }
  return ref;
}

/** The `{ primary, fallbacks }` an agent uses: per-agent model over `agents.defaults.model`. */
export function agentModelConfig(
  config: RuntimeConfig,
  agentId?: string,
): { primary?: string; fallbacks: string[] } {
  const normalize = (value: unknown) =>
    typeof value === "string"
      ? { primary: value, fallbacks: undefined }
      : ((value ?? {}) as { primary?: string; fallbacks?: string[] });
  const defaults = normalize(config.agents?.defaults?.model);
  const agent = normalize(config.agents?.list?.find((entry) => entry.id === agentId)?.model);
  return {
    primary: agent.primary ?? defaults.primary,
    fallbacks: agent.fallbacks ?? defaults.fallbacks ?? [],
  };
}
