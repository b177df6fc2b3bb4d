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
import { parseAnthropicError } from "./anthropic-error.js";
import {
  ANTHROPIC_VERSION,
  AnthropicMessagesLanguageModel,
  type AnthropicModelConfig,
} from "./anthropic-messages-language-model.js";

export const ANTHROPIC_DEFAULT_BASE_URL = "https://api.anthropic.com/v1";

export interface AnthropicProviderOptions {
  /** Provider id used in model refs and errors. Default `anthropic`. */
  id?: string;
  /** Default `https://api.anthropic.com/v1`. */
  baseURL?: string;
  /** API key (`sk-ant-api...`) or Claude setup-token (`sk-ant-oat...`); default from env at request time. */
  apiKey?: string;
  /** Env var(s) holding the key. Default `ANTHROPIC_API_KEY`. */
  apiKeyEnvVar?: string | readonly string[];
  headers?: Record<string, string>;
  fetch?: FetchFunction;
  env?: Record<string, string | undefined>;
  /** `max_tokens` when a call sets none. Default 8192. */
  defaultMaxTokens?: number;
  /** Models to report from `listModels()` instead of asking the API. */
  models?: ModelInfo[];
}

export interface AnthropicProvider extends ModelProviderV1 {
  languageModel(modelId: string): AnthropicMessagesLanguageModel;
  listModels(options?: { abortSignal?: AbortSignal }): Promise<ModelInfo[]>;
}

/** Create an Anthropic (Messages API) provider. */
export function createAnthropic(options: AnthropicProviderOptions = {}): AnthropicProvider {
  const id = options.id ?? "anthropic";
  const envVars =
    options.apiKeyEnvVar === undefined
      ? ["ANTHROPIC_API_KEY"]
      : typeof options.apiKeyEnvVar === "string"
        ? [options.apiKeyEnvVar]
        : [...options.apiKeyEnvVar];
  const config: AnthropicModelConfig = {
    provider: id,
    baseURL: withoutTrailingSlash(options.baseURL ?? ANTHROPIC_DEFAULT_BASE_URL),
    apiKey: options.apiKey,
    envVars,
    headers: options.headers ?? {},
    fetch: options.fetch,
    env: options.env,
    defaultMaxTokens: options.defaultMaxTokens ?? 8192,
  };
  return {
    specificationVersion: "v1",
    id,
    languageModel: (modelId) => new AnthropicMessagesLanguageModel(modelId, config),
    async listModels(listOptions = {}) {
      if (options.models) return options.models;
      const key = loadApiKey({ provider: id, apiKey: config.apiKey, envVars, env: config.env });
      const oauth = key.startsWith("sk-ant-oat");
      const response = await sendRequest({
        provider: id,
        url: `${config.baseURL}/models?limit=1000`,
        method: "GET",
        headers: combineHeaders(
          {
            "anthropic-version": ANTHROPIC_VERSION,
            ...(oauth
              ? { authorization: `Bearer ${key}`, "anthropic-beta": "oauth-2025-04-20" }
              : { "x-api-key": key }),
          },
          config.headers,
        ),
        fetch: config.fetch,
        abortSignal: listOptions.abortSignal,
        parseError: parseAnthropicError,
        envVars,
      });
      const body = (await response.json()) as { data?: Array<{ id?: unknown; display_name?: unknown }> };
      return (body.data ?? [])
        .filter((model): model is { id: string; display_name?: unknown } => typeof model.id === "string")
        .map((model) => ({
          id: model.id,
          ...(typeof model.display_name === "string" ? { name: model.display_name } : {}),
        }));
    },
  };
}

/** The default Anthropic provider (key from `ANTHROPIC_API_KEY` at request time). */
export const anthropic: AnthropicProvider = createAnthropic();

/**
 * Build the provider for `models.providers.<id>` with `api: "anthropic-messages"` (or the
 * built-in `anthropic` id). `apiKey` may be `${ENV_VAR}`.
 */
export function fromConfig(
  id: string,
  providerConfig: ModelProviderConfig = {},
  env: Record<string, string | undefined> = process.env,
  overrides: ProviderConfigOverrides = {},
): AnthropicProvider {
  const resolved = resolveProviderConfig(
    "providers-anthropic",
    ["anthropic-messages"],
    id,
    providerConfig,
    env,
    overrides,
  );
  if (!resolved.baseURL)
    throw new Error(`models.providers.${id}.baseUrl is required for a custom Anthropic-compatible provider`);
  return createAnthropic({
    ...resolved.common,
    baseURL: resolved.baseURL,
    apiKeyEnvVar: resolved.builtin?.envKeys.length ? resolved.builtin.envKeys : [resolved.customEnvKey],
  });
}
