import type {
  LanguageModelV1,
  LanguageModelV1CallOptions,
  LanguageModelV1FinishReason,
  LanguageModelV1Message,
  LanguageModelV1StreamPart,
  LanguageModelV1StreamResult,
} from "@openclaw/protocol";
import { ProviderError } from "@openclaw/protocol/model";
import {
  checkToolInput,
  classifyHttpStatus,
  combineHeaders,
  type FetchFunction,
  incompleteStreamError,
  readJsonLines,
  sendRequest,
  streamResponse,
  TextAndReasoningBlocks,
  toBase64,
  toolCallPart,
  tryParseJson,
  type VendorErrorInfo,
} from "@openclaw/providers-utils";

export interface OllamaModelConfig {
  provider: string;
  /** Server root, e.g. `http://127.0.0.1:11434`. */
  baseURL: string;
  apiKey?: string;
  envVars: readonly string[];
  headers: Record<string, string | undefined>;
  fetch?: FetchFunction;
  env?: Record<string, string | undefined>;
  /** `options.num_ctx` sent with every request (Ollama's default context is small). */
  numCtx?: number;
  keepAlive?: string;
}

/** Ollama error bodies are `{ "error": "..." }`. */
export function parseOllamaError(bodyText: string, status: number): VendorErrorInfo {
  const body = tryParseJson(bodyText) as { error?: unknown } | undefined;
  const message = typeof body?.error === "string" ? body.error : bodyText.slice(0, 300) || undefined;
  if (status === 404 && message && /not found/i.test(message)) {
    return {
      message: `${message} (run \`ollama pull <model>\` on the Ollama host)`,
      kind: "invalid_request",
    };
  }
  return { message };
}

/** A local model through Ollama's native `POST /api/chat` (NDJSON streaming). */
export class OllamaChatLanguageModel implements LanguageModelV1 {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;

  constructor(
    readonly modelId: string,
    private readonly config: OllamaModelConfig,
  ) {
    this.provider = config.provider;
  }

  buildRequestBody(options: LanguageModelV1CallOptions): Record<string, unknown> {
    const body: Record<string, unknown> = {
      model: this.modelId,
      messages: toOllamaMessages(options.system, options.messages),
      stream: true,
    };
    if (options.tools?.length) {
      body.tools = options.tools.map((tool) => ({
        type: "function",
        function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
      }));
    }
    if (options.thinking !== undefined) {
      if (options.thinking === "off") body.think = false;
      // gpt-oss takes an effort level; other thinking models take a boolean.
      else if (/^gpt-oss/.test(this.modelId)) {
        body.think =
          options.thinking === "minimal" ? "low" : options.thinking === "xhigh" ? "high" : options.thinking;
      } else body.think = true;
    }
    const modelOptions: Record<string, unknown> = {};
    if (options.maxOutputTokens !== undefined) modelOptions.num_predict = options.maxOutputTokens;
    if (options.temperature !== undefined) modelOptions.temperature = options.temperature;
    if (options.topP !== undefined) modelOptions.top_p = options.topP;
    if (options.stopSequences?.length) modelOptions.stop = options.stopSequences;
    if (this.config.numCtx !== undefined) modelOptions.num_ctx = this.config.numCtx;
    if (Object.keys(modelOptions).length > 0) body.options = modelOptions;
    if (this.config.keepAlive !== undefined) body.keep_alive = this.config.keepAlive;
    return body;
  }

  async doStream(options: LanguageModelV1CallOptions): Promise<LanguageModelV1StreamResult> {
    const body = this.buildRequestBody(options);
    const provider = this.provider;
    const env = this.config.env ?? process.env;
    const key =
      options.apiKey ?? this.config.apiKey ?? this.config.envVars.map((name) => env[name]).find(Boolean);
    let response: Response;
    try {
      response = await sendRequest({
        provider,
        url: `${this.config.baseURL}/api/chat`,
        headers: combineHeaders(
          key ? { authorization: `Bearer ${key}` } : {},
          this.config.headers,
          options.headers,
        ),
        body,
        fetch: this.config.fetch,
        abortSignal: options.abortSignal,
        parseError: parseOllamaError,
      });
    } catch (error) {
      if (ProviderError.isInstance(error) && error.kind === "network") {
        throw new ProviderError(
          "network",
          `${error.message} — is Ollama running at ${this.config.baseURL}? (\`ollama serve\`)`,
          {
            provider,
            cause: error,
          },
        );
      }
      throw error;
    }
    return streamResponse(response, body, { provider, abortSignal: options.abortSignal }, (responseBody) =>
      parseOllamaStream(responseBody, provider),
    );
  }
}

interface OllamaLine {
  model?: string;
  message?: {
    content?: string;
    thinking?: string;
    tool_calls?: Array<{ id?: string; function?: { name?: string; arguments?: unknown } }>;
  };
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  error?: string;
}

async function* parseOllamaStream(
  body: ReadableStream<Uint8Array>,
  provider: string,
): AsyncGenerator<LanguageModelV1StreamPart> {
  yield { type: "stream-start", warnings: [] };
  let metadataSent = false;
  const blocks = new TextAndReasoningBlocks();
  let toolCount = 0;
  for await (const value of readJsonLines(body, provider)) {
    const line = value as OllamaLine;
    if (typeof line.error === "string") {
      throw new ProviderError(
        classifyHttpStatus(500, { message: line.error }),
        `${provider} stream error: ${line.error}`,
        {
          provider,
          providerMessage: line.error,
        },
      );
    }
    if (!metadataSent && line.model) {
      metadataSent = true;
      yield { type: "response-metadata", modelId: line.model };
    }
    const message = line.message;
    if (message?.thinking) yield* blocks.reasoningDelta(message.thinking);
    if (message?.content) yield* blocks.textDelta(message.content);
    for (const call of message?.tool_calls ?? []) {
      const id = call.id ?? `call_${toolCount}`;
      toolCount++;
      const name = call.function?.name ?? "";
      const raw = call.function?.arguments;
      const input = typeof raw === "string" ? raw : JSON.stringify(raw ?? {});
      yield { type: "tool-input-start", id, toolName: name };
      yield { type: "tool-input-delta", id, delta: input };
      yield { type: "tool-input-end", id };
      const checked = checkToolInput(input, { toolName: name, toolCallId: id, provider });
      yield toolCallPart(id, name, checked);
    }
    if (line.done) {
      yield* blocks.end();
      yield {
        type: "finish",
        finishReason: mapDoneReason(line.done_reason, toolCount > 0),
        usage: { inputTokens: line.prompt_eval_count ?? 0, outputTokens: line.eval_count ?? 0 },
      };
      return;
    }
  }
  throw incompleteStreamError(provider);
}

function mapDoneReason(reason: string | undefined, hasToolCalls: boolean): LanguageModelV1FinishReason {
  if (hasToolCalls) return "tool-calls";
  if (reason === "stop" || reason === undefined) return "stop";
  if (reason === "length") return "length";
  return "other";
}

/** Convert spec messages to Ollama `/api/chat` messages. */
export function toOllamaMessages(system: string | undefined, messages: LanguageModelV1Message[]): unknown[] {
  const out: unknown[] = [];
  if (system) out.push({ role: "system", content: system });
  for (const message of messages) {
    if (message.role === "user") {
      const images = message.content
        .filter((part) => part.type === "image")
        .map((part) => toBase64(part.data));
      out.push({
        role: "user",
        content: message.content.map((part) => (part.type === "text" ? part.text : "")).join(""),
        ...(images.length ? { images } : {}),
      });
    } else if (message.role === "assistant") {
      let content = "";
      const toolCalls: unknown[] = [];
      for (const part of message.content) {
        if (part.type === "text") content += part.text;
        else if (part.type === "tool-call")
          toolCalls.push({ function: { name: part.toolName, arguments: part.input ?? {} } });
      }
      out.push({ role: "assistant", content, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) });
    } else {
      for (const part of message.content)
        out.push({ role: "tool", content: part.output, tool_name: part.toolName });
    }
  }
  return out;
}
