import {
  iterateStreamParts,
  type LanguageModelV1,
  type LanguageModelV1CallOptions,
  type LanguageModelV1StreamPart,
  ProviderError,
} from "@openclaw/protocol";
import {
  type FakeOllamaServer,
  fixtureErrorReply,
  fixtureReply,
  jsonReply,
  ollamaTextReply,
  rawStreamReply,
  startFakeOllama,
} from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createOllama, fromConfig, normalizeOllamaBaseURL } from "./ollama-provider.js";

let fake: FakeOllamaServer;
beforeEach(async () => {
  fake = await startFakeOllama();
});
afterEach(async () => {
  await fake.close();
});

const ask: LanguageModelV1CallOptions = {
  system: "You are helpful.",
  messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
};
const model = (id = "llama3.2") => createOllama({ baseURL: fake.baseURL, env: {} }).languageModel(id);

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

describe("Ollama /api/chat", () => {
  it("streams NDJSON text with eval counts as usage, without any key", async () => {
    fake.enqueue(fixtureReply("ollama/chat-text.jsonl", { splitEvery: 10 }));
    const parts = await collect(model());
    expect(joined(parts, "text-delta")).toBe("Hello! How can I help?");
    expect(parts.at(-1)).toEqual({
      type: "finish",
      finishReason: "stop",
      usage: { inputTokens: 26, outputTokens: 12 },
    });
    const request = fake.requests[0];
    expect(request?.path).toBe("/api/chat");
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.body).toEqual({
      model: "llama3.2",
      stream: true,
      messages: [
        { role: "system", content: "You are helpful." },
        { role: "user", content: "hi" },
      ],
    });
  });

  it("emits tool calls and sends the tool list", async () => {
    fake.enqueue(fixtureReply("ollama/chat-tool-call.jsonl"));
    const parts = await collect(model(), {
      ...ask,
      tools: [
        {
          type: "function",
          name: "read",
          inputSchema: { type: "object", properties: { path: { type: "string" } } },
        },
      ],
    });
    expect(parts.find((p) => p.type === "tool-call")).toEqual({
      type: "tool-call",
      toolCallId: "call_0",
      toolName: "read",
      input: '{"path":"notes/todo.md"}',
    });
    expect(parts.at(-1)).toMatchObject({ type: "finish", finishReason: "tool-calls" });
    expect(fake.requests[0]?.body.tools[0]).toEqual({
      type: "function",
      function: { name: "read", parameters: { type: "object", properties: { path: { type: "string" } } } },
    });
  });

  it("streams thinking and sends think: true (or a level for gpt-oss)", async () => {
    fake.enqueue(fixtureReply("ollama/chat-thinking.jsonl"));
    const parts = await collect(model("qwen3:8b"), { ...ask, thinking: "high" });
    expect(joined(parts, "reasoning-delta")).toBe("The user asks 2+2. That is 4.");
    expect(joined(parts, "text-delta")).toBe("2 + 2 = 4.");
    expect(fake.requests[0]?.body.think).toBe(true);
    fake.enqueue(ollamaTextReply(["ok"]));
    await collect(model("gpt-oss:20b"), { ...ask, thinking: "medium" });
    expect(fake.requests[1]?.body.think).toBe("medium");
  });

  it("sends tool results back with tool_name", async () => {
    fake.enqueue(ollamaTextReply(["ok"]));
    await collect(model(), {
      messages: [
        {
          role: "assistant",
          content: [{ type: "tool-call", toolCallId: "call_0", toolName: "read", input: { path: "a" } }],
        },
        {
          role: "tool",
          content: [{ type: "tool-result", toolCallId: "call_0", toolName: "read", output: "body" }],
        },
      ],
    });
    expect(fake.requests[0]?.body.messages).toEqual([
      {
        role: "assistant",
        content: "",
        tool_calls: [{ function: { name: "read", arguments: { path: "a" } } }],
      },
      { role: "tool", content: "body", tool_name: "read" },
    ]);
  });

  it("maps a missing model (404) to invalid_request with the pull hint", async () => {
    fake.enqueue(fixtureErrorReply("ollama/error-404.json", 404));
    const error = await rejection(model("nope").doStream(ask));
    expect(error).toMatchObject({ kind: "invalid_request", status: 404, isRetryable: false });
    expect(error.message).toContain("ollama pull");
  });

  it("maps 500 to server, 429 with Retry-After to rate_limit", async () => {
    fake.enqueue(jsonReply(500, { error: "llama runner process has terminated" }));
    expect(await rejection(model().doStream(ask))).toMatchObject({ kind: "server", isRetryable: true });
    fake.enqueue(jsonReply(429, { error: "too many requests" }, { "retry-after": "2" }));
    expect(await rejection(model().doStream(ask))).toMatchObject({ kind: "rate_limit", retryAfterMs: 2000 });
  });

  it("turns an error line mid-stream, a disconnect and a malformed line into error parts", async () => {
    fake.enqueue(
      rawStreamReply("application/x-ndjson", [
        '{"model":"llama3.2","message":{"content":"a"},"done":false}\n',
        '{"error":"out of memory"}\n',
      ]),
    );
    expect((await collect(model())).at(-1)).toMatchObject({ type: "error", error: { kind: "server" } });
    fake.enqueue(fixtureReply("ollama/chat-text.jsonl", { truncateAfter: 2 }));
    const cut = await collect(model());
    expect(joined(cut, "text-delta")).toBe("Hello! How can");
    expect(cut.at(-1)).toMatchObject({ type: "error", error: { kind: "network", isRetryable: true } });
    fake.enqueue(
      rawStreamReply("application/x-ndjson", [
        '{"model":"llama3.2","message":{"content":"a"},"done":false}\n{"mod\n',
      ]),
    );
    expect((await collect(model())).at(-1)).toMatchObject({
      type: "error",
      error: { kind: "invalid_response" },
    });
  });

  it("says Ollama is not running when nothing listens", async () => {
    const address = fake.baseURL;
    await fake.close();
    const error = await rejection(createOllama({ baseURL: address }).languageModel("llama3.2").doStream(ask));
    expect(error.kind).toBe("network");
    expect(error.message).toContain("is Ollama running");
    fake = await startFakeOllama();
  });

  it("aborts mid-stream", async () => {
    fake.enqueue(ollamaTextReply(["partial"], undefined, { end: "hang" }));
    const controller = new AbortController();
    const result = await model().doStream({ ...ask, abortSignal: controller.signal });
    const parts: LanguageModelV1StreamPart[] = [];
    for await (const part of iterateStreamParts(result.stream)) {
      parts.push(part);
      if (part.type === "text-delta") controller.abort();
    }
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { kind: "aborted" } });
  });

  it("lists installed models from /api/tags; fromConfig takes the FAQ { enabled, baseUrl } form", async () => {
    const provider = fromConfig("ollama", { enabled: true, baseUrl: `${fake.baseURL}/v1` }, {});
    expect(provider).toBeDefined();
    expect(await provider?.listModels()).toEqual([
      { id: "llama3.2:latest", name: "llama3.2:latest" },
      { id: "qwen3:8b", name: "qwen3:8b" },
    ]);
    expect(fake.requests[0]?.path).toBe("/api/tags");
    expect(fromConfig("ollama", { enabled: false })).toBeUndefined();
  });

  it("normalizes pasted base URLs", () => {
    expect(normalizeOllamaBaseURL("localhost:11434/v1/")).toBe("http://localhost:11434");
    expect(normalizeOllamaBaseURL("http://gpu-box:11434/api")).toBe("http://gpu-box:11434");
  });
});

describe("Ollama embeddings", () => {
  it("embeds a batch through /api/embed", async () => {
    const result = await createOllama({ baseURL: fake.baseURL, env: {} })
      .textEmbeddingModel("nomic-embed-text")
      .doEmbed({ values: ["hello world", "a"] });
    expect(result.embeddings).toEqual([
      [11, 3, 1, 104],
      [1, 1, 0, 97],
    ]);
    expect(fake.requests[0]?.body).toEqual({ model: "nomic-embed-text", input: ["hello world", "a"] });
  });

  it("reads OLLAMA_HOST at request time", async () => {
    const env: Record<string, string | undefined> = {};
    const provider = createOllama({ env });
    env.OLLAMA_HOST = fake.baseURL.replace("http://", "");
    expect(await provider.listModels()).toHaveLength(2);
  });
});
