import { OpenClawError } from "@openclaw/protocol/base";
import { ProviderError } from "@openclaw/protocol/model";
import type { ChatErrorKind } from "../bus/event-bus.js";
import { AllModelsFailedError } from "../models/failover.js";
import { ModelRefError } from "../models/model-ref.js";
import { ProviderUnavailableError } from "../models/provider-registry.js";
import { StreamInterruptedError } from "./model-stream.js";
import { type AssistantMessage, emptyUsage } from "./transcript.js";
import type { TurnEmitter } from "./turn-events.js";
import type { RuntimeDeps, TurnInput, TurnOutcome, TurnProgress } from "./turn-state.js";

function chatErrorKind(error: unknown): ChatErrorKind {
  const kind = ProviderError.isInstance(error)
    ? error.kind
    : error instanceof AllModelsFailedError
      ? error.kind
      : error instanceof StreamInterruptedError
        ? error.cause.kind
        : undefined;
  switch (kind) {
    case "refusal":
      return "refusal";
    case "timeout":
      return "timeout";
    case "rate_limit":
      return "rate_limit";
    case "context_length":
      return "context_length";
    default:
      return "unknown";
  }
}

function errorCode(error: unknown): string {
  if (error && typeof error === "object" && typeof (error as { code?: unknown }).code === "string")
    return (error as { code: string }).code;
  return "INTERNAL";
}

/** What the user reads when a turn fails. */
function userMessageOf(error: unknown): string {
  if (
    error instanceof AllModelsFailedError ||
    error instanceof ProviderUnavailableError ||
    error instanceof ModelRefError
  )
    return error.message;
  if (ProviderError.isInstance(error)) {
    if (error.kind === "refusal")
      return `The model declined to answer: ${error.providerMessage ?? error.message}`;
    if (error.kind === "invalid_request")
      return `The model provider rejected the request: ${error.providerMessage ?? error.message}`;
    if (error.kind === "context_length")
      return "The conversation is too long for the model even after compacting. Start a new session with /new.";
    return `Model error (${error.kind}): ${error.providerMessage ?? error.message}`;
  }
  if (error instanceof StreamInterruptedError) return `${error.message}. The partial answer was kept.`;
  // the runtime's own refusals (e.g. images for a model without image input) say what to do
  if (OpenClawError.isInstance(error)) return error.message;
  return `Something went wrong while answering: ${(error as Error)?.message ?? String(error)}`;
}

/** The run's own time limit (`agents.defaults.timeoutSeconds`), as the error a user reads. */
function asTimeout(error: unknown, timeoutMs: number): unknown {
  const partial = error instanceof StreamInterruptedError ? error.partial : undefined;
  const timeout = new ProviderError(
    "timeout",
    `The run took longer than ${timeoutMs / 1000} s (agents.defaults.timeoutSeconds) and was stopped.`,
  );
  return partial ? new StreamInterruptedError(timeout, partial) : timeout;
}

/** Text of an assistant message. */
const messageText = (message: AssistantMessage) =>
  message.content.map((block) => (block.type === "text" ? block.text : "")).join("");

/**
 * End a turn that threw: an abort keeps the partial answer (transcript, `aborted` events); any
 * other error is recorded in the transcript as an error message and reported as `error`.
 */
export async function failTurn(
  context: { deps: RuntimeDeps; input: TurnInput; events: TurnEmitter; progress: TurnProgress },
  thrown: unknown,
  limits: { timeoutSignal: AbortSignal; timeoutMs: number },
): Promise<TurnOutcome> {
  const { deps, input, events, progress } = context;
  const { runId } = input;
  const error =
    !input.signal.aborted && limits.timeoutSignal.aborted ? asTimeout(thrown, limits.timeoutMs) : thrown;
  const partial = error instanceof StreamInterruptedError ? error.partial : undefined;
  const aborted =
    input.signal.aborted ||
    (ProviderError.isInstance(error) && error.kind === "aborted") ||
    (error instanceof StreamInterruptedError && error.cause.kind === "aborted");
  if (aborted) {
    const partialText = partial ? messageText(partial) : progress.finalText;
    await events.record({ type: "aborted", text: partialText, partial });
    return { runId, status: "aborted", text: partialText, silent: false, model: progress.usedModel };
  }
  const message = userMessageOf(error);
  const kind = chatErrorKind(error);
  const code = errorCode(error);
  const [provider = "unknown", ...rest] = (progress.usedModel ?? "unknown/unknown").split("/");
  const entry: AssistantMessage = partial ?? {
    role: "assistant",
    content: [],
    provider,
    model: rest.join("/") || "unknown",
    usage: emptyUsage(),
    stopReason: "error",
    timestamp: deps.now(),
  };
  entry.stopReason = "error";
  entry.errorMessage = message;
  await events.record({ type: "error", code, kind, message, entry });
  return {
    runId,
    status: "error",
    text: message,
    silent: false,
    model: progress.usedModel,
    error: { code, kind, message },
  };
}
