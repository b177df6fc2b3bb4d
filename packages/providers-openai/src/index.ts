/** Version of @openclaw/providers-openai, injected at build time. */
export const VERSION: string =
  typeof __OPENCLAW_VERSION__ === "string" ? __OPENCLAW_VERSION__ : "0.0.0-source";
export { OpenAIChatLanguageModel, toChatMessages } from "./openai-chat-language-model.js";
export { OpenAIEmbeddingModel } from "./openai-embedding-model.js";
export type { OpenAIProvider, OpenAIProviderOptions } from "./openai-provider.js";
export { createOpenAI, fromConfig, OPENAI_DEFAULT_BASE_URL, openai } from "./openai-provider.js";
export { OpenAIResponsesLanguageModel, toResponsesInput } from "./openai-responses-language-model.js";
