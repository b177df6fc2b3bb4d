/** Version of @openclaw/providers-anthropic, injected at build time. */
export const VERSION: string =
  typeof __OPENCLAW_VERSION__ === "string" ? __OPENCLAW_VERSION__ : "0.0.0-source";
export type { AnthropicCallOptions } from "./anthropic-messages-language-model.js";
export {
  ANTHROPIC_THINKING_BUDGETS,
  ANTHROPIC_VERSION,
  AnthropicMessagesLanguageModel,
  toAnthropicMessages,
} from "./anthropic-messages-language-model.js";
export type { AnthropicProvider, AnthropicProviderOptions } from "./anthropic-provider.js";
export { ANTHROPIC_DEFAULT_BASE_URL, anthropic, createAnthropic, fromConfig } from "./anthropic-provider.js";
