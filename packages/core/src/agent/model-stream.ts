import {
  iterateStreamParts,
  type LanguageModelV1,
  type LanguageModelV1CallOptions,
  type LanguageModelV1FinishReason,
  type LanguageModelV1StreamPart,
  type LanguageModelV1Usage,
  type ModelInfo,
  ProviderError,
} from "@openclaw/protocol/model";
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

/** Tool-call arguments as an object, or why they are unusable. */
function parseToolArguments(input: string | undefined): {
  args: Record<string, unknown>;
  parseError?: string;
} {
  try {
    const parsed = JSON.parse(input || "{}") as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      return { args: parsed as Record<string, unknown> };
    return { args: {}, parseError: "tool arguments must be a JSON object" };
  } catch (error) {
    return { args: {}, parseError: `tool arguments are not valid JSON (${(error as Error).message})` };
  }
}

/** Collects the parts of one model stream into the blocks of an assistant message. */
class ReplyCollector {
  readonly order: (TextBlock | ThinkingBlock | ToolCallBlock)[] = [];
  readonly toolCalls: ModelToolCall[] = [];
  readonly warnings: string[] = [];
  finish: { reason: LanguageModelV1FinishReason; usage: LanguageModelV1Usage } | undefined;
  /** The stream's error, cleared by any later part (a provider may recover). */
  fatal: ProviderError | undefined;
  /** All text streamed so far. */
  emittedText = "";
  private readonly texts = new Map<string, TextBlock>();
  private readonly thinking = new Map<string, ThinkingBlock>();
  private readonly toolInputs = new Map<string, { name: string; text: string; done: boolean }>();

  constructor(private readonly handlers: StreamHandlers) {}

  accept(part: LanguageModelV1StreamPart): void {
    this.fatal = undefined;
    switch (part.type) {
      case "text-start":
      case "text-delta":
        this.text(part.id, part.type === "text-delta" ? part.delta : undefined);
        return;
      case "reasoning-start":
      case "reasoning-delta":
        this.reasoning(part.id, part.type === "reasoning-delta" ? part.delta : undefined);
        return;
      case "reasoning-end": {
        const signature = part.providerMetadata?.anthropic?.signature;
        const block = this.thinking.get(part.id);
        if (block && typeof signature === "string") block.thinkingSignature = signature;
        return;
      }
      case "tool-input-start":
        this.toolInputs.set(part.id, { name: part.toolName, text: "", done: false });
        this.handlers.onToolInputStart?.(part.id, part.toolName);
        return;
      case "tool-input-delta": {
        const input = this.toolInputs.get(part.id);
        if (input) input.text += part.delta;
        return;
      }
      case "tool-call":
        this.toolCall(part.toolCallId, part.toolName, part.input);
        return;
      case "finish":
        this.finish = { reason: part.finishReason, usage: part.usage };
        return;
      case "error":
        this.fatal = ProviderError.isInstance(part.error)
          ? part.error
          : new ProviderError(
              "invalid_response",
              `Malformed error part from the model stream: ${String((part as { error?: unknown }).error)}`,
            );
        this.warnings.push(this.fatal.message);
        return;
      default:
        return;
    }
  }

  private text(id: string, delta: unknown) {
    let block = this.texts.get(id);
    if (!block) {
      block = { type: "text", text: "" };
      this.texts.set(id, block);
      this.order.push(block);
    }
    if (typeof delta === "string" && delta) {
      block.text += delta;
      this.emittedText += delta;
      this.handlers.onTextDelta?.(delta, this.emittedText);
    }
  }

  private reasoning(id: string, delta: unknown) {
    let block = this.thinking.get(id);
    if (!block) {
      block = { type: "thinking", thinking: "" };
      this.thinking.set(id, block);
      this.order.push(block);
    }
    if (typeof delta === "string") {
      block.thinking += delta;
      this.handlers.onReasoningDelta?.(delta);
    }
  }

  private toolCall(id: string, name: string, input: string | undefined) {
    const streamed = this.toolInputs.get(id);
    if (streamed) streamed.done = true;
    const { args, parseError } = parseToolArguments(input);
    this.order.push({ type: "toolCall", id, name, arguments: args });
    this.toolCalls.push({ id, name, arguments: args, parseError });
  }

  /** Tool input that never became a tool call in a finished stream: the arguments were unusable. */
  closeUnfinishedToolInputs(): void {
    for (const [id, input] of this.toolInputs) {
      if (input.done) continue;
      this.order.push({ type: "toolCall", id, name: input.name, arguments: {} });
      this.toolCalls.push({
        id,
        name: input.name,
        arguments: {},
        parseError: "tool arguments are not valid JSON",
      });
    }
  }
}

/** A promise rejected with an `aborted` ProviderError when the signal fires, and its listener's removal. */
function abortRace(signal: AbortSignal | undefined, provider: string) {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    if (!signal) return;
    onAbort = () => reject(new ProviderError("aborted", "The request was aborted", { provider }));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});
  return {
    aborted,
    release: () => {
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    },
  };
}

/** Read every part of the stream into the collector; a failing stream becomes the collector's fatal error. */
async function collectStream(
  stream: Awaited<ReturnType<LanguageModelV1["doStream"]>>["stream"],
  collector: ReplyCollector,
  aborted: Promise<never>,
  context: { provider: string; signal?: AbortSignal },
): Promise<void> {
  try {
    const iterator = iterateStreamParts(stream);
    while (true) {
      let next: IteratorResult<LanguageModelV1StreamPart>;
      try {
        next = await Promise.race([iterator.next(), aborted]);
      } catch (error) {
        void iterator.return(undefined).catch(() => {});
        throw error;
      }
      if (next.done) break;
      if (next.value && typeof next.value === "object") collector.accept(next.value);
    }
  } catch (error) {
    collector.fatal = ProviderError.isInstance(error)
      ? error
      : new ProviderError(
          context.signal?.aborted ? "aborted" : "invalid_response",
          `The model stream failed: ${(error as Error)?.message ?? String(error)}`,
          { provider: context.provider, cause: error },
        );
  }
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
  const { aborted, release } = abortRace(signal, model.provider);
  let result: Awaited<ReturnType<LanguageModelV1["doStream"]>>;
  try {
    result = await Promise.race([model.doStream(options), aborted]);
  } catch (error) {
    release();
    throw error;
  }
  const collector = new ReplyCollector(handlers);
  const message: AssistantMessage = {
    role: "assistant",
    content: collector.order,
    api: meta.api,
    provider: model.provider,
    model: model.modelId,
    usage: emptyUsage(),
    stopReason: "stop",
    timestamp: meta.now(),
  };
  await collectStream(result.stream, collector, aborted, { provider: model.provider, signal });
  if (!collector.fatal && collector.finish && !signal?.aborted) collector.closeUnfinishedToolInputs();
  if (!collector.fatal && !collector.finish && !signal?.aborted)
    collector.fatal = new ProviderError(
      "invalid_response",
      "The model stream ended without a finish event (malformed or truncated stream)",
      { provider: model.provider },
    );
  if (signal?.aborted && !collector.fatal)
    collector.fatal = new ProviderError("aborted", "The run was aborted", { provider: model.provider });
  release();
  const { fatal, finish, toolCalls, warnings } = collector;
  message.usage = toTranscriptUsage(finish?.usage, meta.info);
  if (fatal) {
    message.stopReason = fatal.kind === "aborted" ? "aborted" : "error";
    message.errorMessage = fatal.message;
    if (collector.emittedText || fatal.kind === "aborted") throw new StreamInterruptedError(fatal, message);
    throw fatal;
  }
  message.stopReason = stopReasonOf(finish!.reason, toolCalls.length > 0);
  return { message, toolCalls, finishReason: finish!.reason, warnings };
}
