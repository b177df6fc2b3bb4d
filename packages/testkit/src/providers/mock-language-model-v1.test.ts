import { iterateStreamParts, ProviderError } from "@openclaw/protocol";
import { describe, expect, it } from "vitest";
import {
  MockLanguageModelV1,
  mockProviderError,
  mockTextResponse,
  mockToolCallResponse,
} from "./mock-language-model-v1.js";

async function collect(model: MockLanguageModelV1, signal?: AbortSignal) {
  const result = await model.doStream({
    messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
    abortSignal: signal,
  });
  const parts = [];
  for await (const part of iterateStreamParts(result.stream)) parts.push(part);
  return parts;
}

describe("MockLanguageModelV1", () => {
  it("plays one script per call, records calls, repeats the last script", async () => {
    const model = new MockLanguageModelV1({
      scripts: [
        mockToolCallResponse([{ toolName: "read", input: { path: "a.txt" } }]),
        mockTextResponse(["he", "llo"]),
      ],
    });
    const first = await collect(model);
    expect(first.find((p) => p.type === "tool-call")).toMatchObject({
      toolName: "read",
      input: '{"path":"a.txt"}',
    });
    const second = await collect(model);
    expect(
      second
        .filter((p) => p.type === "text-delta")
        .map((p) => (p as { delta: string }).delta)
        .join(""),
    ).toBe("hello");
    await collect(model);
    expect(model.calls).toHaveLength(3);
  });

  it("scripts a tool call with unparsable arguments the way providers report it", async () => {
    const model = new MockLanguageModelV1({
      script: mockToolCallResponse([{ toolName: "write", rawInput: '{"path": ' }]),
    });
    const call = (await collect(model)).find((part) => part.type === "tool-call");
    expect(call).toMatchObject({ input: '{"path": ', inputError: expect.stringContaining('tool "write"') });
  });

  it("rejects with a scripted ProviderError", async () => {
    const model = new MockLanguageModelV1({
      scripts: [mockProviderError("rate_limit", { status: 429, retryAfterMs: 2000 })],
    });
    const error = await collect(model).catch((e: unknown) => e);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ kind: "rate_limit", isRetryable: true, retryAfterMs: 2000 });
  });

  it("hangs until aborted, then ends with an aborted error part", async () => {
    const model = new MockLanguageModelV1({
      script: { parts: mockTextResponse("partial").slice(0, 3), hang: true },
    });
    const controller = new AbortController();
    const result = await model.doStream({ messages: [], abortSignal: controller.signal });
    const parts = [];
    for await (const part of iterateStreamParts(result.stream)) {
      parts.push(part);
      if (part.type === "text-delta") controller.abort();
    }
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { kind: "aborted" } });
  });
});
