import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LanguageModelV1CallOptions } from "@openclaw/protocol";
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
import { SUMMARY_PREFIX } from "./model-messages.js";

let dir: string;
let assistant: Assistant | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-compact-"));
});
afterEach(async () => {
  await assistant?.close();
  assistant = undefined;
  await rm(dir, { recursive: true, force: true });
});

const lastText = (call: LanguageModelV1CallOptions) => {
  const last = call.messages.at(-1);
  return last?.role === "user"
    ? last.content.map((part) => (part.type === "text" ? part.text : "")).join("")
    : "";
};

function scriptedModel() {
  let answers = 0;
  return new MockLanguageModelV1({
    provider: "mock",
    modelId: "a",
    script: (options) => {
      if (options.system?.startsWith("You compress conversations"))
        return mockTextResponse("SUMMARY: the user asked many numbered questions.");
      if (lastText(options).startsWith("Pre-compaction memory flush"))
        return mockToolCallResponse([
          {
            toolName: "write",
            input: { path: "memory/notes.md", content: "- user asks numbered questions\n" },
          },
        ]);
      if (
        options.messages.at(-1)?.role === "tool" &&
        options.messages.at(-3) &&
        JSON.stringify(options.messages).includes("memory/notes.md") &&
        !JSON.stringify(options.messages.at(-1)).includes("answer")
      )
        return mockTextResponse("NO_REPLY");
      answers += 1;
      return mockTextResponse(`answer ${answers}: ${"lorem ipsum ".repeat(60)}`);
    },
  });
}

describe("compaction", () => {
  it("a long session crosses the threshold, flushes memory once, compacts, and keeps answering", async () => {
    const model = scriptedModel();
    assistant = createAssistant({
      clock: middayClock(),
      config: {
        agents: {
          defaults: {
            workspace: path.join(dir, "ws"),
            model: "mock/a",
            contextTokens: 4000,
            compaction: {
              reserveTokensFloor: 800,
              keepRecentTokens: 600,
              memoryFlush: { softThresholdTokens: 300 },
            },
          },
        },
      },
      providers: [createMockProvider({ id: "mock", models: { a: model } })],
      stateDir: path.join(dir, "state"),
      env: {},
    });
    const compactions: unknown[] = [];
    assistant.bus.on(
      "agent",
      (event) => event.stream === "compaction" && event.data.phase === "end" && compactions.push(event.data),
    );
    for (let turn = 1; turn <= 24; turn++) {
      const result = await assistant.enqueue({ text: `question ${turn}: ${"please explain ".repeat(20)}` });
      expect(result.status, `turn ${turn}: ${result.text}`).toBe("ok");
      expect(result.text).toMatch(/^answer \d+/);
    }
    const entry = (await assistant.sessions.get("main"))!;
    expect(entry.compactionCount).toBeGreaterThanOrEqual(1);
    expect(compactions.length).toBe(entry.compactionCount);
    // the model saw the summary instead of the old messages after compacting
    const lastCall = model.calls.at(-1)!;
    const first = lastCall.messages[0]!;
    expect(first.role).toBe("user");
    expect(JSON.stringify(first)).toContain(SUMMARY_PREFIX.trim().slice(0, 20));
    expect(JSON.stringify(lastCall.messages)).not.toContain("question 1:");
    // memory flush wrote a note, at most once per compaction cycle
    const flushes = model.calls.filter((call) =>
      lastText(call).startsWith("Pre-compaction memory flush"),
    ).length;
    expect(flushes).toBeGreaterThanOrEqual(1);
    expect(flushes).toBeLessThanOrEqual((entry.compactionCount ?? 0) + 1);
    expect(await readFile(path.join(dir, "ws", "memory", "notes.md"), "utf8")).toContain(
      "numbered questions",
    );
    // the transcript has a compaction entry pointing at a kept user message
    await assistant.close();
    const sessionsDir = path.join(dir, "state", "agents", "main", "sessions");
    const file = (await readdir(sessionsDir)).find((name) => name.endsWith(".jsonl"))!;
    const lines = (await readFile(path.join(sessionsDir, file), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const compaction = lines.find((line) => line.type === "compaction");
    expect(compaction).toMatchObject({
      summary: expect.stringContaining("SUMMARY"),
      tokensBefore: expect.any(Number),
    });
    const kept = lines.find((line) => line.id === compaction.firstKeptEntryId);
    expect(kept.message.role).toBe("user");
  });

  it("provider 'context too long' compacts and retries once", async () => {
    let failed = false;
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      script: (options) => {
        if (options.system?.startsWith("You compress conversations"))
          return mockTextResponse("short summary");
        if (lastText(options).startsWith("trigger") && !failed) {
          failed = true;
          return mockProviderError("context_length", { status: 400, message: "prompt is too long" });
        }
        return mockTextResponse("fine");
      },
    });
    assistant = createAssistant({
      clock: middayClock(),
      config: { agents: { defaults: { workspace: path.join(dir, "ws"), model: "mock/a" } } },
      providers: [createMockProvider({ id: "mock", models: { a: model } })],
      stateDir: path.join(dir, "state"),
      env: {},
    });
    for (let index = 0; index < 3; index++) await assistant.enqueue({ text: `earlier ${index}` });
    const result = await assistant.enqueue({ text: "trigger" });
    expect(result).toMatchObject({ status: "ok", text: "fine" });
    expect((await assistant.sessions.get("main"))!.compactionCount).toBe(1);
  });

  it("/compact summarizes on demand", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      script: (options) =>
        mockTextResponse(options.system?.startsWith("You compress") ? "manual summary" : "ok"),
    });
    assistant = createAssistant({
      clock: middayClock(),
      config: { agents: { defaults: { workspace: path.join(dir, "ws"), model: "mock/a" } } },
      providers: [createMockProvider({ id: "mock", models: { a: model } })],
      stateDir: path.join(dir, "state"),
      env: {},
    });
    expect((await assistant.enqueue({ text: "/compact" })).text).toMatch(/Nothing to compact/);
    for (let index = 0; index < 3; index++) await assistant.enqueue({ text: `message ${index}` });
    expect((await assistant.enqueue({ text: "/compact focus on decisions" })).text).toMatch(
      /^Compacted: ~\d+ → ~\d+ tokens/,
    );
    expect((await assistant.enqueue({ text: "next" })).text).toBe("ok");
    expect(JSON.stringify(model.calls.at(-1)!.messages[0])).toContain("manual summary");
  });
});
