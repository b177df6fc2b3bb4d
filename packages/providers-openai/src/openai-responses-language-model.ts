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
  toolCallPart,
} from "@openclaw/providers-utils";
import { parseOpenAIError } from "./openai-error.js";
import { imageUrl, type OpenAIModelConfig, reasoningEffort, requestHeaders } from "./openai-shared.js";

/** A model served through the Responses API (`POST /responses`, SSE, stateless `store: false`). */
export class OpenAIResponsesLanguageModel implements LanguageModelV1 {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;

  constructor(
    readonly modelId: string,
    private readonly config: OpenAIModelConfig,
  ) {
    this.provider = config.provider;
  }

  buildRequestBody(options: LanguageModelV1CallOptions): Record<string, unknown> {
    const body: Record<string, unknown> = {
      model: this.modelId,
      input: toResponsesInput(options.messages),
      stream: true,
      store: false,
    };
    if (options.system) body.instructions = options.system;
    if (options.maxOutputTokens !== undefined) body.max_output_tokens = options.maxOutputTokens;
    if (options.temperature !== undefined) body.temperature = options.temperature;
    if (options.topP !== undefined) body.top_p = options.topP;
    const effort = reasoningEffort(options.thinking);
    if (effort) {
      body.reasoning = { effort, summary: "auto" };
      // Stateless: reasoning items come back encrypted so the next turn can replay them.
      body.include = ["reasoning.encrypted_content"];
    }
    if (options.tools?.length) {
      body.tools = options.tools.map((tool) => ({
        type: "function",
        name: tool.name,
        description: tool.description,
        parameters: tool.inputSchema,
        strict: false,
      }));
      const choice = options.toolChoice;
      if (choice)
        body.tool_choice = choice.type === "tool" ? { type: "function", name: choice.toolName } : choice.type;
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
      url: `${this.config.baseURL}/responses`,
      headers: requestHeaders(this.config, options),
      body,
      fetch: this.config.fetch,
      abortSignal: options.abortSignal,
      parseError: parseOpenAIError,
      envVars: this.config.envVars,
    });
    return streamResponse(response, body, { provider, abortSignal: options.abortSignal }, (responseBody) =>
      parseResponsesStream(responseBody, provider),
    );
  }
}

interface ResponsesEvent {
  type: string;
  item_id?: string;
  output_index?: number;
  summary_index?: number;
  delta?: string;
  item?: {
    id?: string;
    type?: string;
    call_id?: string;
    name?: string;
    arguments?: string;
    encrypted_content?: string | null;
  };
  response?: {
    id?: string;
    model?: string;
    status?: string;
    error?: { code?: string; message?: string } | null;
    incomplete_details?: { reason?: string } | null;
    usage?: {
      input_tokens?: number;
      output_tokens?: number;
      input_tokens_details?: { cached_tokens?: number };
      output_tokens_details?: { reasoning_tokens?: number };
    } | null;
  };
  code?: string;
  message?: string;
}

function streamFailure(
  provider: string,
  code: string | undefined,
  message: string | undefined,
): ProviderError {
  const status = /rate_limit/.test(code ?? "") ? 429 : /invalid|context/.test(code ?? "") ? 400 : 500;
  return new ProviderError(
    classifyHttpStatus(status, { code, message }),
    `${provider} response failed: ${message ?? code ?? "unknown error"}`,
    { provider, providerCode: code, providerMessage: message },
  );
}

async function* parseResponsesStream(
  body: ReadableStream<Uint8Array>,
  provider: string,
): AsyncGenerator<LanguageModelV1StreamPart> {
  yield { type: "stream-start", warnings: [] };
  const openText = new Set<string>();
  const reasoningSummaries = new Map<string, number>();
  const functionCalls = new Map<string, { callId: string; name: string; arguments: string }>();
  let hasToolCalls = false;
  let completed = false;

  for await (const event of readServerSentEvents(body)) {
    const data = parseEventData(event.data, provider) as ResponsesEvent;
    switch (data.type) {
      case "response.created":
        yield { type: "response-metadata", id: data.response?.id, modelId: data.response?.model };
        break;
      case "response.output_item.added": {
        const item = data.item;
        if (item?.type === "function_call" && item.id) {
          const callId = item.call_id ?? item.id;
          functionCalls.set(item.id, { callId, name: item.name ?? "", arguments: "" });
          yield { type: "tool-input-start", id: callId, toolName: item.name ?? "" };
        } else if (item?.type === "reasoning" && item.id) {
          reasoningSummaries.set(item.id, -1);
          yield { type: "reasoning-start", id: item.id };
        }
        break;
      }
      case "response.output_text.delta":
      case "response.refusal.delta": {
        const id = data.item_id ?? "text";
        if (!openText.has(id)) {
          openText.add(id);
          yield { type: "text-start", id };
        }
        if (data.delta) yield { type: "text-delta", id, delta: data.delta };
        break;
      }
      case "response.reasoning_summary_text.delta": {
        const id = data.item_id ?? "reasoning";
        const index = data.summary_index ?? 0;
        const last = reasoningSummaries.get(id) ?? -1;
        if (last !== -1 && last !== index) yield { type: "reasoning-delta", id, delta: "\n\n" };
        reasoningSummaries.set(id, index);
        if (data.delta) yield { type: "reasoning-delta", id, delta: data.delta };
        break;
      }
      case "response.function_call_arguments.delta": {
        const call = data.item_id ? functionCalls.get(data.item_id) : undefined;
        if (call && data.delta) {
          call.arguments += data.delta;
          yield { type: "tool-input-delta", id: call.callId, delta: data.delta };
        }
        break;
      }
      case "response.output_item.done": {
        const item = data.item;
        if (!item?.id) break;
        if (item.type === "message" && openText.delete(item.id)) {
          yield { type: "text-end", id: item.id };
        } else if (item.type === "reasoning" && reasoningSummaries.delete(item.id)) {
          yield {
            type: "reasoning-end",
            id: item.id,
            providerMetadata: {
              openai: { itemId: item.id, encryptedContent: item.encrypted_content ?? null },
            },
          };
        } else if (item.type === "function_call") {
          const call = functionCalls.get(item.id);
          if (!call) break;
          functionCalls.delete(item.id);
          yield { type: "tool-input-end", id: call.callId };
          const raw = item.arguments ?? call.arguments;
          const checked = checkToolInput(raw, { toolName: call.name, toolCallId: call.callId, provider });
          hasToolCalls = true;
          yield toolCallPart(call.callId, call.name, checked, { openai: { itemId: item.id } });
        }
        break;
      }
      case "response.completed":
      case "response.incomplete": {
        for (const id of openText) yield { type: "text-end", id };
        openText.clear();
        const usage = data.response?.usage;
        const result: LanguageModelV1Usage = {
          inputTokens: usage?.input_tokens ?? 0,
          outputTokens: usage?.output_tokens ?? 0,
        };
        if (usage?.input_tokens_details?.cached_tokens)
          result.cacheReadTokens = usage.input_tokens_details.cached_tokens;
        if (usage?.output_tokens_details?.reasoning_tokens)
          result.reasoningTokens = usage.output_tokens_details.reasoning_tokens;
        let finishReason: LanguageModelV1FinishReason = hasToolCalls ? "tool-calls" : "stop";
        if (data.type === "response.incomplete") {
          const reason = data.response?.incomplete_details?.reason;
          finishReason =
            reason === "max_output_tokens"
              ? "length"
              : reason === "content_filter"
                ? "content-filter"
                : "other";
        }
        completed = true;
        yield {
          type: "finish",
          finishReason,
          usage: result,
          providerMetadata: { openai: { responseId: data.response?.id } },
        };
        break;
      }
      case "response.failed":
        throw streamFailure(provider, data.response?.error?.code, data.response?.error?.message);
      case "error":
        throw streamFailure(provider, data.code, data.message);
      default:
        break;
    }
    if (completed) return;
  }
  if (!completed) throw incompleteStreamError(provider);
}

/** Convert spec messages to Responses API input items. */
export function toResponsesInput(messages: LanguageModelV1Message[]): unknown[] {
  const input: unknown[] = [];
  for (const message of messages) {
    if (message.role === "user") {
      input.push({
        role: "user",
        content: message.content.map((part) =>
          part.type === "text"
            ? { type: "input_text", text: part.text }
            : { type: "input_image", image_url: imageUrl(part.data, part.mediaType) },
        ),
      });
    } else if (message.role === "assistant") {
      for (const part of message.content) {
        if (part.type === "text") {
          input.push({ role: "assistant", content: part.text });
        } else if (part.type === "tool-call") {
          input.push({
            type: "function_call",
            call_id: part.toolCallId,
            name: part.toolName,
            arguments: JSON.stringify(part.input ?? {}),
          });
        } else if (part.type === "reasoning") {
          const meta = part.providerOptions?.openai;
          if (typeof meta?.itemId === "string" && typeof meta.encryptedContent === "string") {
            input.push({
              type: "reasoning",
              id: meta.itemId,
              encrypted_content: meta.encryptedContent,
              summary: part.text ? [{ type: "summary_text", text: part.text }] : [],
            });
          }
        }
      }
    } else {
      for (const part of message.content) {
        input.push({ type: "function_call_output", call_id: part.toolCallId, output: part.output });
      }
    }
  }
  return input;
}
