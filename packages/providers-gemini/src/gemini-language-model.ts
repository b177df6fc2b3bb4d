import type {
  JSONSchema,
  LanguageModelV1,
  LanguageModelV1CallOptions,
  LanguageModelV1FinishReason,
  LanguageModelV1Message,
  LanguageModelV1StreamPart,
  LanguageModelV1StreamResult,
  LanguageModelV1Usage,
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
  TextAndReasoningBlocks,
  toBase64,
  toolCallPart,
} from "@openclaw/providers-utils";
import { parseGeminiError } from "./gemini-error.js";

export interface GeminiModelConfig {
  provider: string;
  baseURL: string;
  apiKey?: string;
  envVars: readonly string[];
  headers: Record<string, string | undefined>;
  fetch?: FetchFunction;
  env?: Record<string, string | undefined>;
}

/** `thinkingBudget` per level (tokens). */
export const GEMINI_THINKING_BUDGETS: Record<Exclude<ThinkingLevel, "off">, number> = {
  minimal: 512,
  low: 2048,
  medium: 8192,
  high: 24_576,
  xhigh: 32_768,
};

/** A Gemini model through `models/<id>:streamGenerateContent?alt=sse`. */
export class GeminiLanguageModel implements LanguageModelV1 {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;
  readonly modelId: string;

  constructor(
    modelId: string,
    private readonly config: GeminiModelConfig,
  ) {
    this.modelId = modelId.replace(/^models\//, "");
    this.provider = config.provider;
  }

  buildRequestBody(options: LanguageModelV1CallOptions): Record<string, unknown> {
    const body: Record<string, unknown> = { contents: toGeminiContents(options.messages) };
    if (options.system) body.systemInstruction = { parts: [{ text: options.system }] };
    if (options.tools?.length) {
      body.tools = [
        {
          functionDeclarations: options.tools.map((tool) => ({
            name: tool.name,
            description: tool.description ?? "",
            parameters: toGeminiSchema(tool.inputSchema),
          })),
        },
      ];
      const choice = options.toolChoice;
      if (choice) {
        body.toolConfig = {
          functionCallingConfig:
            choice.type === "tool"
              ? { mode: "ANY", allowedFunctionNames: [choice.toolName] }
              : { mode: choice.type === "required" ? "ANY" : choice.type === "none" ? "NONE" : "AUTO" },
        };
      }
    }
    const generationConfig: Record<string, unknown> = {};
    if (options.maxOutputTokens !== undefined) generationConfig.maxOutputTokens = options.maxOutputTokens;
    if (options.temperature !== undefined) generationConfig.temperature = options.temperature;
    if (options.topP !== undefined) generationConfig.topP = options.topP;
    if (options.stopSequences?.length) generationConfig.stopSequences = options.stopSequences;
    if (options.thinking && options.thinking !== "off") {
      generationConfig.thinkingConfig = {
        thinkingBudget: GEMINI_THINKING_BUDGETS[options.thinking],
        includeThoughts: true,
      };
    }
    if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
    return body;
  }

  async doStream(options: LanguageModelV1CallOptions): Promise<LanguageModelV1StreamResult> {
    const body = this.buildRequestBody(options);
    const provider = this.provider;
    const key = loadApiKey({
      provider,
      apiKey: options.apiKey ?? this.config.apiKey,
      envVars: this.config.envVars,
      env: this.config.env,
    });
    const response = await sendRequest({
      provider,
      url: `${this.config.baseURL}/models/${encodeURIComponent(this.modelId)}:streamGenerateContent?alt=sse`,
      headers: combineHeaders({ "x-goog-api-key": key }, this.config.headers, options.headers),
      body,
      fetch: this.config.fetch,
      abortSignal: options.abortSignal,
      parseError: parseGeminiError,
      envVars: this.config.envVars,
    });
    return streamResponse(response, body, { provider, abortSignal: options.abortSignal }, (responseBody) =>
      parseGeminiStream(responseBody, provider),
    );
  }
}

interface GeminiChunk {
  candidates?: Array<{
    content?: {
      parts?: Array<{
        text?: string;
        thought?: boolean;
        thoughtSignature?: string;
        functionCall?: { id?: string; name?: string; args?: unknown };
      }>;
    };
    finishReason?: string;
  }>;
  promptFeedback?: { blockReason?: string };
  usageMetadata?: {
    promptTokenCount?: number;
    candidatesTokenCount?: number;
    thoughtsTokenCount?: number;
    cachedContentTokenCount?: number;
  };
  modelVersion?: string;
  responseId?: string;
  error?: { code?: number; message?: string; status?: string };
}

async function* parseGeminiStream(
  body: ReadableStream<Uint8Array>,
  provider: string,
): AsyncGenerator<LanguageModelV1StreamPart> {
  yield { type: "stream-start", warnings: [] };
  let metadataSent = false;
  const blocks = new TextAndReasoningBlocks();
  let toolCount = 0;
  let finishReason: string | undefined;
  let usage: LanguageModelV1Usage = { inputTokens: 0, outputTokens: 0 };

  for await (const event of readServerSentEvents(body)) {
    const chunk = parseEventData(event.data, provider) as GeminiChunk;
    if (chunk.error) {
      const info = parseGeminiError(JSON.stringify(chunk));
      const status = chunk.error.code ?? 500;
      throw new ProviderError(
        info.kind ?? classifyHttpStatus(status, info),
        `${provider} stream error: ${info.message ?? "unknown"}`,
        {
          provider,
          status,
          providerCode: info.code,
          providerMessage: info.message,
        },
      );
    }
    if (!metadataSent && (chunk.responseId || chunk.modelVersion)) {
      metadataSent = true;
      yield { type: "response-metadata", id: chunk.responseId, modelId: chunk.modelVersion };
    }
    if (chunk.usageMetadata) {
      const meta = chunk.usageMetadata;
      usage = {
        inputTokens: meta.promptTokenCount ?? 0,
        outputTokens: (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0),
      };
      if (meta.thoughtsTokenCount) usage.reasoningTokens = meta.thoughtsTokenCount;
      if (meta.cachedContentTokenCount) usage.cacheReadTokens = meta.cachedContentTokenCount;
    }
    if (chunk.promptFeedback?.blockReason) finishReason = "SAFETY";
    const candidate = chunk.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) {
      if (part.functionCall) {
        yield* blocks.endReasoning();
        const id = part.functionCall.id ?? `call_${toolCount}`;
        toolCount++;
        const name = part.functionCall.name ?? "";
        const input = JSON.stringify(part.functionCall.args ?? {});
        yield { type: "tool-input-start", id, toolName: name };
        yield { type: "tool-input-delta", id, delta: input };
        yield { type: "tool-input-end", id };
        const checked = checkToolInput(input, { toolName: name, toolCallId: id, provider });
        yield toolCallPart(
          id,
          name,
          checked,
          part.thoughtSignature ? { google: { thoughtSignature: part.thoughtSignature } } : undefined,
        );
      } else if (part.text !== undefined && part.text !== "") {
        if (part.thought) yield* blocks.reasoningDelta(part.text);
        else yield* blocks.textDelta(part.text);
      }
    }
    if (candidate?.finishReason) finishReason = candidate.finishReason;
  }

  if (finishReason === undefined) throw incompleteStreamError(provider);
  yield* blocks.end();
  // No call to attach an inputError to: the turn failed; a retry usually succeeds.
  if (finishReason === "MALFORMED_FUNCTION_CALL" || finishReason === "UNEXPECTED_TOOL_CALL") {
    throw new ProviderError(
      "invalid_response",
      `${provider}: the model produced a malformed function call (${finishReason})`,
      { provider, providerCode: finishReason },
    );
  }
  yield { type: "finish", finishReason: mapFinishReason(finishReason, toolCount > 0), usage };
}

function mapFinishReason(reason: string, hasToolCalls: boolean): LanguageModelV1FinishReason {
  switch (reason) {
    case "STOP":
      return hasToolCalls ? "tool-calls" : "stop";
    case "MAX_TOKENS":
      return "length";
    case "SAFETY":
    case "RECITATION":
    case "BLOCKLIST":
    case "PROHIBITED_CONTENT":
    case "SPII":
    case "IMAGE_SAFETY":
      return "content-filter";
    case "MALFORMED_FUNCTION_CALL":
    case "UNEXPECTED_TOOL_CALL":
      return "error";
    default:
      return "other";
  }
}

const SCHEMA_KEYS = new Set([
  "type",
  "format",
  "title",
  "description",
  "nullable",
  "enum",
  "maxItems",
  "minItems",
  "properties",
  "required",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "pattern",
  "minimum",
  "maximum",
  "anyOf",
  "propertyOrdering",
  "items",
]);

/**
 * Gemini's `parameters` accept an OpenAPI 3.0 subset: drop keywords it rejects (`$schema`,
 * `additionalProperties`, `default`...), turn `["string","null"]` into `nullable`, `const` into `enum`.
 */
export function toGeminiSchema(schema: JSONSchema): JSONSchema {
  const out: JSONSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "const") out.enum = [value];
    else if (key === "type" && Array.isArray(value)) {
      const types = value.filter((type) => type !== "null");
      out.type = types[0] ?? "string";
      if (types.length < value.length) out.nullable = true;
    } else if (!SCHEMA_KEYS.has(key)) continue;
    else if (key === "properties" && value && typeof value === "object") {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, JSONSchema>).map(([name, child]) => [
          name,
          toGeminiSchema(child),
        ]),
      );
    } else if (key === "items" && value && typeof value === "object" && !Array.isArray(value)) {
      out.items = toGeminiSchema(value as JSONSchema);
    } else if (key === "anyOf" && Array.isArray(value)) {
      out.anyOf = value.map((child) => toGeminiSchema(child as JSONSchema));
    } else out[key] = value;
  }
  return out;
}

/** Convert spec messages to Gemini `contents` (roles `user` / `model`). */
export function toGeminiContents(
  messages: LanguageModelV1Message[],
): Array<{ role: string; parts: unknown[] }> {
  const out: Array<{ role: string; parts: unknown[] }> = [];
  const push = (role: "user" | "model", parts: unknown[]) => {
    if (parts.length === 0) return;
    const last = out.at(-1);
    if (last && last.role === role) last.parts.push(...parts);
    else out.push({ role, parts });
  };
  for (const message of messages) {
    if (message.role === "user") {
      push(
        "user",
        message.content.map((part) =>
          part.type === "text"
            ? { text: part.text }
            : part.data instanceof URL && /^https?:/.test(part.data.protocol)
              ? { fileData: { mimeType: part.mediaType ?? "image/png", fileUri: part.data.href } }
              : { inlineData: { mimeType: part.mediaType ?? "image/png", data: toBase64(part.data) } },
        ),
      );
    } else if (message.role === "assistant") {
      const parts: unknown[] = [];
      for (const part of message.content) {
        const signature = part.providerOptions?.google?.thoughtSignature;
        const withSignature = (value: Record<string, unknown>) =>
          typeof signature === "string" ? { ...value, thoughtSignature: signature } : value;
        if (part.type === "text") {
          if (part.text !== "") parts.push(withSignature({ text: part.text }));
        } else if (part.type === "tool-call") {
          parts.push(withSignature({ functionCall: { name: part.toolName, args: part.input ?? {} } }));
        }
        // Thought summaries are not replayed; Gemini only needs the signatures.
      }
      push("model", parts);
    } else {
      push(
        "user",
        message.content.map((part) => ({
          functionResponse: {
            name: part.toolName,
            response: part.isError ? { error: part.output } : { content: part.output },
          },
        })),
      );
    }
  }
  return out;
}
