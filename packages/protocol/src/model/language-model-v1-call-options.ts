import type { LanguageModelV1Message } from "./language-model-v1-prompt.js";
import type { LanguageModelV1FunctionTool, LanguageModelV1ToolChoice } from "./language-model-v1-tool.js";
import type { ProviderOptions } from "./provider-options.js";
import type { ThinkingLevel } from "./thinking-level.js";

export interface LanguageModelV1CallOptions {
  /** System prompt. Keep it stable across turns so provider prompt caches hit. */
  system?: string;
  messages: LanguageModelV1Message[];
  tools?: LanguageModelV1FunctionTool[];
  toolChoice?: LanguageModelV1ToolChoice;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
  /** Reasoning effort; `off` (or undefined) sends no reasoning request. */
  thinking?: ThinkingLevel;
  abortSignal?: AbortSignal;
  /** Extra HTTP headers for this call (merged over the provider's headers). */
  headers?: Record<string, string | undefined>;
  /**
   * Credential for this call only, overriding the provider's `apiKey` option and env var.
   * Lets core rotate auth profiles without building a provider per profile.
   */
  apiKey?: string;
  /** Namespaced provider options, e.g. `{ anthropic: { cacheControl: true } }`. */
  providerOptions?: ProviderOptions;
}
