import type {
  ModelInfo,
  ModelProviderConfig,
  ModelProviderV1,
  ProviderConfigOverrides,
} from "@openclaw/protocol";
import {
  combineHeaders,
  type FetchFunction,
  resolveProviderConfig,
  sendRequest,
  withoutTrailingSlash,
} from "@openclaw/providers-utils";
import {
  OllamaChatLanguageModel,
  type OllamaModelConfig,
  parseOllamaError,
} from "./ollama-chat-language-model.js";
import { OllamaEmbeddingModel } from "./ollama-embedding-model.js";

export const OLLAMA_DEFAULT_BASE_URL = "http://127.0.0.1:11434";

export interface OllamaProviderOptions {
  /** Provider id used in model refs and errors. Default `ollama`. */
  id?: string;
  /**
   * Ollama server root. Default `OLLAMA_HOST` or `http://127.0.0.1:11434`. A trailing `/v1` or
   * `/api` is stripped (the native API lives under `/api`).
   */
  baseURL?: string;
  /** Optional bearer key (Ollama behind an authenticating proxy). Default `OLLAMA_API_KEY` if set. */
  apiKey?: string;
  headers?: Record<string, string>;
  fetch?: FetchFunction;
  env?: Record<string, string | undefined>;
  /** Context window (`options.num_ctx`) to request. */
  numCtx?: number;
  /** How long Ollama keeps the model loaded (`keep_alive`, e.g. `"10m"`). */
  keepAlive?: string;
  models?: ModelInfo[];
}

export interface OllamaProvider extends ModelProviderV1 {
  languageModel(modelId: string): OllamaChatLanguageModel;
  /** An embedding model (`POST /api/embed`). */
  textEmbeddingModel(modelId: string): OllamaEmbeddingModel;
  /** Installed models from `GET /api/tags`. */
  listModels(options?: { abortSignal?: AbortSignal }): Promise<ModelInfo[]>;
}

/** Normalize what users paste as an Ollama URL to the server root. */
export function normalizeOllamaBaseURL(url: string): string {
  let root = withoutTrailingSlash(url.trim());
  if (!/^https?:\/\//.test(root)) root = `http://${root}`;
  return root.replace(/\/(v1|api)$/, "");
}

/** Create a provider for a local (or remote) Ollama daemon's native API. */
export function createOllama(options: OllamaProviderOptions = {}): OllamaProvider {
  const id = options.id ?? "ollama";
  const config: OllamaModelConfig = {
    provider: id,
    // Read OLLAMA_HOST when a request is made, not at import.
    get baseURL() {
      return normalizeOllamaBaseURL(
        options.baseURL ?? (options.env ?? process.env).OLLAMA_HOST ?? OLLAMA_DEFAULT_BASE_URL,
      );
    },
    apiKey: options.apiKey,
    envVars: ["OLLAMA_API_KEY"],
    headers: options.headers ?? {},
    fetch: options.fetch,
    env: options.env,
    numCtx: options.numCtx,
    keepAlive: options.keepAlive,
  };
  return {
    specificationVersion: "v1",
    id,
    languageModel: (modelId) => new OllamaChatLanguageModel(modelId, config),
    textEmbeddingModel: (modelId) => new OllamaEmbeddingModel(modelId, config),
    async listModels(listOptions = {}) {
      if (options.models) return options.models;
      const key = config.apiKey ?? (config.env ?? process.env).OLLAMA_API_KEY;
      const response = await sendRequest({
        provider: id,
        url: `${config.baseURL}/api/tags`,
        method: "GET",
        headers: combineHeaders(key ? { authorization: `Bearer ${key}` } : {}, config.headers),
        fetch: config.fetch,
        abortSignal: listOptions.abortSignal,
        parseError: parseOllamaError,
      });
      const body = (await response.json()) as { models?: Array<{ name?: string; model?: string }> };
      return (body.models ?? [])
        .map((model) => model.model ?? model.name)
        .filter((name): name is string => typeof name === "string")
        .map((name) => ({ id: name, name }));
    },
  };
}

/** The default Ollama provider (`OLLAMA_HOST` or `http://127.0.0.1:11434`). */
export const ollama: OllamaProvider = createOllama();

/**
 * Build the provider for `models.providers.<id>` with `api: "ollama"`, including the FAQ form
 * `models.providers.ollama: { enabled, baseUrl }`. Returns undefined when `enabled: false`.
 */
export function fromConfig(
  id: string,
  providerConfig: ModelProviderConfig = {},
  env: Record<string, string | undefined> = process.env,
  overrides: ProviderConfigOverrides = {},
): OllamaProvider | undefined {
  if (providerConfig.enabled === false) return undefined;
  const resolved = resolveProviderConfig("providers-ollama", ["ollama"], id, providerConfig, env, overrides);
  return createOllama({
    ...resolved.common,
    // OLLAMA_HOST (Ollama's own variable) wins over the built-in default, not over explicit settings
    baseURL:
      overrides.baseURL ??
      providerConfig.baseUrl ??
      env.OLLAMA_HOST ??
      resolved.baseURL ??
      OLLAMA_DEFAULT_BASE_URL,
  });
}
