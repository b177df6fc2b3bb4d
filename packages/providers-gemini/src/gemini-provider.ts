import type {
  ModelInfo,
  ModelProviderConfig,
  ModelProviderV1,
  ProviderConfigOverrides,
} from "@openclaw/protocol";
import {
  combineHeaders,
  type FetchFunction,
  loadApiKey,
  resolveProviderConfig,
  sendRequest,
  withoutTrailingSlash,
} from "@openclaw/providers-utils";
import { GeminiEmbeddingModel } from "./gemini-embedding-model.js";
import { parseGeminiError } from "./gemini-error.js";
import { GeminiLanguageModel, type GeminiModelConfig } from "./gemini-language-model.js";

export const GEMINI_DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/v1beta";

export interface GeminiProviderOptions {
  /** Provider id used in model refs and errors. Default `google`. */
  id?: string;
  /** Default `https://generativelanguage.googleapis.com/v1beta`. */
  baseURL?: string;
  apiKey?: string;
  /** Env var(s) holding the key. Default `GEMINI_API_KEY`, then `GOOGLE_API_KEY`. */
  apiKeyEnvVar?: string | readonly string[];
  headers?: Record<string, string>;
  fetch?: FetchFunction;
  env?: Record<string, string | undefined>;
  models?: ModelInfo[];
}

export interface GeminiProvider extends ModelProviderV1 {
  languageModel(modelId: string): GeminiLanguageModel;
  /** An embedding model (`batchEmbedContents`). */
  textEmbeddingModel(modelId: string): GeminiEmbeddingModel;
  listModels(options?: { abortSignal?: AbortSignal }): Promise<ModelInfo[]>;
}

/** Create a Google Gemini (Generative Language API) provider. */
export function createGemini(options: GeminiProviderOptions = {}): GeminiProvider {
  const id = options.id ?? "google";
  const envVars =
    options.apiKeyEnvVar === undefined
      ? ["GEMINI_API_KEY", "GOOGLE_API_KEY"]
      : typeof options.apiKeyEnvVar === "string"
        ? [options.apiKeyEnvVar]
        : [...options.apiKeyEnvVar];
  const config: GeminiModelConfig = {
    provider: id,
    baseURL: withoutTrailingSlash(options.baseURL ?? GEMINI_DEFAULT_BASE_URL),
    apiKey: options.apiKey,
    envVars,
    headers: options.headers ?? {},
    fetch: options.fetch,
    env: options.env,
  };
  return {
    specificationVersion: "v1",
    id,
    languageModel: (modelId) => new GeminiLanguageModel(modelId, config),
    textEmbeddingModel: (modelId) => new GeminiEmbeddingModel(modelId, config),
    async listModels(listOptions = {}) {
      if (options.models) return options.models;
      const key = loadApiKey({ provider: id, apiKey: config.apiKey, envVars, env: config.env });
      const response = await sendRequest({
        provider: id,
        url: `${config.baseURL}/models?pageSize=1000`,
        method: "GET",
        headers: combineHeaders({ "x-goog-api-key": key }, config.headers),
        fetch: config.fetch,
        abortSignal: listOptions.abortSignal,
        parseError: parseGeminiError,
        envVars,
      });
      const body = (await response.json()) as {
        models?: Array<{
          name?: string;
          displayName?: string;
          inputTokenLimit?: number;
          outputTokenLimit?: number;
          supportedGenerationMethods?: string[];
          thinking?: boolean;
        }>;
      };
      return (body.models ?? [])
        .filter((model) => typeof model.name === "string")
        .filter(
          (model) =>
            !model.supportedGenerationMethods || model.supportedGenerationMethods.includes("generateContent"),
        )
        .map((model) => ({
          id: (model.name as string).replace(/^models\//, ""),
          ...(model.displayName ? { name: model.displayName } : {}),
          ...(model.inputTokenLimit ? { contextWindow: model.inputTokenLimit } : {}),
          ...(model.outputTokenLimit ? { maxTokens: model.outputTokenLimit } : {}),
          ...(model.thinking !== undefined ? { reasoning: model.thinking } : {}),
        }));
    },
  };
}

/** The default Gemini provider (key from `GEMINI_API_KEY` / `GOOGLE_API_KEY` at request time). */
export const gemini: GeminiProvider = createGemini();

/**
 * Build the provider for `models.providers.<id>` with `api: "google-generative-ai"` (or the
 * built-in `google` id). `apiKey` may be `${ENV_VAR}`.
 */
export function fromConfig(
  id: string,
  providerConfig: ModelProviderConfig = {},
  env: Record<string, string | undefined> = process.env,
  overrides: ProviderConfigOverrides = {},
): GeminiProvider {
  const resolved = resolveProviderConfig(
    "providers-gemini",
    ["google-generative-ai"],
    id,
    providerConfig,
    env,
    overrides,
  );
  return createGemini({
    ...resolved.common,
    baseURL: resolved.baseURL ?? GEMINI_DEFAULT_BASE_URL,
    apiKeyEnvVar: resolved.builtin?.envKeys.length
      ? resolved.builtin.envKeys
      : ["GEMINI_API_KEY", "GOOGLE_API_KEY"],
  });
}
