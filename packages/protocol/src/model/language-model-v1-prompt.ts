import type { ProviderOptions } from "./provider-options.js";

export interface LanguageModelV1TextPart {
  type: "text";
  text: string;
  providerOptions?: ProviderOptions;
}

export interface LanguageModelV1ImagePart {
  type: "image";
  /** Base64 string, raw bytes, or an http(s)/data URL. */
  data: string | Uint8Array | URL;
  /** IANA media type, e.g. `image/png`. Required for base64/bytes data. */
  mediaType?: string;
  providerOptions?: ProviderOptions;
}

export interface LanguageModelV1ReasoningPart {
  type: "reasoning";
  text: string;
  /** Anthropic: the `signature` (or redacted `data`) is in `providerOptions.anthropic`. */
  providerOptions?: ProviderOptions;
}

export interface LanguageModelV1ToolCallPart {
  type: "tool-call";
  toolCallId: string;
  toolName: string;
  /** Parsed arguments (the JSON value the model produced). */
  input: unknown;
  providerOptions?: ProviderOptions;
}

export interface LanguageModelV1ToolResultPart {
  type: "tool-result";
  toolCallId: string;
  toolName: string;
  /** What the tool returned, as text the model reads. */
  output: string;
  /** The tool failed; `output` holds the error text. */
  isError?: boolean;
  providerOptions?: ProviderOptions;
}

export interface LanguageModelV1UserMessage {
  role: "user";
  content: Array<LanguageModelV1TextPart | LanguageModelV1ImagePart>;
  providerOptions?: ProviderOptions;
}

export interface LanguageModelV1AssistantMessage {
  role: "assistant";
  content: Array<LanguageModelV1TextPart | LanguageModelV1ReasoningPart | LanguageModelV1ToolCallPart>;
  providerOptions?: ProviderOptions;
}

export interface LanguageModelV1ToolMessage {
  role: "tool";
  content: LanguageModelV1ToolResultPart[];
  providerOptions?: ProviderOptions;
}

/** One conversation message. The system prompt is a separate call option. */
export type LanguageModelV1Message =
  | LanguageModelV1UserMessage
  | LanguageModelV1AssistantMessage
  | LanguageModelV1ToolMessage;
