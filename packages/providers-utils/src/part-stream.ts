import {
  type LanguageModelV1StreamPart,
  type LanguageModelV1StreamResult,
  ProviderError,
} from "@openclaw/protocol/model";
import { toProviderError } from "./http.js";

/**
 * Turn a part generator into the spec's ReadableStream. A throw inside the generator becomes a
 * final `error` part (aborted / timeout / network / the ProviderError thrown), never a rejected
 * read, so consumers see every failure in-band. Cancelling the stream stops the generator, which
 * releases the HTTP body.
 */
export function createPartStream(
  generate: () => AsyncGenerator<LanguageModelV1StreamPart>,
  options: { provider: string; abortSignal?: AbortSignal },
): ReadableStream<LanguageModelV1StreamPart> {
  const iterator = generate();
  return new ReadableStream<LanguageModelV1StreamPart>({
    async pull(controller) {
      // Once the caller aborted, no further parts: buffered data must not look like a completed answer.
      if (options.abortSignal?.aborted) {
        controller.enqueue({
          type: "error",
          error: toProviderError(
            options.abortSignal.reason ?? new Error("aborted"),
            options.provider,
            options.abortSignal,
          ),
        });
        controller.close();
        await iterator.return(undefined).catch(() => {});
        return;
      }
      try {
        const { done, value } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.enqueue({
          type: "error",
          error: toProviderError(error, options.provider, options.abortSignal),
        });
        controller.close();
      }
    },
    async cancel() {
      await iterator.return(undefined);
    },
  });
}

/** The error for a stream that ended before the vendor's completion event. */
export function incompleteStreamError(provider: string): ProviderError {
  return new ProviderError(
    "network",
    `${provider} stream ended before the response was complete (connection lost?)`,
    {
      provider,
    },
  );
}

/**
 * Validate complete tool-call arguments. Empty text means "no arguments" (`{}`); text that is not
 * JSON yields an `invalid_response` error naming the tool (its message goes into the tool-call
 * part's `inputError`, so the agent answers the call with an error and the model can retry).
 */
export function checkToolInput(
  rawInput: string,
  tool: { toolName: string; toolCallId: string; provider: string },
): { ok: true; input: string } | { ok: false; input: string; error: ProviderError } {
  const text = rawInput.trim() === "" ? "{}" : rawInput;
  try {
    JSON.parse(text);
    return { ok: true, input: text };
  } catch (cause) {
    return {
      ok: false,
      input: text,
      error: new ProviderError(
        "invalid_response",
        `The model called tool "${tool.toolName}" with arguments that are not valid JSON: ${text.slice(0, 200)}`,
        {
          provider: tool.provider,
          cause,
          details: {
            kind: "invalid_response",
            toolCallId: tool.toolCallId,
            toolName: tool.toolName,
            rawInput: text,
          },
        },
      ),
    };
  }
}

/** Sequential ids for text/reasoning blocks within one stream. */
export function createIdGenerator(prefix: string): () => string {
  let next = 0;
  return () => `${prefix}-${next++}`;
}

/** The spec's `tool-call` part for checked arguments (`inputError` set when they are not JSON). */
export function toolCallPart(
  toolCallId: string,
  toolName: string,
  checked: ReturnType<typeof checkToolInput>,
  providerMetadata?: Record<string, Record<string, unknown>>,
): Extract<LanguageModelV1StreamPart, { type: "tool-call" }> {
  return {
    type: "tool-call",
    toolCallId,
    toolName,
    input: checked.input,
    ...(checked.ok ? {} : { inputError: checked.error.message }),
    ...(providerMetadata ? { providerMetadata } : {}),
  };
}

/**
 * The common end of every `doStream`: an HTTP response whose body a vendor parser turns into parts.
 * A response without a body is a server error; the request body and response headers ride along.
 */
export function streamResponse(
  response: Response,
  requestBody: unknown,
  options: { provider: string; abortSignal?: AbortSignal },
  parse: (body: ReadableStream<Uint8Array>) => AsyncGenerator<LanguageModelV1StreamPart>,
): LanguageModelV1StreamResult {
  const responseBody = response.body;
  if (!responseBody)
    throw new ProviderError("server", `${options.provider} returned an empty body`, {
      provider: options.provider,
    });
  const stream = createPartStream(() => parse(responseBody), options);
  return {
    stream,
    request: { body: requestBody },
    response: { headers: Object.fromEntries(response.headers) },
  };
}

/**
 * The one text block and one reasoning block of a vendor stream that has no block ids of its own
 * (Chat Completions, Gemini, Ollama): a block opens on its first delta, text (or a tool call)
 * closes the reasoning, and {@link end} closes whatever is still open.
 */
export class TextAndReasoningBlocks {
  private textOpen = false;
  private reasoningOpen = false;

  *reasoningDelta(delta: string): Generator<LanguageModelV1StreamPart> {
    if (!this.reasoningOpen) {
      this.reasoningOpen = true;
      yield { type: "reasoning-start", id: "reasoning-0" };
    }
    yield { type: "reasoning-delta", id: "reasoning-0", delta };
  }

  *textDelta(delta: string): Generator<LanguageModelV1StreamPart> {
    yield* this.endReasoning();
    if (!this.textOpen) {
      this.textOpen = true;
      yield { type: "text-start", id: "text-0" };
    }
    yield { type: "text-delta", id: "text-0", delta };
  }

  *endReasoning(): Generator<LanguageModelV1StreamPart> {
    if (!this.reasoningOpen) return;
    this.reasoningOpen = false;
    yield { type: "reasoning-end", id: "reasoning-0" };
  }

  *end(): Generator<LanguageModelV1StreamPart> {
    yield* this.endReasoning();
    if (!this.textOpen) return;
    this.textOpen = false;
    yield { type: "text-end", id: "text-0" };
  }
}
