import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LanguageModelV1CallOptions } from "@openclaw/protocol";
import {
  createMockProvider,
  MockLanguageModelV1,
  mockTextResponse,
  mockToolCallResponse,
} from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { middayClock } from "../__fixtures__/midday-clock.js";
import { type Assistant, createAssistant } from "../assistant.js";
import type { ReplyResult } from "./events.js";
import type { QueueMode } from "./session-queue.js";

let dir: string;
let assistant: Assistant | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-queue-"));
});
afterEach(async () => {
  await assistant?.close();
  assistant = undefined;
  await rm(dir, { recursive: true, force: true });
});

const tag = (index: number) => `<<m${String(index).padStart(2, "0")}>>`;

function promptText(call: LanguageModelV1CallOptions): string {
  return call.messages
    .filter((message) => message.role === "user")
    .map((message) => message.content.map((part) => (part.type === "text" ? part.text : "")).join(""))
    .join("\n");
}

/** First call blocks until `release()`; later calls answer at once. */
function gatedModel() {
  let release!: () => void;
  let started!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  const model = new MockLanguageModelV1({
    provider: "mock",
    modelId: "a",
    script: async (_options, index) => {
      if (index === 0) {
        started();
        await gate;
      }
      return mockTextResponse(`reply ${index}`);
    },
  });
  return { model, release, running };
}

function setup(model: MockLanguageModelV1, mode: QueueMode) {
  assistant = createAssistant({
    clock: middayClock(),
    config: {
      agents: { defaults: { workspace: path.join(dir, "ws"), model: "mock/a" } },
      messages: { queue: { mode } },
    },
    providers: [createMockProvider({ id: "mock", models: { a: model } })],
    stateDir: path.join(dir, "state"),
    env: {},
  });
  return assistant;
}

describe.each<QueueMode>(["collect", "followup", "steer", "interrupt"])(
  "queue mode %s: a 50-message burst during a run",
  (mode) => {
    it("answers or merges every message, loses none, keeps order", async () => {
      const { model, release, running } = gatedModel();
      const a = setup(model, mode);
      const results: Promise<ReplyResult>[] = [a.enqueue({ text: `first ${tag(1)}` })];
      await running;
      for (let index = 2; index <= 50; index++) results.push(a.enqueue({ text: `burst ${tag(index)}` }));
      release();
      const settled = await Promise.all(results);
      expect(settled).toHaveLength(50);
      for (const result of settled) {
        // every message got an outcome a user can see; none vanished
        expect(["ok", "merged", "aborted"]).toContain(result.status);
        if (result.status === "aborted") expect(result.text).toMatch(/Interrupted/);
      }
      if (mode !== "interrupt")
        expect(settled.every((result) => result.status === "ok" || result.status === "merged")).toBe(true);
      // one delivered reply per run, merged messages deliver nothing twice
      const delivered = settled.filter((result) => result.payloads.length > 0);
      expect(delivered.length).toBe(
        new Set(settled.filter((r) => r.status === "ok").map((r) => r.runId)).size,
      );
      // the last prompt holds every message, in arrival order
      const finalPrompt = promptText(model.calls.at(-1)!);
      let cursor = -1;
      for (let index = 1; index <= 50; index++) {
        const position = finalPrompt.indexOf(tag(index));
        expect(position, `message ${index} missing from the conversation`).toBeGreaterThan(-1);
        expect(position, `message ${index} out of order`).toBeGreaterThan(cursor);
        cursor = position;
      }
      if (mode === "collect" || mode === "interrupt") expect(model.calls.length).toBeLessThanOrEqual(3);
      if (mode === "followup") expect(model.calls.length).toBeGreaterThan(10);
    });
  },
);

describe("queue control", () => {
  it("/stop aborts the run and answers every queued message explicitly", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      script: { parts: mockTextResponse("x").slice(0, 2), hang: true },
    });
    const a = setup(model, "followup");
    const first = a.enqueue({ text: "one" });
    const queued = [a.enqueue({ text: "two" }), a.enqueue({ text: "three" })];
    await new Promise((resolve) => setImmediate(resolve));
    while (model.calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const stop = await a.enqueue({ text: "/stop" });
    expect(stop).toMatchObject({ status: "command" });
    expect(stop.text).toMatch(/Stopped\. The current reply was aborted\. 2 queued messages cleared\./);
    expect((await first).status).toBe("aborted");
    for (const result of await Promise.all(queued))
      expect(result).toMatchObject({ status: "aborted", text: expect.stringContaining("cleared") });
  });

  it("abort with a runId stops only that run or that queued message", async () => {
    const { model, release, running } = gatedModel();
    const a = setup(model, "followup");
    const first = a.submit({ text: "one" });
    await running;
    const second = a.submit({ text: "two" });
    const third = a.submit({ text: "three" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.abort("main", second.messageId)).toEqual({ aborted: true, cleared: 0 });
    expect(a.abort("main", "no-such-run")).toEqual({ aborted: false, cleared: 0 });
    release();
    expect((await first.result).status).toBe("ok");
    expect(await second.result).toMatchObject({ status: "aborted", text: "Stopped before it started." });
    expect((await third.result).status).toBe("ok");
  });

  it("caps the queue and summarizes the overflow visibly into the next turn", async () => {
    const { model, release, running } = gatedModel();
    assistant = createAssistant({
      clock: middayClock(),
      config: {
        agents: { defaults: { workspace: path.join(dir, "ws"), model: "mock/a" } },
        messages: { queue: { mode: "followup", cap: 3 } },
      },
      providers: [createMockProvider({ id: "mock", models: { a: model } })],
      stateDir: path.join(dir, "state"),
      env: {},
    });
    const results = [assistant.enqueue({ text: "first" })];
    await running;
    for (let index = 1; index <= 6; index++) results.push(assistant.enqueue({ text: `queued ${index}` }));
    release();
    const settled = await Promise.all(results);
    expect(settled.filter((r) => r.status === "merged").length).toBeGreaterThanOrEqual(3);
    const overflowPrompt = model.calls
      .map(promptText)
      .find((text) => text.includes("[Queue overflow: 3 earlier messages were summarized]"));
    expect(overflowPrompt).toContain("queued 1");
    expect(overflowPrompt).toContain("queued 3");
  });

  it("ignores commands from unauthorized senders (treated as text)", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      script: mockTextResponse("just text"),
    });
    const a = setup(model, "collect");
    const result = await a.enqueue({ text: "/reset", sender: { id: "stranger", authorized: false } });
    expect(result).toMatchObject({ status: "ok", text: "just text" });
    expect(promptText(model.calls[0]!)).toContain("/reset");
  });

  it("runs /status, /model, /think, /queue, /new and /whoami", async () => {
    const model = new MockLanguageModelV1({ provider: "mock", modelId: "a", script: mockTextResponse("ok") });
    assistant = createAssistant({
      clock: middayClock(),
      config: {
        agents: {
          defaults: {
            workspace: path.join(dir, "ws"),
            model: "mock/a",
            models: { "mock/a": { alias: "fast" }, "mock/b": { alias: "smart" } },
          },
        },
      },
      providers: [createMockProvider({ id: "mock", models: { a: model } })],
      stateDir: path.join(dir, "state"),
      env: {},
    });
    const a = assistant;
    await a.enqueue({ text: "hello" });
    expect((await a.enqueue({ text: "/model smart" })).text).toBe("Model set to mock/b for this session.");
    expect((await a.enqueue({ text: "/model other/x" })).text).toMatch(/not in the allowlist/);
    expect((await a.enqueue({ text: "/model list" })).text).toContain("mock/b (alias smart) ← current");
    expect((await a.enqueue({ text: "/think high" })).text).toBe("Thinking level set to high.");
    expect((await a.enqueue({ text: "/think loud" })).text).toMatch(/Unknown thinking level/);
    expect((await a.enqueue({ text: "/queue steer" })).text).toBe("Queue mode set to steer.");
    const status = await a.enqueue({ text: "/status" });
    expect(status.text).toContain("Model: mock/b");
    expect(status.text).toContain("Queue: steer");
    expect(
      (await a.enqueue({ text: "/whoami", sender: { id: "42", name: "Ann", channel: "telegram" } })).text,
    ).toContain("telegram:42");
    const before = (await a.sessions.get("main"))!.sessionId;
    expect((await a.enqueue({ text: "/new fast" })).text).toBe("New session started. Model: mock/a.");
    expect((await a.sessions.get("main"))!.sessionId).not.toBe(before);
    // the fresh session's history holds only the command and its reply, marked as such
    expect(
      (await a.history("main")).map((message) => [
        message.role,
        (message as { command?: boolean }).command,
        (message.content as { text: string }[])[0]?.text,
      ]),
    ).toEqual([
      ["user", true, "/new fast"],
      ["assistant", true, "New session started. Model: mock/a."],
    ]);
    expect((await a.enqueue({ text: "/help" })).text).toContain("/compact");
  });

  it("/verbose adds one line per tool call and /usage tokens appends a usage footer", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      script: (options) =>
        options.messages.at(-1)?.role === "tool"
          ? mockTextResponse("done", { usage: { inputTokens: 30, outputTokens: 4 } })
          : mockToolCallResponse([{ toolName: "memory_search", input: { query: "dog name" } }], {
              usage: { inputTokens: 20, outputTokens: 2 },
            }),
    });
    const a = setup(model, "collect");
    expect((await a.enqueue({ text: "/verbose" })).text).toBe("Verbose on.");
    expect((await a.enqueue({ text: "/usage tokens" })).text).toBe("Usage footer: tokens.");
    const reply = await a.enqueue({ text: "what is my dog called?" });
    expect(reply.payloads.map((payload) => payload.text)).toEqual([
      "🔧 memory_search: dog name",
      "done\n\n— 50 in / 6 out · mock/a",
    ]);
    await a.enqueue({ text: "/verbose off" });
    await a.enqueue({ text: "/usage off" });
    expect((await a.enqueue({ text: "again" })).payloads).toEqual([{ text: "done" }]);
  });

  it("sessions.patch { model } sets the session override used by the next turn; null clears it", async () => {
    const a = createAssistant({
      clock: middayClock(),
      config: { agents: { defaults: { workspace: path.join(dir, "ws"), model: "mock/a" } } },
      providers: [createMockProvider({ id: "mock" })],
      stateDir: path.join(dir, "state"),
      env: {},
    });
    assistant = a;
    await a.sessions.patch("main", { model: "mock/b" });
    expect(await a.enqueue({ text: "hi" })).toMatchObject({ status: "ok", model: "mock/b" });
    await a.sessions.patch("main", { model: null });
    expect(await a.enqueue({ text: "hi" })).toMatchObject({ status: "ok", model: "mock/a" });
  });

  it("reloadConfig applies a new default model and queue settings to later turns", async () => {
    const a = createAssistant({
      clock: middayClock(),
      config: { agents: { defaults: { workspace: path.join(dir, "ws"), model: "mock/a" } } },
      providers: [createMockProvider({ id: "mock" })],
      stateDir: path.join(dir, "state"),
      env: {},
    });
    assistant = a;
    expect((await a.enqueue({ text: "hi" })).model).toBe("mock/a");
    a.reloadConfig({
      agents: { defaults: { workspace: path.join(dir, "ws"), model: "mock/c" } },
      messages: { queue: { mode: "followup" } },
    });
    expect((await a.enqueue({ text: "hi" })).model).toBe("mock/c");
    expect((await a.enqueue({ text: "/queue" })).text).toMatch(/^Queue mode: followup/);
  });

  it("a bare /new starts a fresh session whose first turn greets", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      script: mockTextResponse("Hi! What shall we do?"),
    });
    const a = setup(model, "collect");
    await a.enqueue({ text: "old topic" });
    const before = (await a.sessions.get("main"))!.sessionId;
    const greeting = await a.enqueue({ text: "/new" });
    expect(greeting).toMatchObject({
      status: "ok",
      text: "Hi! What shall we do?",
      payloads: [{ text: "Hi! What shall we do?" }],
    });
    expect((await a.sessions.get("main"))!.sessionId).not.toBe(before);
    const history = await a.history("main");
    expect(history.map((message) => message.role)).toEqual(["user", "assistant"]);
    expect(JSON.stringify(history)).not.toContain("old topic");
  });
});
