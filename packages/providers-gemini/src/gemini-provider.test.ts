import {
  iterateStreamParts,
  type LanguageModelV1,
  type LanguageModelV1CallOptions,
  type LanguageModelV1StreamPart,
  ProviderError,
} from "@openclaw/protocol";
import {
  type FakeGeminiServer,
  fixtureErrorReply,
  fixtureReply,
  geminiTextReply,
  rawStreamReply,
  sseEvent,
  startFakeGemini,
} from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGemini, fromConfig } from "./gemini-provider.js";

let fake: FakeGeminiServer;
beforeEach(async () => {
  fake = await startFakeGemini();
});
afterEach(async () => {
  await fake.close();
});

const ask: LanguageModelV1CallOptions = {
  system: "You are helpful.",
  messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
};
const model = () =>
  createGemini({ baseURL: fake.baseURL, apiKey: "AIza-test" }).languageModel("gemini-2.5-flash");

async function collect(m: LanguageModelV1, options: LanguageModelV1CallOptions = ask) {
  const result = await m.doStream(options);
  const parts: LanguageModelV1StreamPart[] = [];
  for await (const part of iterateStreamParts(result.stream)) parts.push(part);
  return parts;
}
const joined = (parts: LanguageModelV1StreamPart[], type: "text-delta" | "reasoning-delta") =>
  parts.map((part) => (part.type === type ? part.delta : "")).join("");

async function rejection(promise: PromiseLike<unknown>): Promise<ProviderError> {
  const error = await Promise.resolve(promise).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!ProviderError.isInstance(error)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

describe("Gemini streamGenerateContent", () => {
  it("streams text with usage; sends the key header, alt=sse and systemInstruction", async () => {
    fake.enqueue(fixtureReply("gemini/text.jsonl"));
    const parts = await collect(model());
    expect(joined(parts, "text-delta")).toBe("Hello! How can I help you today?");
    expect(parts.at(-1)).toEqual({
      type: "finish",
      finishReason: "stop",
      usage: { inputTokens: 9, outputTokens: 9 },
    });
    const request = fake.requests[0];
    expect(request?.path).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent");
    expect(request?.query.alt).toBe("sse");
    expect(request?.headers["x-goog-api-key"]).toBe("AIza-test");
    expect(request?.body).toMatchObject({
      systemInstruction: { parts: [{ text: "You are helpful." }] },
      contents: [{ role: "user", parts: [{ text: "hi" }] }],
    });
  });

  it("streams thoughts and a functionCall with its thought signature", async () => {
    fake.enqueue(fixtureReply("gemini/thinking-function-call.jsonl", { splitEvery: 13 }));
    const parts = await collect(model(), {
      ...ask,
      thinking: "low",
      tools: [
        {
          type: "function",
          name: "read",
          inputSchema: {
            $schema: "http://json-schema.org/draft-07/schema#",
            type: "object",
            properties: { path: { type: "string" }, limit: { type: ["integer", "null"] } },
            required: ["path"],
            additionalProperties: false,
          },
        },
      ],
      toolChoice: { type: "required" },
    });
    expect(joined(parts, "reasoning-delta")).toContain("I will read it.");
    expect(joined(parts, "text-delta")).toBe("Let me look.");
    expect(parts.find((p) => p.type === "tool-call")).toEqual({
      type: "tool-call",
      toolCallId: "call_0",
      toolName: "read",
      input: '{"path":"notes/todo.md"}',
      providerMetadata: { google: { thoughtSignature: "CiQB0e2Kb7HqJ0Zx1Tg2wvCtl2E8" } },
    });
    expect(parts.at(-1)).toEqual({
      type: "finish",
      finishReason: "tool-calls",
      usage: { inputTokens: 140, outputTokens: 120, reasoningTokens: 100, cacheReadTokens: 64 },
    });
    const body = fake.requests[0]?.body;
    expect(body.generationConfig.thinkingConfig).toEqual({ thinkingBudget: 2048, includeThoughts: true });
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(body.tools[0].functionDeclarations[0].parameters).toEqual({
      type: "object",
      properties: { path: { type: "string" }, limit: { type: "integer", nullable: true } },
      required: ["path"],
    });
  });

  it("sends function calls (with signature) and function responses back", async () => {
    fake.enqueue(geminiTextReply(["ok"]));
    await collect(model(), {
      messages: [
        { role: "user", content: [{ type: "text", text: "todo?" }] },
        {
          role: "assistant",
          content: [
            {
              type: "tool-call",
              toolCallId: "call_0",
              toolName: "read",
              input: { path: "todo.md" },
              providerOptions: { google: { thoughtSignature: "sig" } },
            },
          ],
        },
        {
          role: "tool",
          content: [{ type: "tool-result", toolCallId: "call_0", toolName: "read", output: "- milk" }],
        },
      ],
    });
    expect(fake.requests[0]?.body.contents).toEqual([
      { role: "user", parts: [{ text: "todo?" }] },
      {
        role: "model",
        parts: [{ functionCall: { name: "read", args: { path: "todo.md" } }, thoughtSignature: "sig" }],
      },
      { role: "user", parts: [{ functionResponse: { name: "read", response: { content: "- milk" } } }] },
    ]);
  });

  it("maps an invalid API key (400 API_KEY_INVALID) to auth", async () => {
    fake.enqueue(fixtureErrorReply("gemini/error-400-api-key.json", 400));
    const error = await rejection(model().doStream(ask));
    expect(error).toMatchObject({ kind: "auth", isRetryable: false, status: 400 });
    expect(error.message).toContain("GEMINI_API_KEY");
  });

  it("maps 429 RESOURCE_EXHAUSTED to rate_limit with the RetryInfo delay", async () => {
    fake.enqueue(fixtureErrorReply("gemini/error-429.json", 429));
    expect(await rejection(model().doStream(ask))).toMatchObject({
      kind: "rate_limit",
      isRetryable: true,
      retryAfterMs: 7000,
    });
    fake.enqueue(fixtureErrorReply("gemini/error-429.json", 429, { "retry-after": "3" }));
    expect(await rejection(model().doStream(ask))).toMatchObject({ retryAfterMs: 3000 });
  });

  it("maps 500 to server and the token-limit 400 to context_length", async () => {
    fake.enqueue(fixtureErrorReply("gemini/error-500.json", 500));
    expect(await rejection(model().doStream(ask))).toMatchObject({ kind: "server", isRetryable: true });
    fake.enqueue(fixtureErrorReply("gemini/error-400-context-length.json", 400));
    expect(await rejection(model().doStream(ask))).toMatchObject({ kind: "context_length" });
  });

  it("ends with a network error part on mid-stream disconnect", async () => {
    fake.enqueue(fixtureReply("gemini/text.jsonl", { truncateAfter: 1 }));
    const parts = await collect(model());
    expect(joined(parts, "text-delta")).toBe("Hello");
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { kind: "network", isRetryable: true } });
  });

  it("reports malformed SSE and MALFORMED_FUNCTION_CALL as invalid_response", async () => {
    fake.enqueue(
      rawStreamReply("text/event-stream", ['data: {"candidates": [{"content": {"parts": [{"text": "a"}\n\n']),
    );
    expect((await collect(model())).at(-1)).toMatchObject({
      type: "error",
      error: { kind: "invalid_response" },
    });
    fake.enqueue(
      rawStreamReply("text/event-stream", [
        sseEvent({
          candidates: [{ content: { parts: [], role: "model" }, finishReason: "MALFORMED_FUNCTION_CALL" }],
        }),
      ]),
    );
    const parts = await collect(model());
    expect(parts.at(-1)).toMatchObject({
      type: "error",
      error: { kind: "invalid_response", isRetryable: true, providerCode: "MALFORMED_FUNCTION_CALL" },
    });
    expect(parts.some((p) => p.type === "finish")).toBe(false);
  });

  it("aborts mid-stream", async () => {
    fake.enqueue(geminiTextReply(["partial", "more"], undefined, { end: "hang" }));
    const controller = new AbortController();
    const result = await model().doStream({ ...ask, abortSignal: controller.signal });
    const parts: LanguageModelV1StreamPart[] = [];
    for await (const part of iterateStreamParts(result.stream)) {
      parts.push(part);
      if (part.type === "text-delta") controller.abort();
    }
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { kind: "aborted" } });
  });

  it("fails without a key, naming both env vars and the paste-token command", async () => {
    const error = await rejection(
      createGemini({ baseURL: fake.baseURL, env: {} }).languageModel("gemini-2.5-flash").doStream(ask),
    );
    expect(error.message).toContain("GEMINI_API_KEY or GOOGLE_API_KEY");
    expect(error.message).toContain("openclaw models auth paste-token --provider google");
  });

  it("fromConfig uses GOOGLE_API_KEY when GEMINI_API_KEY is unset, and lists models", async () => {
    const provider = fromConfig("google", { baseUrl: fake.baseURL }, { GOOGLE_API_KEY: "g-key" });
    expect(await provider.listModels()).toEqual([
      {
        id: "gemini-2.5-flash",
        name: "Gemini 2.5 Flash",
        contextWindow: 1048576,
        maxTokens: 65536,
        reasoning: true,
      },
    ]);
    expect(fake.requests[0]?.headers["x-goog-api-key"]).toBe("g-key");
  });
});

describe("Gemini embeddings", () => {
  it("embeds a batch through batchEmbedContents", async () => {
    const result = await createGemini({ baseURL: fake.baseURL, apiKey: "AIza-test" })
      .textEmbeddingModel("gemini-embedding-001")
      .doEmbed({ values: ["hello world", "a"] });
    expect(result.embeddings).toEqual([
      [11, 3, 1, 104],
      [1, 1, 0, 97],
    ]);
    expect(fake.requests[0]?.path).toBe("/v1beta/models/gemini-embedding-001:batchEmbedContents");
    expect(fake.requests[0]?.body.requests[1]).toEqual({
      model: "models/gemini-embedding-001",
      content: { parts: [{ text: "a" }] },
    });
  });
});
