export type { BuiltinProviderId } from "./builtin-providers.js";
export {
  BUILTIN_PROVIDERS,
  getBuiltinProvider,
  PROVIDER_ID_ALIASES,
  resolveConfigApiKey,
} from "./builtin-providers.js";
export type {
  EmbeddingModelV1,
  EmbeddingModelV1CallOptions,
  EmbeddingModelV1Result,
} from "./embedding-model-v1.js";
export type { LanguageModelV1, LanguageModelV1StreamResult } from "./language-model-v1.js";
export { isLanguageModelV1, iterateStreamParts } from "./language-model-v1.js";
export type { LanguageModelV1CallOptions } from "./language-model-v1-call-options.js";
export type {
  LanguageModelV1AssistantMessage,
  LanguageModelV1ImagePart,
  LanguageModelV1Message,
  LanguageModelV1ReasoningPart,
  LanguageModelV1TextPart,
  LanguageModelV1ToolCallPart,
  LanguageModelV1ToolMessage,
  LanguageModelV1ToolResultPart,
  LanguageModelV1UserMessage,
} from "./language-model-v1-prompt.js";
export type {
  LanguageModelV1FinishReason,
  LanguageModelV1StreamPart,
  LanguageModelV1StreamPartType,
  LanguageModelV1Usage,
  LanguageModelV1Warning,
} from "./language-model-v1-stream-part.js";
export type {
  JSONSchema,
  LanguageModelV1FunctionTool,
  LanguageModelV1ToolChoice,
} from "./language-model-v1-tool.js";
export type { ModelInfo } from "./model-info.js";
export type {
  BuiltinProvider,
  ModelApi,
  ModelProviderConfig,
  ProviderConfigOverrides,
} from "./model-provider-config.js";
export { MODEL_APIS } from "./model-provider-config.js";
export type { ModelProviderV1 } from "./model-provider-v1.js";
export { isModelProviderV1 } from "./model-provider-v1.js";
export type { ProviderErrorKind, ProviderErrorOptions } from "./provider-error.js";
export { PROVIDER_ERROR_KINDS, ProviderError, parseRetryAfter } from "./provider-error.js";
export type { ProviderMetadata, ProviderOptions } from "./provider-options.js";
export type { ThinkingLevel } from "./thinking-level.js";
export { isThinkingLevel, THINKING_LEVELS } from "./thinking-level.js";
