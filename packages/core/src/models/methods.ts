import type { CoreMethods } from "../methods/context.js";

/** `models.list`: the models the agents can use. */
export const modelsMethods = {
  "models.list": async (_params, ctx) => {
    const assistant = await ctx.assistant();
    const models = await assistant.listModels();
    return {
      models: models.map((model) => ({
        id: model.model,
        name: model.alias ?? model.model,
        provider: model.provider,
        ...(model.contextWindow ? { contextWindow: model.contextWindow } : {}),
      })),
    };
  },
} satisfies CoreMethods;
