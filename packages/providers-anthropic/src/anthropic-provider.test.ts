import {
  iterateStreamParts,
  type LanguageModelV1,
  type LanguageModelV1CallOptions,
  type LanguageModelV1StreamPart,
  ProviderError,
} from "@openclaw/protocol";
import {
  anthropicTextReply,
  type FakeAnthropicServer,
  fixtureErrorReply,
  fixtureReply,
  rawStreamReply,
  sseEvent,
  startFakeAnthropic,
} from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAnthropic, fromConfig } from "./anthropic-provider.js";

let fake: FakeAnthropicServer;
beforeEach(async () => {
  fake = await startFakeAnthropic();
});
afterEach(async () => {
  await fake.close();
});

const ask: LanguageModelV1CallOptions = {
  system: "You are helpful.",
  messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
};
const model = () =>
  createAnthropic({ baseURL: fake.baseURL, apiKey: "sk-ant-api03-test" }).languageModel("claude-sonnet-4-5");

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

describe("Anthropic Messages", () => {
  it("streams text and usage; sends x-api-key, version header and cache breakpoints", async () => {
    fake.enqueue(fixtureReply("anthropic/text.jsonl"));
    const parts = await collect(model());
    expect(joined(parts, "text-delta")).toBe("Hello! How can I help today?");
    expect(parts.at(-1)).toMatchObject({
      type: "finish",
      finishReason: "stop",
      usage: { inputTokens: 25, outputTokens: 12 },
    });
    const request = fake.requests[0];
    expect(request?.path).toBe("/v1/messages");
    expect(request?.headers["x-api-key"]).toBe("sk-ant-api03-test");
    expect(request?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(request?.body).toMatchObject({
      model: "claude-sonnet-4-5",
      stream: true,
      max_tokens: 8192,
      system: [{ type: "text", text: "You are helpful.", cache_control: { type: "ephemeral" } }],
      messages: [
        { role: "user", content: [{ type: "text", text: "hi", cache_control: { type: "ephemeral" } }] },
      ],
    });
  });

  it("streams thinking with its signature, then a tool call whose JSON arrives in fragments", async () => {
    fake.enqueue(fixtureReply("anthropic/thinking-tool-use.jsonl", { splitEvery: 9 }));
    const parts = await collect(model(), {
      ...ask,
      thinking: "medium",
      tools: [
        {
          type: "function",
          name: "read",
          inputSchema: { type: "object", properties: { path: { type: "string" } } },
        },
      ],
    });
    expect(joined(parts, "reasoning-delta")).toBe("The user wants the todo list. I'll read notes/todo.md.");
    expect(parts.find((p) => p.type === "reasoning-end")).toMatchObject({
      providerMetadata: { anthropic: { signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds" } },
    });
    expect(joined(parts, "text-delta")).toBe("Let me check your notes.");
    expect(parts.find((p) => p.type === "tool-call")).toEqual({
      type: "tool-call",
      toolCallId: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
      toolName: "read",
      input: '{"path": "notes/todo.md"}',
    });
    expect(parts.at(-1)).toMatchObject({
      type: "finish",
      finishReason: "tool-calls",
      usage: {
        inputTokens: 472 + 1024 + 2048,
        outputTokens: 89,
        cacheReadTokens: 2048,
        cacheWriteTokens: 1024,
      },
    });
    const body = fake.requests[0]?.body;
    expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 10_000 });
    expect(body.max_tokens).toBe(8192 + 10_000);
    expect(body.tools).toEqual([
      {
        name: "read",
        input_schema: { type: "object", properties: { path: { type: "string" } } },
        cache_control: { type: "ephemeral" },
      },
    ]);
  });

  it("replays thinking signatures, tool_use and tool_result blocks on the next turn", async () => {
    fake.enqueue(anthropicTextReply(["ok"]));
    await collect(model(), {
      providerOptions: { anthropic: { cacheControl: false } },
      messages: [
        { role: "user", content: [{ type: "text", text: "todo?" }] },
        {
          role: "assistant",
          content: [
            { type: "reasoning", text: "read it", providerOptions: { anthropic: { signature: "sig" } } },
            { type: "tool-call", toolCallId: "toolu_1", toolName: "read", input: { path: "todo.md" } },
          ],
        },
        {
          role: "tool",
          content: [
            { type: "tool-result", toolCallId: "toolu_1", toolName: "read", output: "nope", isError: true },
          ],
        },
      ],
    });
    expect(fake.requests[0]?.body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "todo?" }] },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "read it", signature: "sig" },
          { type: "tool_use", id: "toolu_1", name: "read", input: { path: "todo.md" } },
        ],
      },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "nope", is_error: true }],
      },
    ]);
    expect(fake.requests[0]?.body.system).toBeUndefined();
  });

  it("uses a bearer token and the oauth beta for Claude setup-tokens", async () => {
    fake.enqueue(anthropicTextReply(["ok"]));
    await collect(
      createAnthropic({ baseURL: fake.baseURL, apiKey: "sk-ant-oat01-abc" }).languageModel("claude"),
    );
    expect(fake.requests[0]?.headers.authorization).toBe("Bearer sk-ant-oat01-abc");
    expect(fake.requests[0]?.headers["anthropic-beta"]).toBe("oauth-2025-04-20");
    expect(fake.requests[0]?.headers["x-api-key"]).toBeUndefined();
  });

  it("maps 429 + retry-after, 401, 529 overloaded, context length and billing errors", async () => {
    fake.enqueue(fixtureErrorReply("anthropic/error-429.json", 429, { "retry-after": "7" }));
    expect(await rejection(model().doStream(ask))).toMatchObject({
      kind: "rate_limit",
      isRetryable: true,
      retryAfterMs: 7000,
      // what the FAQ says users see: "HTTP 429: rate_limit_error"
      message: expect.stringContaining("anthropic API error: HTTP 429: rate_limit_error (rate_limit): "),
    });
    fake.enqueue(fixtureErrorReply("anthropic/error-401.json", 401));
    const auth = await rejection(model().doStream(ask));
    expect(auth).toMatchObject({ kind: "auth", isRetryable: false, providerMessage: "invalid x-api-key" });
    expect(auth.message).toContain("ANTHROPIC_API_KEY");
    fake.enqueue(fixtureErrorReply("anthropic/error-529.json", 529));
    expect(await rejection(model().doStream(ask))).toMatchObject({
      kind: "server",
      isRetryable: true,
      status: 529,
    });
    fake.enqueue(fixtureErrorReply("anthropic/error-500.json", 500));
    expect(await rejection(model().doStream(ask))).toMatchObject({ kind: "server", isRetryable: true });
    fake.enqueue(fixtureErrorReply("anthropic/error-400-context-length.json", 400));
    expect(await rejection(model().doStream(ask))).toMatchObject({
      kind: "context_length",
      isRetryable: false,
    });
    fake.enqueue(fixtureErrorReply("anthropic/error-400-billing.json", 400));
    expect(await rejection(model().doStream(ask))).toMatchObject({ kind: "billing", isRetryable: false });
  });

  it("turns an overloaded error event mid-stream into a retryable error part", async () => {
    fake.enqueue(fixtureReply("anthropic/error-overloaded-midstream.jsonl"));
    const parts = await collect(model());
    expect(joined(parts, "text-delta")).toBe("Partial");
    expect(parts.at(-1)).toMatchObject({
      type: "error",
      error: { kind: "server", isRetryable: true, providerCode: "overloaded_error" },
    });
  });

  it("ends with a network error part on mid-stream disconnect", async () => {
    fake.enqueue(fixtureReply("anthropic/text.jsonl", { truncateAfter: 4 }));
    const parts = await collect(model());
    expect(joined(parts, "text-delta")).toBe("Hello");
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { kind: "network", isRetryable: true } });
  });

  it("reports malformed SSE as invalid_response", async () => {
    fake.enqueue(
      rawStreamReply("text/event-stream", [
        sseEvent({ type: "message_start", message: { id: "m" } }, "message_start"),
        "event: content_block_start\ndata: {oops\n\n",
      ]),
    );
    const parts = await collect(model());
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { kind: "invalid_response" } });
  });

  it("flags invalid tool input JSON on the tool-call and still finishes", async () => {
    const event = (type: string, fields: Record<string, unknown> = {}) => ({
      event: type,
      data: { type, ...fields },
    });
    fake.enqueue(
      rawStreamReply(
        "text/event-stream",
        [
          event("message_start", {
            message: { id: "m", model: "claude", usage: { input_tokens: 1, output_tokens: 1 } },
          }),
          event("content_block_start", {
            index: 0,
            content_block: { type: "tool_use", id: "toolu_x", name: "exec", input: {} },
          }),
          event("content_block_delta", {
            index: 0,
            delta: { type: "input_json_delta", partial_json: '{"command": "ls' },
          }),
          event("content_block_stop", { index: 0 }),
          event("message_delta", { delta: { stop_reason: "tool_use" }, usage: { output_tokens: 3 } }),
          event("message_stop"),
        ].map((line) => sseEvent(line.data, line.event)),
      ),
    );
    const parts = await collect(model());
    const call = parts.find((p) => p.type === "tool-call");
    expect(call).toMatchObject({ toolCallId: "toolu_x", toolName: "exec", input: '{"command": "ls' });
    expect(call?.type === "tool-call" && call.inputError).toContain('tool "exec"');
    expect(parts.some((p) => p.type === "error")).toBe(false);
    expect(parts.at(-1)).toMatchObject({ type: "finish", finishReason: "tool-calls" });
  });

  it("aborts mid-stream", async () => {
    fake.enqueue(anthropicTextReply(["partial"], undefined, { end: "hang" }));
    const controller = new AbortController();
    const result = await model().doStream({ ...ask, abortSignal: controller.signal });
    const parts: LanguageModelV1StreamPart[] = [];
    for await (const part of iterateStreamParts(result.stream)) {
      parts.push(part);
      if (part.type === "text-delta") controller.abort();
    }
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { kind: "aborted" } });
  });

  it("fails without a key, naming ANTHROPIC_API_KEY and the paste-token command", async () => {
    const error = await rejection(
      createAnthropic({ baseURL: fake.baseURL, env: {} }).languageModel("claude").doStream(ask),
    );
    expect(error.kind).toBe("auth");
    expect(error.message).toContain("ANTHROPIC_API_KEY");
    expect(error.message).toContain("openclaw models auth paste-token --provider anthropic");
    expect(fake.requests).toHaveLength(0);
  });

  it("fromConfig reads the key from env and lists models", async () => {
    const provider = fromConfig("anthropic", { baseUrl: fake.baseURL }, { ANTHROPIC_API_KEY: "from-env" });
    expect(await provider.listModels()).toEqual([
      { id: "claude-sonnet-4-5-20250929", name: "Claude Sonnet 4.5" },
    ]);
    expect(fake.requests[0]?.headers["x-api-key"]).toBe("from-env");
  });
});
