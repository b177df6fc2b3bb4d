import type { CoreMethods } from "../methods/context.js";

type Tree = Record<string, unknown>;
const isTree = (value: unknown): value is Tree =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `name` of `models.providers.<provider>.models[]` entries, by `provider/model`. */
function configuredNames(config: Tree): Map<string, string> {
  const names = new Map<string, string>();
  const providers = isTree(config.models) && isTree(config.models.providers) ? config.models.providers : {};
  for (const [provider, entry] of Object.entries(providers)) {
    if (!isTree(entry) || !Array.isArray(entry.models)) continue;
    for (const model of entry.models)
      if (
        isTree(model) &&
        typeof model.id === "string" &&
        typeof model.name === "string" &&
        model.name.trim()
      )
        names.set(`${provider}/${model.id}`, model.name.trim());
  }
  return names;
}

/** `models.list`: the models the agents can use. */
export const modelsMethods = {
  "models.list": async (_params, ctx) => {
    const assistant = await ctx.assistant();
    const models = await assistant.listModels();
    const names = configuredNames(ctx.config());
    return {
      models: models.map((model) => ({
        id: model.model,
        name: names.get(model.ref) ?? model.alias ?? model.model,
        provider: model.provider,
        ...(model.alias ? { alias: model.alias } : {}),
        ...(model.contextWindow ? { contextWindow: model.contextWindow } : {}),
      })),
    };
  },

  /** Provider quota windows: none of the providers here expose a usage API yet. */
  "usage.status": async (_params, ctx) => {
    const config = ctx.config();
    const providers = isTree(config.models) && isTree(config.models.providers) ? config.models.providers : {};
    return {
      updatedAt: Date.now(),
      providers: Object.keys(providers).map((provider) => ({
        provider,
        displayName: provider,
        windows: [],
        error: "usage windows are not available for this provider",
      })),
    };
  },
} satisfies CoreMethods;
