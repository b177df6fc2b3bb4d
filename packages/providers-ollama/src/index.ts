/** Version of @openclaw/providers-ollama, injected at build time. */
export const VERSION: string =
  typeof __OPENCLAW_VERSION__ === "string" ? __OPENCLAW_VERSION__ : "0.0.0-source";
export { OllamaChatLanguageModel, toOllamaMessages } from "./ollama-chat-language-model.js";
export { OllamaEmbeddingModel } from "./ollama-embedding-model.js";
export type { OllamaProvider, OllamaProviderOptions } from "./ollama-provider.js";
export {
  createOllama,
  fromConfig,
  normalizeOllamaBaseURL,
  OLLAMA_DEFAULT_BASE_URL,
  ollama,
} from "./ollama-provider.js";
