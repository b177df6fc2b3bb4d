import {
  iterateStreamParts,
  type LanguageModelV1,
  type LanguageModelV1CallOptions,
  type LanguageModelV1FinishReason,
  type LanguageModelV1StreamPart,
  type LanguageModelV1Usage,
  type ModelInfo,
  ProviderError,
} from "@openclaw/protocol";
import type {
  AssistantMessage,
  StopReason,
  TextBlock,
  ThinkingBlock,
  ToolCallBlock,
  TranscriptUsage,
} from "./transcript.js";
import { emptyUsage } from "./transcript.js";

/** A tool call as the model made it; `parseError` when its arguments were not valid JSON. */
export interface ModelToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
  parseError?: string;
}

export interface StreamedReply {
  message: AssistantMessage;
  toolCalls: ModelToolCall[];
  finishReason: LanguageModelV1FinishReason;
  /** Non-fatal problems the stream reported (e.g. invalid tool-call JSON). */
  warnings: string[];
}

/**
 * The stream failed after text already reached the user: failing over would duplicate output,
 * so this ends the turn with what arrived.
 */
export class StreamInterruptedError extends Error {
  readonly code = "STREAM_INTERRUPTED" as const;
  constructor(
    override readonly cause: ProviderError,
    readonly partial: AssistantMessage,
  ) {
    super(`The model stream broke off: ${cause.message}`);
    this.name = "StreamInterruptedError";
  }
}

export interface StreamHandlers {
  onTextDelta?(delta: string, text: string): void;
  onReasoningDelta?(delta: string): void;
  onToolInputStart?(id: string, toolName: string): void;
}

export function toTranscriptUsage(
  usage: LanguageModelV1Usage | undefined,
  info: ModelInfo | undefined,
): TranscriptUsage {
  const result = emptyUsage();
  if (!usage) return result;
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  result.input = Math.max(0, usage.inputTokens - cacheRead - cacheWrite);
  result.output = usage.outputTokens;
  result.cacheRead = cacheRead;
  result.cacheWrite = cacheWrite;
  result.totalTokens = usage.inputTokens + usage.outputTokens;
  const cost = info?.cost;
  if (cost) {
    result.cost.input = (result.input * (cost.input ?? 0)) / 1e6;
    result.cost.output = (result.output * (cost.output ?? 0)) / 1e6;
    result.cost.cacheRead = (cacheRead * (cost.cacheRead ?? 0)) / 1e6;
    result.cost.cacheWrite = (cacheWrite * (cost.cacheWrite ?? 0)) / 1e6;
    result.cost.total =
      result.cost.input + result.cost.output + result.cost.cacheRead + result.cost.cacheWrite;
  }
  return result;
}

function stopReasonOf(reason: LanguageModelV1FinishReason, hasToolCalls: boolean): StopReason {
  if (hasToolCalls) return "toolUse";
  if (reason === "length") return "length";
  if (reason === "error") return "error";
  return "stop";
}

/**
 * Run one streamed model call and collect it into a transcript assistant message. Rejects with
 * ProviderError when the call fails before any text reached the user (so failover can try the
 * next candidate) and StreamInterruptedError when it fails after.
 */
export async function streamModelReply(
  model: LanguageModelV1,
  options: LanguageModelV1CallOptions,
  handlers: StreamHandlers,
  meta: { api?: string; info?: ModelInfo; now: () => number },
): Promise<StreamedReply> {
  // a provider that ignores the abort signal must not hang the run: race every await with it
  const signal = options.abortSignal;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    if (!signal) return;
    onAbort = () =>
      reject(new ProviderError("aborted", "The request was aborted", { provider: model.provider }));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});
  const release = () => {
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  };
  let result: Awaited<ReturnType<LanguageModelV1["doStream"]>>;
  try {
    result = await Promise.race([model.doStream(options), aborted]);
  } catch (error) {
    release();
    throw error;
  }
  const texts = new Map<string, TextBlock>();
  const thinking = new Map<string, ThinkingBlock>();
  const order: (TextBlock | ThinkingBlock | ToolCallBlock)[] = [];
  const toolInputs = new Map<string, { name: string; text: string; done: boolean }>();
  const toolCalls: ModelToolCall[] = [];
  const warnings: string[] = [];
  let finish: { reason: LanguageModelV1FinishReason; usage: LanguageModelV1Usage } | undefined;
  let fatal: ProviderError | undefined;
  let emittedText = "";
  const message: AssistantMessage = {
    role: "assistant",
    content: order,
    api: meta.api,
    provider: model.provider,
    model: model.modelId,
    usage: emptyUsage(),
    stopReason: "stop",
    timestamp: meta.now(),
  };
  try {
    const iterator = iterateStreamParts(result.stream);
    while (true) {
      let next: IteratorResult<LanguageModelV1StreamPart>;
      try {
        next = await Promise.race([iterator.next(), aborted]);
      } catch (error) {
        void iterator.return(undefined).catch(() => {});
        throw error;
      }
      if (next.done) break;
      const part = next.value;
      if (!part || typeof part !== "object") continue;
      fatal = undefined;
      switch (part.type) {
        case "text-start":
        case "text-delta": {
          let block = texts.get(part.id);
          if (!block) {
            block = { type: "text", text: "" };
            texts.set(part.id, block);
            order.push(block);
          }
          if (part.type === "text-delta" && typeof part.delta === "string" && part.delta) {
            block.text += part.delta;
            emittedText += part.delta;
            handlers.onTextDelta?.(part.delta, emittedText);
          }
          break;
        }
        case "reasoning-start":
        case "reasoning-delta": {
          let block = thinking.get(part.id);
          if (!block) {
            block = { type: "thinking", thinking: "" };
            thinking.set(part.id, block);
            order.push(block);
          }
          if (part.type === "reasoning-delta" && typeof part.delta === "string") {
            block.thinking += part.delta;
            handlers.onReasoningDelta?.(part.delta);
          }
          break;
        }
        case "reasoning-end": {
          const signature = part.providerMetadata?.anthropic?.signature;
          const block = thinking.get(part.id);
          if (block && typeof signature === "string") block.thinkingSignature = signature;
          break;
        }
        case "tool-input-start":
          toolInputs.set(part.id, { name: part.toolName, text: "", done: false });
          handlers.onToolInputStart?.(part.id, part.toolName);
          break;
        case "tool-input-delta": {
          const input = toolInputs.get(part.id);
          if (input) input.text += part.delta;
          break;
        }
        case "tool-call": {
          const input = toolInputs.get(part.toolCallId);
          if (input) input.done = true;
          let args: Record<string, unknown> = {};
          let parseError: string | undefined;
          try {
            const parsed = JSON.parse(part.input || "{}") as unknown;
            if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
              args = parsed as Record<string, unknown>;
            else parseError = "tool arguments must be a JSON object";
          } catch (error) {
            parseError = `tool arguments are not valid JSON (${(error as Error).message})`;
          }
          const block: ToolCallBlock = {
            type: "toolCall",
            id: part.toolCallId,
            name: part.toolName,
            arguments: args,
          };
          order.push(block);
          toolCalls.push({ id: part.toolCallId, name: part.toolName, arguments: args, parseError });
          break;
        }
        case "finish":
          finish = { reason: part.finishReason, usage: part.usage };
          break;
        case "error":
          if (ProviderError.isInstance(part.error)) {
            fatal = part.error;
            warnings.push(part.error.message);
          } else {
            fatal = new ProviderError(
              "invalid_response",
              `Malformed error part from the model stream: ${String((part as { error?: unknown }).error)}`,
            );
            warnings.push(fatal.message);
          }
          break;
        default:
          break;
      }
    }
  } catch (error) {
    fatal = ProviderError.isInstance(error)
      ? error
      : new ProviderError(
          options.abortSignal?.aborted ? "aborted" : "invalid_response",
          `The model stream failed: ${(error as Error)?.message ?? String(error)}`,
          {
            provider: model.provider,
            cause: error,
          },
        );
  }
  // tool input that never became a tool-call in a finished stream: the arguments were unusable
  for (const [id, input] of toolInputs) {
    if (input.done || fatal || !finish || options.abortSignal?.aborted) continue;
    order.push({ type: "toolCall", id, name: input.name, arguments: {} });
    toolCalls.push({ id, name: input.name, arguments: {}, parseError: "tool arguments are not valid JSON" });
  }
  if (!fatal && !finish && !options.abortSignal?.aborted)
    fatal = new ProviderError(
      "invalid_response",
      "The model stream ended without a finish event (malformed or truncated stream)",
      {
        provider: model.provider,
      },
    );
  if (options.abortSignal?.aborted && !fatal)
    fatal = new ProviderError("aborted", "The run was aborted", { provider: model.provider });
  release();
  message.usage = toTranscriptUsage(finish?.usage, meta.info);
  if (fatal) {
    message.stopReason = fatal.kind === "aborted" ? "aborted" : "error";
    message.errorMessage = fatal.message;
    if (emittedText || fatal.kind === "aborted") throw new StreamInterruptedError(fatal, message);
    throw fatal;
  }
  message.stopReason = stopReasonOf(finish!.reason, toolCalls.length > 0);
  return { message, toolCalls, finishReason: finish!.reason, warnings };
}
