import type {
  LanguageModelV1,
  LanguageModelV1CallOptions,
  LanguageModelV1FinishReason,
  LanguageModelV1Message,
  LanguageModelV1StreamPart,
  LanguageModelV1StreamResult,
  LanguageModelV1Usage,
} from "@openclaw/protocol";
import { ProviderError } from "@openclaw/protocol/model";
import {
  checkToolInput,
  classifyHttpStatus,
  incompleteStreamError,
  parseEventData,
  readServerSentEvents,
  sendRequest,
  streamResponse,
  TextAndReasoningBlocks,
  toolCallPart,
} from "@openclaw/providers-utils";
import { parseOpenAIError } from "./openai-error.js";
import { imageUrl, type OpenAIModelConfig, reasoningEffort, requestHeaders } from "./openai-shared.js";

/** A model served through the Chat Completions API (`POST /chat/completions`, SSE). */
export class OpenAIChatLanguageModel implements LanguageModelV1 {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;

  constructor(
    readonly modelId: string,
    private readonly config: OpenAIModelConfig,
  ) {
    this.provider = config.provider;
  }

  /** The request body this model sends for these options (exposed for tests and debugging). */
  buildRequestBody(options: LanguageModelV1CallOptions): Record<string, unknown> {
    const body: Record<string, unknown> = {
      model: this.modelId,
      messages: toChatMessages(options.system, options.messages),
      stream: true,
      stream_options: { include_usage: true },
    };
    if (options.maxOutputTokens !== undefined) {
      body[this.config.isOfficialOpenAI ? "max_completion_tokens" : "max_tokens"] = options.maxOutputTokens;
    }
    if (options.temperature !== undefined) body.temperature = options.temperature;
    if (options.topP !== undefined) body.top_p = options.topP;
    if (options.stopSequences?.length) body.stop = options.stopSequences;
    const effort = reasoningEffort(options.thinking);
    if (effort) body.reasoning_effort = effort;
    if (options.tools?.length) {
      body.tools = options.tools.map((tool) => ({
        type: "function",
        function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
      }));
      const choice = options.toolChoice;
      if (choice) {
        body.tool_choice =
          choice.type === "tool" ? { type: "function", function: { name: choice.toolName } } : choice.type;
      }
    }
    const extra = options.providerOptions?.openai;
    if (extra && typeof extra.body === "object" && extra.body !== null) Object.assign(body, extra.body);
    return body;
  }

  async doStream(options: LanguageModelV1CallOptions): Promise<LanguageModelV1StreamResult> {
    const body = this.buildRequestBody(options);
    const provider = this.provider;
    const response = await sendRequest({
      provider,
      url: `${this.config.baseURL}/chat/completions`,
      headers: requestHeaders(this.config, options),
      body,
      fetch: this.config.fetch,
      abortSignal: options.abortSignal,
      parseError: parseOpenAIError,
      envVars: this.config.envVars,
    });
    return streamResponse(response, body, { provider, abortSignal: options.abortSignal }, (responseBody) =>
      parseChatStream(responseBody, provider),
    );
  }
}

interface ChatChunk {
  id?: string;
  model?: string;
  error?: { message?: string; code?: string | number; type?: string };
  choices?: Array<{
    delta?: {
      content?: string | null;
      reasoning_content?: string | null;
      reasoning?: string | null;
      refusal?: string | null;
      tool_calls?: Array<{ index?: number; id?: string; function?: { name?: string; arguments?: string } }>;
    };
    finish_reason?: string | null;
  }>;
  usage?: ChatUsage | null;
  x_groq?: { usage?: ChatUsage };
}

interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

async function* parseChatStream(
  body: ReadableStream<Uint8Array>,
  provider: string,
): AsyncGenerator<LanguageModelV1StreamPart> {
  yield { type: "stream-start", warnings: [] };
  let metadataSent = false;
  const blocks = new TextAndReasoningBlocks();
  let refusal = false;
  let finishReason: string | undefined;
  let sawDone = false;
  let usage: LanguageModelV1Usage = { inputTokens: 0, outputTokens: 0 };
  const toolCalls = new Map<number, { id: string; name: string; arguments: string }>();

  for await (const event of readServerSentEvents(body)) {
    if (event.data.trim() === "[DONE]") {
      sawDone = true;
      break;
    }
    const chunk = parseEventData(event.data, provider) as ChatChunk;
    if (chunk.error) {
      const code = chunk.error.code === undefined ? chunk.error.type : String(chunk.error.code);
      const status = typeof chunk.error.code === "number" ? chunk.error.code : 500;
      const kind = classifyHttpStatus(status, { message: chunk.error.message, code });
      throw new ProviderError(kind, `${provider} stream error: ${chunk.error.message ?? code ?? "unknown"}`, {
        provider,
        providerMessage: chunk.error.message,
        providerCode: code,
      });
    }
    if (!metadataSent && (chunk.id || chunk.model)) {
      metadataSent = true;
      yield { type: "response-metadata", id: chunk.id, modelId: chunk.model };
    }
    const chunkUsage = chunk.usage ?? chunk.x_groq?.usage;
    if (chunkUsage) usage = toUsage(chunkUsage);
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    const delta = choice.delta ?? {};
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (reasoning) yield* blocks.reasoningDelta(reasoning);
    const text = delta.content ?? delta.refusal;
    if (delta.refusal) refusal = true;
    if (text) yield* blocks.textDelta(text);
    for (const call of delta.tool_calls ?? []) {
      const index = call.index ?? toolCalls.size;
      let state = toolCalls.get(index);
      if (!state) {
        state = { id: call.id ?? `call_${index}`, name: call.function?.name ?? "", arguments: "" };
        toolCalls.set(index, state);
        yield { type: "tool-input-start", id: state.id, toolName: state.name };
      } else if (call.function?.name && !state.name) {
        state.name = call.function.name;
      }
      const fragment = call.function?.arguments;
      if (fragment) {
        state.arguments += fragment;
        yield { type: "tool-input-delta", id: state.id, delta: fragment };
      }
    }
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }

  if (!sawDone && finishReason === undefined) throw incompleteStreamError(provider);
  yield* blocks.end();
  for (const call of toolCalls.values()) {
    yield { type: "tool-input-end", id: call.id };
    const checked = checkToolInput(call.arguments, { toolName: call.name, toolCallId: call.id, provider });
    yield toolCallPart(call.id, call.name, checked);
  }
  yield {
    type: "finish",
    finishReason: refusal ? "content-filter" : mapFinishReason(finishReason, toolCalls.size > 0),
    usage,
  };
}

function toUsage(usage: ChatUsage): LanguageModelV1Usage {
  const result: LanguageModelV1Usage = {
    inputTokens: usage.prompt_tokens ?? 0,
    outputTokens: usage.completion_tokens ?? 0,
  };
  const cached = usage.prompt_tokens_details?.cached_tokens;
  if (cached) result.cacheReadTokens = cached;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (reasoning) result.reasoningTokens = reasoning;
  return result;
}

function mapFinishReason(reason: string | undefined, hasToolCalls: boolean): LanguageModelV1FinishReason {
  switch (reason) {
    case "stop":
      return hasToolCalls ? "tool-calls" : "stop";
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool-calls";
    case "content_filter":
      return "content-filter";
    case undefined:
      return hasToolCalls ? "tool-calls" : "unknown";
    default:
      return "other";
  }
}

/** Convert spec messages to Chat Completions messages. */
export function toChatMessages(system: string | undefined, messages: LanguageModelV1Message[]): unknown[] {
  const out: unknown[] = [];
  if (system) out.push({ role: "system", content: system });
  for (const message of messages) {
    if (message.role === "user") {
      const onlyText = message.content.every((part) => part.type === "text");
      out.push({
        role: "user",
        content: onlyText
          ? message.content.map((part) => (part.type === "text" ? part.text : "")).join("")
          : message.content.map((part) =>
              part.type === "text"
                ? { type: "text", text: part.text }
                : { type: "image_url", image_url: { url: imageUrl(part.data, part.mediaType) } },
            ),
      });
    } else if (message.role === "assistant") {
      let text = "";
      const toolCalls: unknown[] = [];
      for (const part of message.content) {
        if (part.type === "text") text += part.text;
        else if (part.type === "tool-call") {
          toolCalls.push({
            id: part.toolCallId,
            type: "function",
            function: { name: part.toolName, arguments: JSON.stringify(part.input ?? {}) },
          });
        }
      }
      out.push({
        role: "assistant",
        content: text === "" && toolCalls.length > 0 ? null : text,
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      });
    } else {
      for (const part of message.content) {
        out.push({ role: "tool", tool_call_id: part.toolCallId, content: part.output });
      }
    }
  }
  return out;
}
