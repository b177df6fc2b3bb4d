import type {
  ModelInfo,
  ModelProviderConfig,
  ModelProviderV1,
  ProviderConfigOverrides,
} from "@openclaw/protocol";
import {
  type FetchFunction,
  resolveProviderConfig,
  sendRequest,
  withoutTrailingSlash,
} from "@openclaw/providers-utils";
import { OpenAIChatLanguageModel } from "./openai-chat-language-model.js";
import { OpenAIEmbeddingModel } from "./openai-embedding-model.js";
import { parseOpenAIError } from "./openai-error.js";
import { OpenAIResponsesLanguageModel } from "./openai-responses-language-model.js";
import { type OpenAIModelConfig, requestHeaders } from "./openai-shared.js";

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

export interface OpenAIProviderOptions {
  /** Provider id used in model refs and errors. Default `openai`. */
  id?: string;
  /** Default `https://api.openai.com/v1`. For compatible servers, the URL ending in `/v1`. */
  baseURL?: string;
  /** API key; default read from `apiKeyEnvVar` at request time. */
  apiKey?: string;
  /** Env var(s) holding the key. Default `OPENAI_API_KEY`. */
  apiKeyEnvVar?: string | readonly string[];
  /** Fail when no key is found (default true for OpenAI itself, false when `baseURL` is set). */
  apiKeyRequired?: boolean;
  /** Send `Authorization: Bearer <key>` (default true). */
  authHeader?: boolean;
  /** Extra headers on every request (e.g. OpenRouter `HTTP-Referer`, `X-Title`). */
  headers?: Record<string, string>;
  /** Which API `languageModel()` uses: `responses` for OpenAI itself, `chat` for compatible servers. */
  api?: "chat" | "responses";
  fetch?: FetchFunction;
  /** Environment to read keys from (default `process.env`, read at request time). */
  env?: Record<string, string | undefined>;
  /** Models to report from `listModels()` instead of asking the server. */
  models?: ModelInfo[];
}

export interface OpenAIProvider extends ModelProviderV1 {
  languageModel(modelId: string): OpenAIChatLanguageModel | OpenAIResponsesLanguageModel;
  /** A Chat Completions model. */
  chat(modelId: string): OpenAIChatLanguageModel;
  /** A Responses API model. */
  responses(modelId: string): OpenAIResponsesLanguageModel;
  /** An embedding model (`POST /embeddings`). */
  textEmbeddingModel(modelId: string): OpenAIEmbeddingModel;
  /** `GET /models` (or the configured list). */
  listModels(options?: { abortSignal?: AbortSignal }): Promise<ModelInfo[]>;
}

/** Create an OpenAI or OpenAI-compatible provider. */
export function createOpenAI(options: OpenAIProviderOptions = {}): OpenAIProvider {
  const id = options.id ?? "openai";
  const baseURL = withoutTrailingSlash(options.baseURL ?? OPENAI_DEFAULT_BASE_URL);
  const isOfficialOpenAI = /^https:\/\/api\.openai\.com(\/|$)/.test(baseURL);
  const envVars =
    options.apiKeyEnvVar === undefined
      ? ["OPENAI_API_KEY"]
      : typeof options.apiKeyEnvVar === "string"
        ? [options.apiKeyEnvVar]
        : [...options.apiKeyEnvVar];
  const config: OpenAIModelConfig = {
    provider: id,
    baseURL,
    apiKey: options.apiKey,
    envVars,
    apiKeyRequired: options.apiKeyRequired ?? (options.baseURL === undefined || isOfficialOpenAI),
    authHeader: options.authHeader ?? true,
    headers: options.headers ?? {},
    fetch: options.fetch,
    env: options.env,
    isOfficialOpenAI,
  };
  const api = options.api ?? (isOfficialOpenAI ? "responses" : "chat");
  const chat = (modelId: string) => new OpenAIChatLanguageModel(modelId, config);
  const responses = (modelId: string) => new OpenAIResponsesLanguageModel(modelId, config);
  return {
    specificationVersion: "v1",
    id,
    languageModel: (modelId) => (api === "responses" ? responses(modelId) : chat(modelId)),
    chat,
    responses,
    textEmbeddingModel: (modelId) => new OpenAIEmbeddingModel(modelId, config),
    async listModels(listOptions = {}) {
      if (options.models) return options.models;
      const response = await sendRequest({
        provider: id,
        url: `${baseURL}/models`,
        method: "GET",
        headers: requestHeaders(config, {} as never),
        fetch: options.fetch,
        abortSignal: listOptions.abortSignal,
        parseError: parseOpenAIError,
        envVars,
      });
      const body = (await response.json()) as { data?: Array<{ id?: unknown }> };
      return (body.data ?? [])
        .filter((model): model is { id: string } => typeof model.id === "string")
        .map((model) => ({ id: model.id }));
    },
  };
}

/** The default OpenAI provider (key from `OPENAI_API_KEY` at request time). */
export const openai: OpenAIProvider = createOpenAI();

/**
 * Build the provider for `models.providers.<id>` with `api: "openai-completions" | "openai-responses"`
 * (or a built-in OpenAI-compatible id such as `openrouter`, `groq`, `lmstudio`, `vllm`). Values
 * missing from the config come from the built-in table; `apiKey` may be `${ENV_VAR}`.
 */
export function fromConfig(
  id: string,
  providerConfig: ModelProviderConfig = {},
  env: Record<string, string | undefined> = process.env,
  overrides: ProviderConfigOverrides = {},
): OpenAIProvider {
  const resolved = resolveProviderConfig(
    "providers-openai",
    ["openai-completions", "openai-responses"],
    id,
    providerConfig,
    env,
    overrides,
  );
  if (!resolved.baseURL)
    throw new Error(`models.providers.${id}.baseUrl is required for a custom OpenAI-compatible provider`);
  return createOpenAI({
    ...resolved.common,
    baseURL: resolved.baseURL,
    apiKeyEnvVar: resolved.builtin?.envKeys ?? [resolved.customEnvKey],
    apiKeyRequired: resolved.builtin?.apiKeyRequired ?? providerConfig.apiKey !== undefined,
    authHeader: providerConfig.authHeader ?? true,
    api: resolved.api === "openai-responses" ? "responses" : "chat",
  });
}
