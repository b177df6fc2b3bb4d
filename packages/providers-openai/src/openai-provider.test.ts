import {
  iterateStreamParts,
  type LanguageModelV1,
  type LanguageModelV1CallOptions,
  type LanguageModelV1StreamPart,
  ProviderError,
} from "@openclaw/protocol";
import {
  type FakeOpenAIServer,
  fakeSemanticEmbedding,
  fixtureErrorReply,
  fixtureReply,
  openaiChatReply,
  rawStreamReply,
  startFakeOpenAI,
} from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createOpenAI, fromConfig } from "./openai-provider.js";

let fake: FakeOpenAIServer;
beforeEach(async () => {
  fake = await startFakeOpenAI();
});
afterEach(async () => {
  await fake.close();
});

const ask: LanguageModelV1CallOptions = {
  system: "You are helpful.",
  messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
};

async function collect(model: LanguageModelV1, options: LanguageModelV1CallOptions = ask) {
  const result = await model.doStream(options);
  const parts: LanguageModelV1StreamPart[] = [];
  for await (const part of iterateStreamParts(result.stream)) parts.push(part);
  return parts;
}

const text = (parts: LanguageModelV1StreamPart[]) =>
  parts.map((part) => (part.type === "text-delta" ? part.delta : "")).join("");

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!ProviderError.isInstance(error)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

describe("OpenAI Chat Completions", () => {
  const chatModel = () =>
    createOpenAI({ baseURL: fake.baseURL, apiKey: "sk-test", api: "chat" }).languageModel("gpt-4o-mini");

  it("streams text and usage, sending the key, system prompt and stream options", async () => {
    fake.enqueue(fixtureReply("openai-chat/text.jsonl"));
    const parts = await collect(chatModel());
    expect(text(parts)).toBe("Hello! How can I help you today?");
    expect(parts[0]).toEqual({ type: "stream-start", warnings: [] });
    expect(parts.at(-1)).toEqual({
      type: "finish",
      finishReason: "stop",
      usage: { inputTokens: 19, outputTokens: 10 },
    });
    const request = fake.requests[0];
    expect(request?.path).toBe("/v1/chat/completions");
    expect(request?.headers.authorization).toBe("Bearer sk-test");
    expect(request?.body).toMatchObject({
      model: "gpt-4o-mini",
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: "system", content: "You are helpful." },
        { role: "user", content: "hi" },
      ],
    });
  });

  it("assembles tool calls whose arguments arrive split across chunks and TCP writes", async () => {
    fake.enqueue(fixtureReply("openai-chat/tool-calls.jsonl", { splitEvery: 7 }));
    const parts = await collect(chatModel(), {
      ...ask,
      tools: [
        {
          type: "function",
          name: "read",
          description: "Read a file",
          inputSchema: { type: "object", properties: { path: { type: "string" } } },
        },
      ],
      toolChoice: { type: "auto" },
    });
    const calls = parts.filter((part) => part.type === "tool-call");
    expect(calls).toEqual([
      {
        type: "tool-call",
        toolCallId: "call_DdmO9pD3xa9XTPNJ32zg2hcA",
        toolName: "read",
        input: '{"path": "notes/todo.md"}',
      },
      {
        type: "tool-call",
        toolCallId: "call_7fQzM0tMvKoeM3wqkG5hY1Ue",
        toolName: "exec",
        input: '{"command": "ls -la"}',
      },
    ]);
    expect(parts.filter((part) => part.type === "tool-input-delta").length).toBeGreaterThan(2);
    expect(parts.at(-1)).toMatchObject({
      type: "finish",
      finishReason: "tool-calls",
      usage: { inputTokens: 82, outputTokens: 37, cacheReadTokens: 64 },
    });
    expect(fake.requests[0]?.body.tools).toEqual([
      {
        type: "function",
        function: {
          name: "read",
          description: "Read a file",
          parameters: { type: "object", properties: { path: { type: "string" } } },
        },
      },
    ]);
    expect(fake.requests[0]?.body.tool_choice).toBe("auto");
  });

  it("streams reasoning_content as reasoning parts and counts reasoning tokens", async () => {
    fake.enqueue(fixtureReply("openai-chat/reasoning.jsonl"));
    const parts = await collect(chatModel(), { ...ask, thinking: "high" });
    const reasoning = parts.map((part) => (part.type === "reasoning-delta" ? part.delta : "")).join("");
    expect(reasoning).toBe("The user asks 2+2. That is 4.");
    expect(text(parts)).toBe("2 + 2 = 4.");
    expect(parts.findIndex((p) => p.type === "reasoning-end")).toBeLessThan(
      parts.findIndex((p) => p.type === "text-start"),
    );
    expect(parts.at(-1)).toMatchObject({ usage: { reasoningTokens: 31 } });
    expect(fake.requests[0]?.body.reasoning_effort).toBe("high");
  });

  it("maps 429 with Retry-After seconds to a retryable rate_limit error", async () => {
    fake.enqueue(fixtureErrorReply("openai-chat/error-429.json", 429, { "retry-after": "20" }));
    const error = await rejection(chatModel().doStream(ask));
    expect(error).toMatchObject({ kind: "rate_limit", status: 429, isRetryable: true, retryAfterMs: 20_000 });
    expect(error.providerMessage).toContain("Rate limit reached");
  });

  it("reads Retry-After given as an HTTP date", async () => {
    const when = new Date(Date.now() + 30_000).toUTCString();
    fake.enqueue(fixtureErrorReply("openai-chat/error-429.json", 429, { "retry-after": when }));
    const error = await rejection(chatModel().doStream(ask));
    expect(error.retryAfterMs).toBeGreaterThan(20_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it("maps insufficient_quota 429 to billing (not retryable)", async () => {
    fake.enqueue(fixtureErrorReply("openai-chat/error-429-quota.json", 429));
    expect(await rejection(chatModel().doStream(ask))).toMatchObject({ kind: "billing", isRetryable: false });
  });

  it("maps 401 to a non-retryable auth error that says how to fix the key", async () => {
    fake.enqueue(fixtureErrorReply("openai-chat/error-401.json", 401));
    const error = await rejection(chatModel().doStream(ask));
    expect(error).toMatchObject({ kind: "auth", status: 401, isRetryable: false });
    expect(error.message).toContain("openclaw models auth paste-token --provider openai");
  });

  it("maps 500 to a retryable server error and 400 context_length_exceeded to context_length", async () => {
    fake.enqueue(fixtureErrorReply("openai-chat/error-500.json", 500));
    expect(await rejection(chatModel().doStream(ask))).toMatchObject({ kind: "server", isRetryable: true });
    fake.enqueue(fixtureErrorReply("openai-chat/error-400-context-length.json", 400));
    expect(await rejection(chatModel().doStream(ask))).toMatchObject({
      kind: "context_length",
      isRetryable: false,
      providerCode: "context_length_exceeded",
    });
  });

  it("ends with a retryable network error part when the connection drops mid-stream", async () => {
    fake.enqueue(fixtureReply("openai-chat/text.jsonl", { truncateAfter: 3 }));
    const parts = await collect(chatModel());
    expect(text(parts)).toBe("Hello! How");
    const last = parts.at(-1);
    expect(last?.type).toBe("error");
    expect(last?.type === "error" && last.error).toMatchObject({ kind: "network", isRetryable: true });
    expect(parts.some((part) => part.type === "finish")).toBe(false);
  });

  it("treats a body that ends cleanly before [DONE] (even mid-event) as an incomplete stream", async () => {
    fake.enqueue(
      rawStreamReply("text/event-stream", [
        'data: {"id":"x","choices":[{"index":0,"delta":{"content":"cut"}}]}\n\n',
        'data: {"id":"x","choices":[{"index":0,"del',
      ]),
    );
    const parts = await collect(chatModel());
    expect(text(parts)).toBe("cut");
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { kind: "network", isRetryable: true } });
  });

  it("reports malformed SSE data as an invalid_response error part", async () => {
    fake.enqueue(
      rawStreamReply("text/event-stream", [
        'data: {"id":"x","choices":[{"index":0,"delta":{"content":"ok"}}]}\n\n',
        'data: {"id":"x","choices":[{"index":0,"delta":{"content\n\n',
      ]),
    );
    const parts = await collect(chatModel());
    expect(text(parts)).toBe("ok");
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { kind: "invalid_response" } });
  });

  it("flags invalid tool-call JSON with a clear inputError naming the tool, and still finishes", async () => {
    fake.enqueue(
      openaiChatReply({ toolCalls: [{ name: "write", arguments: ['{"path": "a.txt", "content": '] }] }),
    );
    const parts = await collect(chatModel());
    const call = parts.find((part) => part.type === "tool-call");
    expect(call).toMatchObject({ toolName: "write", input: '{"path": "a.txt", "content": ' });
    expect(call?.type === "tool-call" && call.inputError).toContain(
      'tool "write" with arguments that are not valid JSON',
    );
    expect(parts.some((part) => part.type === "error")).toBe(false);
    expect(parts.at(-1)).toMatchObject({ type: "finish", finishReason: "tool-calls" });
  });

  it("aborts mid-stream with an aborted error part", async () => {
    fake.enqueue(openaiChatReply({ text: ["partial"] }, { end: "hang" }));
    const controller = new AbortController();
    const result = await chatModel().doStream({ ...ask, abortSignal: controller.signal });
    const parts: LanguageModelV1StreamPart[] = [];
    for await (const part of iterateStreamParts(result.stream)) {
      parts.push(part);
      if (part.type === "text-delta") controller.abort();
    }
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { kind: "aborted", isRetryable: false } });
  });

  it("rejects with aborted when the signal fired before the request", async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await rejection(chatModel().doStream({ ...ask, abortSignal: controller.signal }))).toMatchObject({
      kind: "aborted",
    });
  });

  it("fails fast without a key, naming OPENAI_API_KEY and the paste-token command", async () => {
    const model = createOpenAI({
      baseURL: fake.baseURL,
      apiKeyRequired: true,
      env: {},
      api: "chat",
    }).languageModel("gpt-4o-mini");
    const error = await rejection(model.doStream(ask));
    expect(error.kind).toBe("auth");
    expect(error.message).toContain("OPENAI_API_KEY");
    expect(error.message).toContain("openclaw models auth paste-token --provider openai");
    expect(fake.requests).toHaveLength(0);
  });

  it("reads the key from the environment at request time", async () => {
    const env: Record<string, string | undefined> = {};
    const model = createOpenAI({
      baseURL: fake.baseURL,
      apiKeyRequired: true,
      env,
      api: "chat",
    }).languageModel("m");
    env.OPENAI_API_KEY = "sk-late";
    fake.enqueue(openaiChatReply({ text: ["hi"] }));
    await collect(model);
    expect(fake.requests[0]?.headers.authorization).toBe("Bearer sk-late");
  });

  it("sends tool results and assistant tool calls back in Chat Completions shape", async () => {
    fake.enqueue(openaiChatReply({ text: ["done"] }));
    await collect(chatModel(), {
      messages: [
        { role: "user", content: [{ type: "text", text: "read it" }] },
        {
          role: "assistant",
          content: [{ type: "tool-call", toolCallId: "call_1", toolName: "read", input: { path: "a" } }],
        },
        {
          role: "tool",
          content: [{ type: "tool-result", toolCallId: "call_1", toolName: "read", output: "file body" }],
        },
      ],
    });
    expect(fake.requests[0]?.body.messages).toEqual([
      { role: "user", content: "read it" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "read", arguments: '{"path":"a"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "file body" },
    ]);
  });
});

describe("OpenAI Responses API", () => {
  const responsesModel = () =>
    createOpenAI({ baseURL: fake.baseURL, apiKey: "sk-test", api: "responses" }).languageModel("gpt-4.1");

  it("streams text with usage from response.completed", async () => {
    fake.enqueue(fixtureReply("openai-responses/text.jsonl"));
    const parts = await collect(responsesModel());
    expect(text(parts)).toBe("Hi there! How can I help?");
    expect(parts).toContainEqual({
      type: "response-metadata",
      id: expect.any(String),
      modelId: "gpt-4.1-2025-04-14",
    });
    expect(parts.at(-1)).toMatchObject({
      type: "finish",
      finishReason: "stop",
      usage: { inputTokens: 37, outputTokens: 11 },
    });
    expect(fake.requests[0]?.path).toBe("/v1/responses");
    expect(fake.requests[0]?.body).toMatchObject({
      instructions: "You are helpful.",
      store: false,
      stream: true,
    });
  });

  it("streams reasoning summaries and a function call split across deltas", async () => {
    fake.enqueue(fixtureReply("openai-responses/reasoning-tool-call.jsonl", { splitEvery: 11 }));
    const parts = await collect(responsesModel(), { ...ask, thinking: "medium" });
    const reasoning = parts.map((part) => (part.type === "reasoning-delta" ? part.delta : "")).join("");
    expect(reasoning).toBe("**Reading the file** I should read notes/todo.md first.");
    expect(parts.find((p) => p.type === "reasoning-end")).toMatchObject({
      providerMetadata: { openai: { encryptedContent: "gAAAAABoBr_Kencrypted" } },
    });
    expect(parts.find((p) => p.type === "tool-call")).toMatchObject({
      toolCallId: "call_Ak2tEmXdQtrWgCzQuGTqnpfT",
      toolName: "read",
      input: '{"path":"notes/todo.md"}',
    });
    expect(parts.at(-1)).toMatchObject({
      type: "finish",
      finishReason: "tool-calls",
      usage: { inputTokens: 120, outputTokens: 210, reasoningTokens: 192, cacheReadTokens: 96 },
    });
    expect(fake.requests[0]?.body.reasoning).toEqual({ effort: "medium", summary: "auto" });
  });

  it("turns response.failed into a server error part after the partial text", async () => {
    fake.enqueue(fixtureReply("openai-responses/failed.jsonl"));
    const parts = await collect(responsesModel());
    expect(text(parts)).toBe("Partial");
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { kind: "server", isRetryable: true } });
  });
});

describe("fromConfig and listModels", () => {
  it("serves a custom OpenAI-compatible provider with its headers and a key from an env reference", async () => {
    const provider = fromConfig(
      "my-vllm",
      {
        baseUrl: fake.baseURL,
        api: "openai-completions",
        apiKey: "${MY_VLLM_KEY}",
        headers: { "X-Title": "OpenClaw" },
      },
      { MY_VLLM_KEY: "vllm-secret" },
    );
    fake.enqueue(openaiChatReply({ text: ["hey"] }));
    const parts = await collect(provider.languageModel("qwen2.5"));
    expect(text(parts)).toBe("hey");
    expect(fake.requests[0]?.headers).toMatchObject({
      authorization: "Bearer vllm-secret",
      "x-title": "OpenClaw",
    });
  });

  it("a keyless local server (lmstudio) sends no Authorization header", async () => {
    const provider = fromConfig("lmstudio", { baseUrl: fake.baseURL }, {});
    fake.enqueue(openaiChatReply({ text: ["local"] }));
    expect(text(await collect(provider.languageModel("qwen")))).toBe("local");
    expect(fake.requests[0]?.headers.authorization).toBeUndefined();
  });

  it("host overrides (fetch, key, base URL, headers) win over config", async () => {
    const seen: string[] = [];
    const fetchSpy: typeof fetch = (input, init) => {
      seen.push(String(input));
      return fetch(input, init);
    };
    const provider = fromConfig(
      "openai",
      { baseUrl: "https://api.openai.com/v1", headers: { "x-a": "config" } },
      {},
      { fetch: fetchSpy, apiKey: "profile-key", baseURL: fake.baseURL, headers: { "x-b": "host" } },
    );
    fake.enqueue(fixtureReply("openai-responses/text.jsonl"));
    await collect(provider.languageModel("gpt-4.1"));
    expect(seen).toEqual([`${fake.baseURL}/responses`]);
    expect(fake.requests[0]?.headers).toMatchObject({
      authorization: "Bearer profile-key",
      "x-a": "config",
      "x-b": "host",
    });
  });

  it("lists models from GET /models", async () => {
    const provider = createOpenAI({ baseURL: fake.baseURL, apiKey: "k" });
    expect(await provider.listModels()).toEqual([{ id: "gpt-4o-mini" }, { id: "gpt-4.1" }]);
  });

  it("rejects a config for another API", () => {
    expect(() => fromConfig("anthropic", {})).toThrow(/cannot serve api "anthropic-messages"/);
  });
});

describe("OpenAI embeddings", () => {
  it("embeds a batch in input order and reports tokens", async () => {
    const result = await createOpenAI({ baseURL: fake.baseURL, apiKey: "sk-test" })
      .textEmbeddingModel("text-embedding-3-small")
      .doEmbed({ values: ["hello world", "a"] });
    expect(result).toEqual({
      embeddings: [fakeSemanticEmbedding("hello world"), fakeSemanticEmbedding("a")],
      usage: { tokens: 4 },
    });
    expect(fake.requests[0]?.headers.authorization).toBe("Bearer sk-test");
    expect(fake.requests[0]?.body).toMatchObject({
      model: "text-embedding-3-small",
      input: ["hello world", "a"],
    });
  });

  it("maps an embeddings 401 to auth", async () => {
    fake.route("POST /v1/embeddings", () => ({
      type: "json",
      status: 401,
      body: { error: { message: "bad key", code: "invalid_api_key" } },
    }));
    const error = await rejection(
      createOpenAI({ baseURL: fake.baseURL, apiKey: "x" })
        .textEmbeddingModel("e")
        .doEmbed({ values: ["a"] }),
    );
    expect(error.kind).toBe("auth");
  });
});
