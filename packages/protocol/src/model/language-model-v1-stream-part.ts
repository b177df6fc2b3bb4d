import type { ProviderError } from "./provider-error.js";
import type { ProviderMetadata } from "./provider-options.js";

export type LanguageModelV1FinishReason =
  | "stop"
  | "length"
  | "tool-calls"
  | "content-filter"
  | "error"
  | "other"
  | "unknown";

export interface LanguageModelV1Usage {
  /** Prompt tokens, including cached ones. 0 when the provider did not report it. */
  inputTokens: number;
  /** Completion tokens, including reasoning ones. 0 when not reported. */
  outputTokens: number;
  reasoningTokens?: number;
  /** Prompt tokens served from the provider's prompt cache. */
  cacheReadTokens?: number;
  /** Prompt tokens written to the provider's prompt cache. */
  cacheWriteTokens?: number;
}

export interface LanguageModelV1Warning {
  type: "unsupported-setting" | "other";
  setting?: string;
  message: string;
}

/**
 * One event of a model's streamed answer. Order contract:
 * - `stream-start` first;
 * - `text-*`, `reasoning-*` and `tool-input-*` blocks each open with `-start`, carry `-delta`s and
 *   close with `-end`, keyed by `id` (blocks may interleave);
 * - `tool-call` follows its `tool-input-end` and carries the complete arguments JSON text;
 * - the stream ends with either `finish` (success) or an `error` part as its last part (fatal:
 *   disconnect, abort, server error event, malformed stream).
 */
export type LanguageModelV1StreamPart =
  | { type: "stream-start"; warnings: LanguageModelV1Warning[] }
  | { type: "response-metadata"; id?: string; modelId?: string }
  | { type: "text-start"; id: string }
  | { type: "text-delta"; id: string; delta: string }
  | { type: "text-end"; id: string }
  | { type: "reasoning-start"; id: string; providerMetadata?: ProviderMetadata }
  | { type: "reasoning-delta"; id: string; delta: string }
  | { type: "reasoning-end"; id: string; providerMetadata?: ProviderMetadata }
  | { type: "tool-input-start"; id: string; toolName: string }
  | { type: "tool-input-delta"; id: string; delta: string }
  | { type: "tool-input-end"; id: string }
  | {
      type: "tool-call";
      toolCallId: string;
      toolName: string;
      /** Complete arguments as JSON text, as the model produced them (`"{}"` when it sent none). */
      input: string;
      /**
       * Set when `input` is not valid JSON: a clear message naming the tool. The agent should answer
       * this call with an error tool-result (so the model can retry), not run the tool.
       */
      inputError?: string;
      providerMetadata?: ProviderMetadata;
    }
  | {
      type: "finish";
      finishReason: LanguageModelV1FinishReason;
      usage: LanguageModelV1Usage;
      providerMetadata?: ProviderMetadata;
    }
  | { type: "error"; error: ProviderError };

export type LanguageModelV1StreamPartType = LanguageModelV1StreamPart["type"];
