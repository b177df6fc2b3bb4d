import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fromConfig } from "@openclaw/providers-openai";
import {
  type FakeOpenAIServer,
  openaiChatReply,
  openaiErrorReply,
  rawStreamReply,
  sseReply,
  startFakeOpenAI,
} from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { middayClock } from "../__fixtures__/midday-clock.js";
import { type Assistant, createAssistant } from "../assistant.js";
import type { ChatEventPayload } from "../bus/event-bus.js";
import type { ProviderFactory } from "../models/provider-registry.js";

// The whole path through the real OpenAI-compatible provider package and real HTTP (fake server).
let dir: string;
let server: FakeOpenAIServer;
let backup: FakeOpenAIServer;
let assistant: Assistant | undefined;
const openai: ProviderFactory = (options) => fromConfig(options.id, options.config, options.env);

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-e2e-"));
  server = await startFakeOpenAI();
  backup = await startFakeOpenAI();
});
afterEach(async () => {
  await assistant?.close();
  assistant = undefined;
  await server.close();
  await backup.close();
  await rm(dir, { recursive: true, force: true });
});

function setup(fallbacks: string[] = []) {
  assistant = createAssistant({
    clock: middayClock(),
    config: {
      agents: {
        defaults: { workspace: path.join(dir, "ws"), model: { primary: "fake/gpt-test", fallbacks } },
      },
      models: {
        providers: {
          fake: {
            baseUrl: server.baseURL,
            api: "openai-completions",
            apiKey: "sk-primary",
            models: [{ id: "gpt-test", contextWindow: 128000 }],
          },
          backup: {
            baseUrl: backup.baseURL,
            api: "openai-completions",
            apiKey: "sk-backup",
            models: [{ id: "gpt-backup" }],
          },
        },
      },
    },
    providerFactories: { "openai-completions": openai },
    stateDir: path.join(dir, "state"),
    env: {},
  });
  return assistant;
}

describe("end to end through providers-openai", () => {
  it("streams deltas, runs a read tool, ends with final; transcript has every step", async () => {
    const a = setup();
    await a.enqueue({ text: "/status" });
    await import("node:fs/promises").then((fs) => fs.mkdir(path.join(dir, "ws"), { recursive: true }));
    await writeFile(path.join(dir, "ws", "todo.md"), "- water the plants\n");
    server.enqueue(
      openaiChatReply({
        toolCalls: [{ id: "call_read", name: "read", arguments: ['{"pa', 'th": "todo', '.md"}'] }],
      }),
      openaiChatReply({ text: ["You need to ", "water the plants."] }),
    );
    const chat: ChatEventPayload[] = [];
    a.bus.on("chat", (event) => chat.push(event));
    const tools: string[] = [];
    a.bus.on(
      "agent",
      (event) => event.stream === "tool" && tools.push(`${event.data.phase}:${event.data.name}`),
    );
    const result = await a.enqueue({ text: "what is on my todo list?" });
    expect(result).toMatchObject({
      status: "ok",
      text: "You need to water the plants.",
      model: "fake/gpt-test",
    });
    expect(tools).toEqual(["start:read", "result:read"]);
    expect(
      chat.filter((e) => e.state === "delta").map((e) => (e as { deltaText: string }).deltaText),
    ).toEqual(["You need to ", "water the plants."]);
    expect(chat.at(-1)?.state).toBe("final");
    // what the provider sent: bearer key, the tool result on the second call
    expect(server.requests[0]!.headers.authorization).toBe("Bearer sk-primary");
    const second = server.requests[1]!.body;
    expect(second.messages.at(-1)).toMatchObject({
      role: "tool",
      tool_call_id: "call_read",
      content: "- water the plants\n",
    });
    await a.close();
    const entry = (await a.sessions.get("main"))!;
    const lines = (
      await readFile(
        path.join(dir, "state", "agents", "main", "sessions", `${entry.sessionId}.jsonl`),
        "utf8",
      )
    )
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines[0].type).toBe("session");
    const messages = lines.filter((line) => line.type === "message").map((line) => line.message);
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "toolResult", "assistant"]);
    expect(messages[1].content).toEqual([
      { type: "toolCall", id: "call_read", name: "read", arguments: { path: "todo.md" } },
    ]);
    expect(messages[1]).toMatchObject({ provider: "fake", model: "gpt-test", stopReason: "toolUse" });
    expect(messages[3]).toMatchObject({
      stopReason: "stop",
      usage: { input: 10, output: 5, totalTokens: 15 },
    });
    for (let index = 2; index < lines.length; index++)
      expect(lines[index].parentId).toBe(lines[index - 1].id);
  });

  it("429 with Retry-After on the primary fails over to the fallback over HTTP", async () => {
    const a = setup(["backup/gpt-backup"]);
    server.enqueue(
      openaiErrorReply(
        429,
        { message: "Rate limit reached", type: "rate_limit_error" },
        { "retry-after": "7" },
      ),
    );
    backup.enqueue(openaiChatReply({ text: ["from backup"] }));
    const result = await a.enqueue({ text: "hi" });
    expect(result).toMatchObject({ status: "ok", text: "from backup", model: "backup/gpt-backup" });
    expect(backup.requests[0]!.headers.authorization).toBe("Bearer sk-backup");
  });

  it("a mid-stream disconnect after text keeps the partial answer and reports the error once", async () => {
    const a = setup(["backup/gpt-backup"]);
    const chunk = {
      id: "c1",
      object: "chat.completion.chunk",
      created: 1,
      model: "gpt-test",
      choices: [{ index: 0, delta: { content: "Half an ans" }, finish_reason: null }],
    };
    server.enqueue(sseReply([{ data: chunk }], { end: "disconnect" }));
    const errors: ChatEventPayload[] = [];
    a.bus.on("chat", (event) => event.state === "error" && errors.push(event));
    const result = await a.enqueue({ text: "hi" });
    expect(result.status).toBe("error");
    expect(result.text).toMatch(/broke off/);
    expect(errors).toHaveLength(1);
    // no duplicate answer from the fallback after text already streamed
    expect(backup.requests).toHaveLength(0);
  });

  it("malformed SSE from the server is one clear error, and the next message still works", async () => {
    const a = setup();
    server.enqueue(rawStreamReply("text/event-stream", ["data: {this is not json\n\n", "data: [DONE]\n\n"]));
    const bad = await a.enqueue({ text: "hi" });
    expect(bad.status).toBe("error");
    expect(bad.payloads).toHaveLength(1);
    expect(bad.text.length).toBeGreaterThan(10);
    server.enqueue(openaiChatReply({ text: ["fine now"] }));
    expect(await a.enqueue({ text: "again" })).toMatchObject({ status: "ok", text: "fine now" });
  });

  it("a 401 names the provider and the fix", async () => {
    const a = setup();
    server.enqueue({
      type: "json",
      status: 401,
      body: {
        error: {
          message: "Incorrect API key provided",
          type: "invalid_request_error",
          code: "invalid_api_key",
        },
      },
    });
    const result = await a.enqueue({ text: "hi" });
    expect(result.status).toBe("error");
    expect(result.text).toContain("fake/gpt-test");
    expect(result.text).toContain("Incorrect API key provided");
    expect(result.text).toContain("openclaw models auth paste-token --provider fake");
  });
});
