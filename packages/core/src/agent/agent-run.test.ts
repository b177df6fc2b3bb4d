import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AGENT_STREAM_DATA_SCHEMAS,
  AgentEventPayloadSchema,
  ChatEventPayloadSchema,
} from "@openclaw/protocol";
import {
  createMockProvider,
  MockLanguageModelV1,
  mockProviderError,
  mockTextResponse,
  mockToolCallResponse,
} from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { middayClock } from "../__fixtures__/midday-clock.js";
import { type Assistant, createAssistant } from "../assistant.js";
import type { ChatEventPayload } from "../bus/event-bus.js";
import type { RuntimeConfig } from "../models/runtime-config.js";
import type { AssistantEvent } from "./events.js";

let dir: string;
let assistant: Assistant | undefined;
const schemaErrors: unknown[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-agent-"));
});
afterEach(async () => {
  expect(schemaErrors).toEqual([]);
  schemaErrors.length = 0;
  await assistant?.close();
  assistant = undefined;
  await rm(dir, { recursive: true, force: true });
});

function setup(
  models: Record<string, MockLanguageModelV1>,
  config: RuntimeConfig = {},
  extra: Partial<Parameters<typeof createAssistant>[0]> = {},
) {
  const provider = createMockProvider({ id: "mock", models });
  assistant = createAssistant({
    clock: middayClock(),
    config: {
      ...config,
      agents: {
        ...config.agents,
        defaults: {
          workspace: path.join(dir, "workspace"),
          model: { primary: "mock/a", fallbacks: [] },
          ...config.agents?.defaults,
        },
      },
    },
    providers: [provider],
    stateDir: path.join(dir, "state"),
    env: {},
    ...extra,
  });
  // every bus event must match the gateway protocol's schemas (the gateway forwards them verbatim)
  assistant.bus.onListenerError = (error) => schemaErrors.push(error);
  assistant.bus.on("chat", (event) => {
    ChatEventPayloadSchema.parse(event);
  });
  assistant.bus.on("agent", (event) => {
    AgentEventPayloadSchema.parse(event);
    const schema = AGENT_STREAM_DATA_SCHEMAS[event.stream as keyof typeof AGENT_STREAM_DATA_SCHEMAS];
    schema?.parse(event.data);
  });
  return assistant;
}

async function collect(events: AsyncIterable<AssistantEvent>): Promise<AssistantEvent[]> {
  const all: AssistantEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

async function transcriptLines(a: Assistant, key = "main") {
  await a.close();
  const entry = await a.sessions.get(key);
  const file = path.join(dir, "state", "agents", "main", "sessions", `${entry!.sessionId}.jsonl`);
  return (await readFile(file, "utf8"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, any>);
}

describe("agent run", () => {
  it("streams deltas and a final reply, and writes the transcript in OpenClaw's JSONL shape", async () => {
    const a = setup({
      a: new MockLanguageModelV1({
        provider: "mock",
        modelId: "a",
        script: mockTextResponse(["Hel", "lo!"], { usage: { inputTokens: 12, outputTokens: 3 } }),
      }),
    });
    const chat: ChatEventPayload[] = [];
    a.bus.on("chat", (event) => chat.push(event));
    const events = await collect(a.send({ text: "hi" }));
    expect(events.filter((e) => e.type === "text-delta").map((e) => (e as { delta: string }).delta)).toEqual([
      "Hel",
      "lo!",
    ]);
    const final = events.at(-1)!;
    expect(final).toMatchObject({ type: "final", text: "Hello!", model: "mock/a" });
    expect(chat.map((e) => e.state)).toEqual(["delta", "delta", "final"]);
    expect(chat.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(chat[0]).toMatchObject({ sessionKey: "agent:main:main", deltaText: "Hel" });

    const lines = await transcriptLines(a);
    expect(lines[0]).toMatchObject({ type: "session", version: 3, cwd: path.join(dir, "workspace") });
    expect(lines[1]).toMatchObject({ type: "model_change", parentId: null, provider: "mock", modelId: "a" });
    expect(lines[2]).toMatchObject({
      type: "message",
      parentId: lines[1]!.id,
      message: { role: "user", content: [{ type: "text", text: "hi" }] },
    });
    expect(lines[3]).toMatchObject({
      type: "message",
      parentId: lines[2]!.id,
      message: {
        role: "assistant",
        provider: "mock",
        model: "a",
        stopReason: "stop",
        content: [{ type: "text", text: "Hello!" }],
        usage: { input: 12, output: 3 },
      },
    });
    for (const line of lines.slice(1))
      expect(line).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f]{8}$/),
        timestamp: expect.any(String),
      });
    const sessions = JSON.parse(
      await readFile(path.join(dir, "state", "agents", "main", "sessions", "sessions.json"), "utf8"),
    );
    expect(sessions["agent:main:main"]).toMatchObject({
      modelProvider: "mock",
      model: "a",
      inputTokens: 12,
      outputTokens: 3,
    });
  });

  it("queued system events reach the session's next turn once, in order, deduplicated and capped", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [mockTextResponse("ok"), mockTextResponse("ok")],
    });
    const a = setup({ a: model });
    expect(a.queueSystemEvent(undefined, "mail from Bob")).toEqual({
      sessionKey: "agent:main:main",
      queued: 1,
    });
    a.queueSystemEvent("main", "mail from Bob"); // same text twice in a row: once
    a.queueSystemEvent("agent:main:main", "build failed");
    for (let index = 0; index < 25; index++) a.queueSystemEvent("agent:main:other", `event ${index}`);
    expect(model.calls).toHaveLength(0); // queued, nothing ran
    await a.enqueue({ text: "hi" });
    const user = JSON.stringify(model.calls[0]!.messages.at(-1));
    expect(user).toContain("System: mail from Bob\\nSystem: build failed\\n\\nhi");
    expect(user.match(/mail from Bob/g)).toHaveLength(1);
    await a.enqueue({ text: "again" });
    expect(JSON.stringify(model.calls[1]!.messages.at(-1))).not.toContain("System:");
    expect(a.queueSystemEvent("agent:main:other", "event 25").queued).toBe(20);
  });

  it("buffers chat deltas of a fast model (no frame per token) without losing text", async () => {
    const tokens = Array.from({ length: 200 }, (_, index) => `t${index} `);
    const a = setup({
      a: new MockLanguageModelV1({ provider: "mock", modelId: "a", script: mockTextResponse(tokens) }),
    });
    const chat: ChatEventPayload[] = [];
    let assistantEvents = 0;
    a.bus.on("chat", (event) => chat.push(event));
    a.bus.on("agent", (event) => event.stream === "assistant" && assistantEvents++);
    const result = await a.enqueue({ text: "count" });
    const deltas = chat.filter((event) => event.state === "delta") as Extract<
      ChatEventPayload,
      { state: "delta" }
    >[];
    expect(deltas.length).toBeLessThan(20);
    expect(deltas.map((event) => event.deltaText).join("")).toBe(tokens.join(""));
    expect(deltas.at(-1)!.message?.content[0]?.text).toBe(tokens.join(""));
    expect(assistantEvents).toBe(200);
    expect(result.text).toBe(tokens.join(""));
    expect(chat.at(-1)!.state).toBe("final");
  });

  it("runs a read tool and answers with its result; every step is in the transcript", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [
        mockToolCallResponse([{ toolName: "read", input: { path: "notes.txt" }, toolCallId: "call_1" }]),
        mockTextResponse("The note says: buy milk"),
      ],
    });
    const a = setup({ a: model });
    await a.enqueue({ text: "warm up" }).catch(() => {});
    await writeFile(path.join(dir, "workspace", "notes.txt"), "buy milk\n");
    model.calls.length = 0;
    const events = await collect(a.send({ text: "what does notes.txt say?" }));
    const toolResult = events.find((e) => e.type === "tool-result") as Extract<
      AssistantEvent,
      { type: "tool-result" }
    >;
    expect(toolResult).toMatchObject({ name: "read", isError: false, result: "buy milk\n" });
    expect(events.at(-1)).toMatchObject({ type: "final", text: "The note says: buy milk" });
    // the second model call saw the tool result
    const second = model.calls[1]!;
    expect(second.messages.at(-1)).toMatchObject({
      role: "tool",
      content: [{ type: "tool-result", toolCallId: "call_1", output: "buy milk\n" }],
    });
    const lines = await transcriptLines(a);
    const roles = lines.slice(1).map((line) => line.message?.role);
    expect(roles.slice(-4)).toEqual(["user", "assistant", "toolResult", "assistant"]);
    expect(lines.at(-3)!.message.content[0]).toMatchObject({
      type: "toolCall",
      id: "call_1",
      name: "read",
      arguments: { path: "notes.txt" },
    });
    expect(lines.at(-2)!.message).toMatchObject({ toolCallId: "call_1", toolName: "read", isError: false });
  });

  it("fails over from a 429 primary to the fallback: one reply, fallback model recorded", async () => {
    const a = setup(
      {
        a: new MockLanguageModelV1({
          provider: "mock",
          modelId: "a",
          script: mockProviderError("rate_limit", { status: 429, retryAfterMs: 1000 }),
        }),
        b: new MockLanguageModelV1({
          provider: "mock",
          modelId: "b",
          script: mockTextResponse("from fallback"),
        }),
      },
      { agents: { defaults: { model: { primary: "mock/a", fallbacks: ["mock/b"] } } } },
    );
    const finals: ChatEventPayload[] = [];
    a.bus.on("chat", (event) => event.state !== "delta" && finals.push(event));
    const result = await a.enqueue({ text: "hello" });
    expect(result).toMatchObject({
      status: "ok",
      text: "from fallback",
      model: "mock/b",
      payloads: [{ text: "from fallback" }],
    });
    expect(finals).toHaveLength(1);
    expect(await a.sessions.get("main")).toMatchObject({ modelProvider: "mock", model: "b" });
    const lines = await transcriptLines(a);
    expect(lines.filter((l) => l.message?.role === "assistant").map((l) => l.message.model)).toEqual(["b"]);
  });

  it("rotates stored auth profiles (auth-profiles.json) and records their usage", async () => {
    const { AuthProfileStore, createFileStateStore } = await import("../state/index.js");
    const profiles = new AuthProfileStore(createFileStateStore(path.join(dir, "state")), "main");
    await profiles.upsert("mock:work", { type: "api_key", provider: "mock", key: "expired-key" });
    await profiles.upsert("mock:home", { type: "api_key", provider: "mock", key: "good-key" });
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      script: (options) =>
        options.apiKey === "good-key"
          ? mockTextResponse("hello")
          : mockProviderError("auth", { status: 401 }),
    });
    const a = setup({ a: model });
    expect(await a.enqueue({ text: "hi" })).toMatchObject({ status: "ok", text: "hello" });
    expect(model.calls.map((call) => call.apiKey)).toEqual(["expired-key", "good-key"]);
    await a.close();
    const file = await profiles.read();
    expect(file.usageStats?.["mock:work"]).toMatchObject({
      errorCount: 1,
      cooldownUntil: expect.any(Number),
    });
    expect(file.usageStats?.["mock:home"]).toMatchObject({ errorCount: 0 });
  });

  it("gives one clear error when every model fails", async () => {
    const a = setup(
      {
        a: new MockLanguageModelV1({
          provider: "mock",
          modelId: "a",
          script: mockProviderError("rate_limit", { status: 429 }),
        }),
        b: new MockLanguageModelV1({
          provider: "mock",
          modelId: "b",
          script: mockProviderError("server", { status: 503, message: "overloaded" }),
        }),
      },
      { agents: { defaults: { model: { primary: "mock/a", fallbacks: ["mock/b"] } } } },
    );
    const errors: ChatEventPayload[] = [];
    a.bus.on("chat", (event) => event.state === "error" && errors.push(event));
    const result = await a.enqueue({ text: "hello" });
    expect(result.status).toBe("error");
    expect(result.payloads).toHaveLength(1);
    expect(result.text).toContain("All models failed");
    expect(result.text).toContain("mock/a");
    expect(result.text).toContain("mock/b");
    expect(result.text).toContain("What to do");
    expect(errors).toHaveLength(1);
  });

  it("does not fail over on a refusal", async () => {
    const b = new MockLanguageModelV1({
      provider: "mock",
      modelId: "b",
      script: mockTextResponse("should not be used"),
    });
    const a = setup(
      {
        a: new MockLanguageModelV1({
          provider: "mock",
          modelId: "a",
          script: mockProviderError("refusal", { message: "I can't help with that" }),
        }),
        b,
      },
      { agents: { defaults: { model: { primary: "mock/a", fallbacks: ["mock/b"] } } } },
    );
    const result = await a.enqueue({ text: "hello" });
    expect(result.status).toBe("error");
    expect(result.error?.kind).toBe("refusal");
    expect(b.calls).toHaveLength(0);
  });

  it("aborts mid-stream: aborted event, partial text kept, transcript consistent", async () => {
    const a = setup({
      a: new MockLanguageModelV1({
        provider: "mock",
        modelId: "a",
        script: { parts: mockTextResponse("partial answer").slice(0, 3), hang: true },
      }),
    });
    const handle = a.submit({ text: "tell me a long story" });
    const seen: AssistantEvent[] = [];
    for await (const event of handle.events) {
      seen.push(event);
      if (event.type === "text-delta") a.abort("main");
    }
    expect(seen.at(-1)).toMatchObject({ type: "aborted", text: "partial answer" });
    expect((await handle.result).status).toBe("aborted");
    const lines = await transcriptLines(a);
    const last = lines.at(-1)!;
    expect(last.message).toMatchObject({
      role: "assistant",
      stopReason: "aborted",
      content: [{ type: "text", text: "partial answer" }],
    });
    expect(last.parentId).toBe(lines.at(-2)!.id);
  });

  it("keeps answering after an abort during a tool call (the next turn sees a consistent history)", async () => {
    let a!: Assistant;
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [
        () => {
          setImmediate(() => a.abort("main"));
          return {
            parts: mockToolCallResponse([{ toolName: "read", input: { path: "x" } }]).slice(0, 3),
            hang: true,
          };
        },
        mockTextResponse("fine"),
      ],
    });
    a = setup({ a: model });
    expect((await a.enqueue({ text: "one" })).status).toBe("aborted");
    const second = await a.enqueue({ text: "two" });
    expect(second).toMatchObject({ status: "ok", text: "fine" });
    // the second call's prompt has both user messages and no dangling tool call
    const prompt = model.calls[1]!.messages;
    expect(prompt.filter((m) => m.role === "user")).toHaveLength(2);
    expect(
      prompt.some((m) => m.role === "assistant" && m.content.some((part) => part.type === "tool-call")),
    ).toBe(false);
  });
});

describe("session lifecycle", () => {
  it("a stale session (daily reset at 4:00, idle window) starts over on the next message", async () => {
    let now = new Date(2026, 10, 20, 10, 0, 0).getTime();
    const model = new MockLanguageModelV1({ provider: "mock", modelId: "a", script: mockTextResponse("ok") });
    const a = setup(
      { a: model },
      { session: { reset: { idleMinutes: 120 } } },
      { clock: { now: () => now } },
    );
    await a.enqueue({ text: "morning" });
    const first = (await a.sessions.get("main"))!.sessionId;
    now += 60 * 60_000; // 11:00, same day, within the idle window
    await a.enqueue({ text: "later" });
    expect((await a.sessions.get("main"))!.sessionId).toBe(first);
    now += 3 * 60 * 60_000; // 14:00: idle for 3 h > 2 h
    await a.enqueue({ text: "afternoon" });
    const second = (await a.sessions.get("main"))!.sessionId;
    expect(second).not.toBe(first);
    expect((await a.history("main")).filter((m) => m.role === "user")).toHaveLength(1);
    now = new Date(2026, 10, 21, 4, 30, 0).getTime(); // past 4:00 next day (and idle)
    await a.enqueue({ text: "next day" });
    expect((await a.sessions.get("main"))!.sessionId).not.toBe(second);
  });
});

describe("sub-agents and session tools", () => {
  it("sessions_spawn runs the task in its own session and announces the result back", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      script: (options) => {
        const last = JSON.stringify(options.messages.at(-1));
        if (options.messages.at(-1)?.role === "tool") return mockTextResponse("I started a helper.");
        if (last.includes("count the files")) return mockTextResponse("There are 3 files.");
        if (last.includes("[Sub-agent")) return mockTextResponse("Your sub-agent says: 3 files.");
        return mockToolCallResponse([
          { toolName: "sessions_spawn", input: { task: "count the files", label: "counter" } },
        ]);
      },
    });
    const a = setup({ a: model });
    const announced = new Promise<string>((resolve) =>
      a.bus.on("reply", (event) => resolve(event.result.text)),
    );
    const first = await a.enqueue({ text: "please count files in the background" });
    expect(first).toMatchObject({ status: "ok", text: "I started a helper." });
    expect(await announced).toBe("Your sub-agent says: 3 files.");
    const sessions = await a.sessions.list();
    const child = sessions.find((row) => row.key.includes(":subagent:"));
    expect(child).toMatchObject({ spawnedBy: "agent:main:main", label: "counter" });
    const childHistory = await a.history(child!.key);
    expect(childHistory.map((message) => message.role)).toEqual(["user", "assistant"]);
  });

  it("sessions_send waits for the other session's reply without deadlocking a single global slot", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      script: (options) => {
        const last = options.messages.at(-1)!;
        const text = JSON.stringify(last);
        if (last.role === "tool") return mockTextResponse(`Helper said: ${text.includes("42") ? "42" : "?"}`);
        if (text.includes("what is six times seven")) return mockTextResponse("42");
        return mockToolCallResponse([
          {
            toolName: "sessions_send",
            input: { sessionKey: "agent:main:helper", message: "what is six times seven" },
          },
        ]);
      },
    });
    const a = setup({ a: model }, { agents: { defaults: { maxConcurrent: 1 } } });
    const result = await a.enqueue({ text: "ask the helper" });
    expect(result).toMatchObject({ status: "ok", text: "Helper said: 42" });
    expect((await a.history("agent:main:helper")).map((message) => message.role)).toEqual([
      "user",
      "assistant",
    ]);
  });
});
