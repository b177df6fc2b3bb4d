/** Version of @openclaw/providers-gemini, injected at build time. */
export const VERSION: string =
  typeof __OPENCLAW_VERSION__ === "string" ? __OPENCLAW_VERSION__ : "0.0.0-source";
export { GeminiEmbeddingModel } from "./gemini-embedding-model.js";
export {
  GEMINI_THINKING_BUDGETS,
  GeminiLanguageModel,
  toGeminiContents,
  toGeminiSchema,
} from "./gemini-language-model.js";
export type { GeminiProvider, GeminiProviderOptions } from "./gemini-provider.js";
export { createGemini, fromConfig, GEMINI_DEFAULT_BASE_URL, gemini } from "./gemini-provider.js";
