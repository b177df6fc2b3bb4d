import type {
  LanguageModelV1,
  LanguageModelV1CallOptions,
  LanguageModelV1FinishReason,
  LanguageModelV1Message,
  LanguageModelV1StreamPart,
  LanguageModelV1StreamResult,
  LanguageModelV1Warning,
  ThinkingLevel,
} from "@openclaw/protocol";
import { ProviderError } from "@openclaw/protocol/model";
import {
  checkToolInput,
  classifyHttpStatus,
  combineHeaders,
  type FetchFunction,
  incompleteStreamError,
  loadApiKey,
  parseEventData,
  readServerSentEvents,
  sendRequest,
  streamResponse,
  toBase64,
  toolCallPart,
} from "@openclaw/providers-utils";
import { anthropicErrorKind, parseAnthropicError } from "./anthropic-error.js";

export interface AnthropicModelConfig {
  provider: string;
  baseURL: string;
  apiKey?: string;
  envVars: readonly string[];
  headers: Record<string, string | undefined>;
  fetch?: FetchFunction;
  env?: Record<string, string | undefined>;
  /** `max_tokens` when the call sets none (Anthropic requires one). */
  defaultMaxTokens: number;
}

/** Thinking budget (tokens) per level; Anthropic's minimum is 1024. */
export const ANTHROPIC_THINKING_BUDGETS: Record<Exclude<ThinkingLevel, "off">, number> = {
  minimal: 1024,
  low: 4096,
  medium: 10_000,
  high: 20_000,
  xhigh: 32_000,
};

export const ANTHROPIC_VERSION = "2023-06-01";

type CacheControl = { type: "ephemeral"; ttl?: "5m" | "1h" };

/** Options read from `providerOptions.anthropic`. */
export interface AnthropicCallOptions {
  /**
   * Prompt caching: `true` (default) marks the system prompt, the tool list and the last user
   * message as cache breakpoints; an object sets the cache_control value (e.g. `{ type:
   * "ephemeral", ttl: "1h" }`); `false` sends no cache_control.
   */
  cacheControl?: boolean | CacheControl;
  /** Extra `anthropic-beta` flags. */
  betas?: string[];
}

/** A Claude model through the Messages API (`POST /messages`, SSE). */
export class AnthropicMessagesLanguageModel implements LanguageModelV1 {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;

  constructor(
    readonly modelId: string,
    private readonly config: AnthropicModelConfig,
  ) {
    this.provider = config.provider;
  }

  buildRequestBody(options: LanguageModelV1CallOptions): {
    body: Record<string, unknown>;
    warnings: LanguageModelV1Warning[];
  } {
    const warnings: LanguageModelV1Warning[] = [];
    const anthropicOptions = (options.providerOptions?.anthropic ?? {}) as AnthropicCallOptions;
    const cache: CacheControl | undefined =
      anthropicOptions.cacheControl === false
        ? undefined
        : typeof anthropicOptions.cacheControl === "object"
          ? anthropicOptions.cacheControl
          : { type: "ephemeral" };
    // Anthropic allows at most 4 cache breakpoints per request.
    let breakpoints = 0;
    const mark = <T extends Record<string, unknown>>(block: T, control = cache): T => {
      if (!control || breakpoints >= 4) return block;
      breakpoints++;
      return { ...block, cache_control: control };
    };

    const body: Record<string, unknown> = { model: this.modelId, stream: true };
    if (options.system) body.system = [mark({ type: "text", text: options.system })];
    if (options.tools?.length) {
      const tools = options.tools.map((tool) => ({
        name: tool.name,
        description: tool.description,
        input_schema: tool.inputSchema,
      }));
      tools[tools.length - 1] = mark(tools[tools.length - 1] as (typeof tools)[number]);
      body.tools = tools;
      const choice = options.toolChoice;
      if (choice) {
        body.tool_choice =
          choice.type === "required"
            ? { type: "any" }
            : choice.type === "tool"
              ? { type: "tool", name: choice.toolName }
              : { type: choice.type };
      }
    }
    body.messages = toAnthropicMessages(options.messages, (block, messageOptions) => {
      const explicit = messageOptions?.cacheControl;
      if (explicit === undefined) return block;
      return mark(block, typeof explicit === "object" ? (explicit as CacheControl) : cache);
    });
    // Cache breakpoint on the last user turn so the next turn reads the whole prefix from cache.
    if (cache) {
      const messages = body.messages as Array<{ role: string; content: Array<Record<string, unknown>> }>;
      const lastUser = [...messages].reverse().find((message) => message.role === "user");
      const lastBlock = lastUser?.content.at(-1);
      if (lastUser && lastBlock && !lastBlock.cache_control) {
        lastUser.content[lastUser.content.length - 1] = mark(lastBlock);
      }
    }

    let maxTokens = options.maxOutputTokens ?? this.config.defaultMaxTokens;
    if (options.thinking && options.thinking !== "off") {
      const budget = ANTHROPIC_THINKING_BUDGETS[options.thinking];
      body.thinking = { type: "enabled", budget_tokens: budget };
      // max_tokens counts thinking too and must exceed the budget.
      maxTokens += budget;
      if (options.temperature !== undefined) {
        warnings.push({
          type: "unsupported-setting",
          setting: "temperature",
          message: "temperature is not supported with extended thinking",
        });
      }
      if (options.topP !== undefined) {
        warnings.push({
          type: "unsupported-setting",
          setting: "topP",
          message: "topP is not supported with extended thinking",
        });
      }
    } else {
      if (options.temperature !== undefined) body.temperature = options.temperature;
      if (options.topP !== undefined) body.top_p = options.topP;
    }
    body.max_tokens = maxTokens;
    if (options.stopSequences?.length) body.stop_sequences = options.stopSequences;
    return { body, warnings };
  }

  private headers(options: LanguageModelV1CallOptions): Record<string, string | undefined> {
    const key = loadApiKey({
      provider: this.provider,
      apiKey: options.apiKey ?? this.config.apiKey,
      envVars: this.config.envVars,
      env: this.config.env,
    });
    const betas = [...(((options.providerOptions?.anthropic ?? {}) as AnthropicCallOptions).betas ?? [])];
    // Claude subscription tokens (setup-token / OAuth) authenticate with a bearer header.
    const oauth = key.startsWith("sk-ant-oat");
    if (oauth) betas.push("oauth-2025-04-20");
    return combineHeaders(
      {
        "anthropic-version": ANTHROPIC_VERSION,
        ...(oauth ? { authorization: `Bearer ${key}` } : { "x-api-key": key }),
        ...(betas.length ? { "anthropic-beta": betas.join(",") } : {}),
      },
      this.config.headers,
      options.headers,
    );
  }

  async doStream(options: LanguageModelV1CallOptions): Promise<LanguageModelV1StreamResult> {
    const { body, warnings } = this.buildRequestBody(options);
    const provider = this.provider;
    const response = await sendRequest({
      provider,
      url: `${this.config.baseURL}/messages`,
      headers: this.headers(options),
      body,
      fetch: this.config.fetch,
      abortSignal: options.abortSignal,
      parseError: parseAnthropicError,
      envVars: this.config.envVars,
    });
    return streamResponse(response, body, { provider, abortSignal: options.abortSignal }, (responseBody) =>
      parseMessagesStream(responseBody, provider, warnings),
    );
  }
}

interface MessagesEvent {
  type: string;
  index?: number;
  message?: { id?: string; model?: string; usage?: AnthropicUsage };
  content_block?: { type: string; id?: string; name?: string; data?: string };
  delta?: {
    type?: string;
    text?: string;
    thinking?: string;
    signature?: string;
    partial_json?: string;
    stop_reason?: string | null;
  };
  usage?: AnthropicUsage;
  error?: { type?: string; message?: string };
}

interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

type Block =
  | { kind: "text"; id: string }
  | { kind: "reasoning"; id: string; signature?: string }
  | { kind: "tool"; id: string; name: string; input: string }
  | { kind: "other" };

async function* parseMessagesStream(
  body: ReadableStream<Uint8Array>,
  provider: string,
  warnings: LanguageModelV1Warning[],
): AsyncGenerator<LanguageModelV1StreamPart> {
  yield { type: "stream-start", warnings };
  const blocks = new Map<number, Block>();
  const usage = {
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
  let stopReason: string | undefined;
  let hasToolCalls = false;

  for await (const event of readServerSentEvents(body)) {
    const data = parseEventData(event.data, provider) as MessagesEvent;
    switch (data.type) {
      case "message_start": {
        yield { type: "response-metadata", id: data.message?.id, modelId: data.message?.model };
        mergeUsage(usage, data.message?.usage);
        break;
      }
      case "content_block_start": {
        const index = data.index ?? blocks.size;
        const block = data.content_block;
        const id = `${index}`;
        if (block?.type === "text") {
          blocks.set(index, { kind: "text", id });
          yield { type: "text-start", id };
        } else if (block?.type === "thinking") {
          blocks.set(index, { kind: "reasoning", id });
          yield { type: "reasoning-start", id };
        } else if (block?.type === "redacted_thinking") {
          blocks.set(index, { kind: "other" });
          const providerMetadata = { anthropic: { redactedData: block.data ?? "" } };
          yield { type: "reasoning-start", id, providerMetadata };
          yield { type: "reasoning-end", id, providerMetadata };
        } else if (block?.type === "tool_use") {
          const toolId = block.id ?? `toolu_${index}`;
          blocks.set(index, { kind: "tool", id: toolId, name: block.name ?? "", input: "" });
          yield { type: "tool-input-start", id: toolId, toolName: block.name ?? "" };
        } else {
          blocks.set(index, { kind: "other" });
        }
        break;
      }
      case "content_block_delta": {
        const block = blocks.get(data.index ?? -1);
        const delta = data.delta;
        if (!block || !delta) break;
        if (block.kind === "text" && delta.type === "text_delta" && delta.text) {
          yield { type: "text-delta", id: block.id, delta: delta.text };
        } else if (block.kind === "reasoning" && delta.type === "thinking_delta" && delta.thinking) {
          yield { type: "reasoning-delta", id: block.id, delta: delta.thinking };
        } else if (block.kind === "reasoning" && delta.type === "signature_delta") {
          block.signature = (block.signature ?? "") + (delta.signature ?? "");
        } else if (block.kind === "tool" && delta.type === "input_json_delta" && delta.partial_json) {
          block.input += delta.partial_json;
          yield { type: "tool-input-delta", id: block.id, delta: delta.partial_json };
        }
        break;
      }
      case "content_block_stop": {
        const index = data.index ?? -1;
        const block = blocks.get(index);
        blocks.delete(index);
        if (!block) break;
        if (block.kind === "text") yield { type: "text-end", id: block.id };
        else if (block.kind === "reasoning") {
          yield {
            type: "reasoning-end",
            id: block.id,
            ...(block.signature ? { providerMetadata: { anthropic: { signature: block.signature } } } : {}),
          };
        } else if (block.kind === "tool") {
          yield { type: "tool-input-end", id: block.id };
          const checked = checkToolInput(block.input, {
            toolName: block.name,
            toolCallId: block.id,
            provider,
          });
          hasToolCalls = true;
          yield toolCallPart(block.id, block.name, checked);
        }
        break;
      }
      case "message_delta":
        if (data.delta?.stop_reason) stopReason = data.delta.stop_reason;
        mergeUsage(usage, data.usage);
        break;
      case "message_stop":
        yield {
          type: "finish",
          finishReason: mapStopReason(stopReason, hasToolCalls),
          usage: {
            inputTokens:
              usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens,
            outputTokens: usage.output_tokens,
            ...(usage.cache_read_input_tokens ? { cacheReadTokens: usage.cache_read_input_tokens } : {}),
            ...(usage.cache_creation_input_tokens
              ? { cacheWriteTokens: usage.cache_creation_input_tokens }
              : {}),
          },
          providerMetadata: { anthropic: { stopReason: stopReason ?? null } },
        };
        return;
      case "error": {
        const type = data.error?.type;
        const kind =
          anthropicErrorKind(type) ?? classifyHttpStatus(500, { code: type, message: data.error?.message });
        throw new ProviderError(
          kind,
          `${provider} stream error (${type ?? "unknown"}): ${data.error?.message ?? ""}`,
          {
            provider,
            providerCode: type,
            providerMessage: data.error?.message,
          },
        );
      }
      default:
        break;
    }
  }
  throw incompleteStreamError(provider);
}

function mergeUsage(target: Record<keyof AnthropicUsage, number>, source: AnthropicUsage | undefined): void {
  if (!source) return;
  if (typeof source.input_tokens === "number") target.input_tokens = source.input_tokens;
  if (typeof source.output_tokens === "number") target.output_tokens = source.output_tokens;
  if (typeof source.cache_creation_input_tokens === "number")
    target.cache_creation_input_tokens = source.cache_creation_input_tokens;
  if (typeof source.cache_read_input_tokens === "number")
    target.cache_read_input_tokens = source.cache_read_input_tokens;
}

function mapStopReason(reason: string | undefined, hasToolCalls: boolean): LanguageModelV1FinishReason {
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
    case "pause_turn":
      return hasToolCalls ? "tool-calls" : "stop";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool-calls";
    case "refusal":
      return "content-filter";
    default:
      return "unknown";
  }
}

type Mark = (
  block: Record<string, unknown>,
  messageOptions: Record<string, unknown> | undefined,
) => Record<string, unknown>;

/** Convert spec messages to Anthropic messages (tool results travel in user turns). */
export function toAnthropicMessages(
  messages: LanguageModelV1Message[],
  mark: Mark = (block) => block,
): Array<{ role: "user" | "assistant"; content: Array<Record<string, unknown>> }> {
  const out: Array<{ role: "user" | "assistant"; content: Array<Record<string, unknown>> }> = [];
  const push = (role: "user" | "assistant", blocks: Array<Record<string, unknown>>) => {
    if (blocks.length === 0) return;
    const last = out.at(-1);
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const message of messages) {
    const messageOptions = message.providerOptions?.anthropic;
    const blocks: Array<Record<string, unknown>> = [];
    if (message.role === "user") {
      for (const part of message.content) {
        if (part.type === "text") blocks.push({ type: "text", text: part.text });
        else if (part.data instanceof URL && /^https?:/.test(part.data.protocol)) {
          blocks.push({ type: "image", source: { type: "url", url: part.data.href } });
        } else {
          blocks.push({
            type: "image",
            source: { type: "base64", media_type: part.mediaType ?? "image/png", data: toBase64(part.data) },
          });
        }
      }
    } else if (message.role === "assistant") {
      for (const part of message.content) {
        if (part.type === "text") {
          if (part.text !== "") blocks.push({ type: "text", text: part.text });
        } else if (part.type === "reasoning") {
          const meta = part.providerOptions?.anthropic;
          if (typeof meta?.signature === "string") {
            blocks.push({ type: "thinking", thinking: part.text, signature: meta.signature });
          } else if (typeof meta?.redactedData === "string") {
            blocks.push({ type: "redacted_thinking", data: meta.redactedData });
          }
          // Reasoning without a signature cannot be replayed to Anthropic; it is dropped.
        } else {
          blocks.push({
            type: "tool_use",
            id: part.toolCallId,
            name: part.toolName,
            input: part.input ?? {},
          });
        }
      }
    } else {
      for (const part of message.content) {
        blocks.push({
          type: "tool_result",
          tool_use_id: part.toolCallId,
          content: part.output,
          ...(part.isError ? { is_error: true } : {}),
        });
      }
    }
    if (blocks.length > 0)
      blocks[blocks.length - 1] = mark(blocks[blocks.length - 1] as Record<string, unknown>, messageOptions);
    push(message.role === "assistant" ? "assistant" : "user", blocks);
  }
  return out;
}
