import type { LanguageModelV1CallOptions } from "./language-model-v1-call-options.js";
import type { LanguageModelV1StreamPart } from "./language-model-v1-stream-part.js";

export interface LanguageModelV1StreamResult {
  stream: ReadableStream<LanguageModelV1StreamPart> | AsyncIterable<LanguageModelV1StreamPart>;
  /** What was sent (for debugging and transcripts); never contains credentials. */
  request?: { body?: unknown };
  response?: { headers?: Record<string, string> };
}

/**
 * A language model as the agent loop sees it (specification v1).
 *
 * `doStream` rejects with a {@link ProviderError} when the call fails before any output (HTTP
 * error status, network failure, missing API key, abort before the response). Failures after the
 * stream started arrive as an `error` part.
 */
export interface LanguageModelV1 {
  readonly specificationVersion: "v1";
  /** Provider id as used in model refs (`openai`, `anthropic`, `my-vllm`...). */
  readonly provider: string;
  readonly modelId: string;
  doStream(options: LanguageModelV1CallOptions): PromiseLike<LanguageModelV1StreamResult>;
}

export function isLanguageModelV1(value: unknown): value is LanguageModelV1 {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { specificationVersion?: unknown }).specificationVersion === "v1" &&
    typeof (value as { doStream?: unknown }).doStream === "function"
  );
}

/** Iterate a stream result whichever form it has (ReadableStream or AsyncIterable). */
export async function* iterateStreamParts(
  stream: LanguageModelV1StreamResult["stream"],
): AsyncGenerator<LanguageModelV1StreamPart> {
  if (Symbol.asyncIterator in stream) {
    yield* stream as AsyncIterable<LanguageModelV1StreamPart>;
    return;
  }
  const reader = (stream as ReadableStream<LanguageModelV1StreamPart>).getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
