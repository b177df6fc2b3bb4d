import type { ModelInfo } from "./model-info.js";

/** Wire API a provider speaks; selects the provider package that serves it. */
export const MODEL_APIS = [
  "openai-completions",
  "openai-responses",
  "anthropic-messages",
  "google-generative-ai",
  "ollama",
] as const;
export type ModelApi = (typeof MODEL_APIS)[number];

/**
 * `models.providers.<id>` in openclaw.json. Every field is optional for built-in ids (the
 * built-in table supplies `api`, `baseUrl` and the env var); a custom id needs `api` and `baseUrl`.
 * The FAQ's `models.providers.ollama: { enabled, baseUrl }` form is this shape too.
 */
export interface ModelProviderConfig {
  baseUrl?: string;
  /** Literal key, or `${ENV_VAR}` / `env:ENV_VAR` to read an environment variable. */
  apiKey?: string;
  api?: ModelApi;
  headers?: Record<string, string>;
  /** `false`: send no Authorization header even when a key is set (some proxies). */
  authHeader?: boolean;
  /** `false` disables the provider. */
  enabled?: boolean;
  models?: ModelInfo[];
}

/** A built-in provider id: what it speaks, where, and which env var holds its key. */
export interface BuiltinProvider {
  name: string;
  api: ModelApi;
  baseUrl: string;
  /** Env vars tried in order; empty when no key is needed (local servers). */
  envKeys: readonly string[];
  /** Requests fail with a missing-key error when no key is found. */
  apiKeyRequired: boolean;
}

/** What the host may override when building a provider from config (tests, proxies, profiles). */
export interface ProviderConfigOverrides {
  fetch?: typeof globalThis.fetch;
  /** Wins over `apiKey` in config and the env var. */
  apiKey?: string;
  /** Wins over `baseUrl` in config and the built-in default. */
  baseURL?: string;
  /** Merged over `headers` in config. */
  headers?: Record<string, string>;
}
