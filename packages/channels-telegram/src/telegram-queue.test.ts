import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type Assistant,
  assistantForChannels,
  type ChannelManager,
  createAssistant,
  createChannelManager,
  type PipelineEvent,
} from "@openclaw/core";
import type { LanguageModelV1CallOptions } from "@openclaw/protocol";
import {
  createMockProvider,
  FakeTelegramServer,
  htmlVisibleText,
  MockLanguageModelV1,
  type MockStreamScript,
  mockTextResponse,
  mockToolCallResponse,
  telegramUpdate,
} from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTelegramChannel } from "./telegram-channel.js";

// The real assistant behind the real grammY channel and the fake Bot API: what a Telegram user
// sees when they write while a reply is still being written.

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const ALICE = 7012345678;

let fake: FakeTelegramServer;
let dir: string;
let manager: ChannelManager | undefined;
let assistant: Assistant | undefined;
beforeEach(async () => {
  fake = await new FakeTelegramServer().start();
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-tg-queue-"));
});
afterEach(async () => {
  await manager?.stop();
  await assistant?.close();
  manager = undefined;
  assistant = undefined;
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

/** A promise with its resolve, for events a test awaits. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const htmlText = (text: string) => htmlVisibleText(text) ?? text;

const lastUserText = (options: LanguageModelV1CallOptions) =>
  JSON.stringify(options.messages.filter((message) => message.role === "user").at(-1) ?? "");

async function start(
  script: (options: LanguageModelV1CallOptions, call: number) => MockStreamScript | Promise<MockStreamScript>,
  messages: Record<string, unknown> = {},
  telegram: Record<string, unknown> = {},
) {
  const model = new MockLanguageModelV1({ provider: "mock", modelId: "a", script });
  const closed: PipelineEvent[] = [];
  const config = {
    agents: {
      defaults: { workspace: path.join(dir, "workspace"), model: { primary: "mock/a", fallbacks: [] } },
    },
    messages,
    channels: {
      telegram: {
        botToken: fake.token,
        apiRoot: fake.url,
        pollTimeoutSeconds: 1,
        throttle: false,
        allowFrom: [String(ALICE)],
        ...telegram,
      },
    },
  };
  assistant = createAssistant({
    config,
    providers: [createMockProvider({ id: "mock", models: { a: model } })],
    stateDir: path.join(dir, "state"),
    env: {},
  });
  manager = createChannelManager({
    plugins: [createTelegramChannel({ env: {} })],
    getConfig: () => config as never,
    stateDir: path.join(dir, "state"),
    assistant: assistantForChannels(assistant),
    logger: quiet,
    retry: { attempts: 4, minDelayMs: 1, maxDelayMs: 5 },
    onEvent: (event) => {
      if (event.type === "closed") closed.push(event);
    },
  });
  await manager.start();
  return { assistant, manager, model, closed };
}

/** Resolves when the assistant's queue of the main session reports `action` (queued, steered…). */
function queueEvent(target: Assistant, action: string, count = 1): Promise<void> {
  return new Promise((resolve) => {
    const listener = (event: { action: string; count: number }) => {
      if (event.action !== action || event.count < count) return;
      target.bus.off("queue", listener);
      resolve();
    };
    target.bus.on("queue", listener);
  });
}

const say = (text: string, messageId: number) =>
  fake.inject(
    telegramUpdate("privateText", {
      text,
      messageId,
      ...(text.startsWith("/")
        ? { entities: [{ offset: 0, length: text.split(" ")[0]!.length, type: "bot_command" }] }
        : {}),
    }),
  );

describe("telegram: chat commands and queue modes while a reply is being written", () => {
  it("/stop acts at once: the running reply is aborted and the user is told", async () => {
    const writing = deferred();
    await start(() => {
      writing.resolve();
      return { parts: mockTextResponse("Once upon a time").slice(0, 3), hang: true };
    });
    say("write me a very long essay", 1);
    await writing.promise;
    say("/stop", 2);
    const [reply] = await fake.waitForSent(1);
    expect(reply).toMatchObject({ chatId: String(ALICE), text: "Stopped. The current reply was aborted." });
    await manager?.pipeline.idle();
    expect(fake.repliesTo(ALICE)).toHaveLength(1);
  });

  it("/status answers while the reply is still being written; the reply follows", async () => {
    const writing = deferred();
    const finish = deferred();
    await start(async (options) => {
      if (!lastUserText(options).includes("essay")) return mockTextResponse("unexpected");
      writing.resolve();
      await finish.promise;
      return mockTextResponse("Here is the essay.");
    });
    say("write me an essay", 1);
    await writing.promise;
    say("/status", 2);
    const [status] = await fake.waitForSent(1);
    expect(status?.text).toContain("mock/a");
    finish.resolve();
    const sent = await fake.waitForSent(2);
    expect(sent[1]?.text).toBe("Here is the essay.");
  });

  it("collect (the default): messages sent during a reply are answered together in the next turn", async () => {
    const writing = deferred();
    const finish = deferred();
    const { assistant, model, closed } = await start(async (_options, call) => {
      if (call === 0) {
        writing.resolve();
        await finish.promise;
        return mockTextResponse("First answer.");
      }
      return mockTextResponse("Both answered.");
    });
    say("first question", 1);
    await writing.promise;
    const queued = queueEvent(assistant, "queued", 2);
    say("second question", 2);
    say("third question", 3);
    await queued;
    finish.resolve();
    const sent = await fake.waitForSent(2);
    expect(sent.map((s) => s.text)).toEqual(["First answer.", "Both answered."]);
    const merged = lastUserText(model.calls[1]!);
    expect(merged).toContain("second question");
    expect(merged).toContain("third question");
    await manager?.pipeline.idle();
    expect(fake.repliesTo(ALICE)).toHaveLength(2);
    expect(closed.filter((event) => event.type === "closed" && event.outcome === "replied")).toHaveLength(3);
  });

  it("collect with streamed drafts: only the turn's first message gets a draft, merged ones none", async () => {
    const writing = deferred();
    const finish = deferred();
    const { assistant } = await start(
      async (_options, call) => {
        if (call === 0) {
          writing.resolve();
          await finish.promise;
          return mockTextResponse("First answer.");
        }
        return mockTextResponse("Both answered.");
      },
      {},
      { streamMode: "partial", streamEditIntervalMs: 0 },
    );
    say("first question", 1);
    await writing.promise;
    const queued = queueEvent(assistant, "queued", 2);
    say("second question", 2);
    say("third question", 3);
    await queued;
    finish.resolve();
    await fake.waitFor(() => fake.sent.some((s) => htmlText(s.text) === "Both answered."));
    await manager?.pipeline.idle();
    expect(fake.repliesTo(ALICE).map((s) => htmlText(s.text))).toEqual(["First answer.", "Both answered."]);
  });

  it("steer: a message sent during a reply reaches the running turn, which answers it", async () => {
    const writing = deferred();
    const finish = deferred();
    const { assistant, model } = await start(
      async (options, call) => {
        if (call === 0) {
          writing.resolve();
          await finish.promise;
          return mockTextResponse("Draft answer.");
        }
        return mockTextResponse(
          `Steered: ${lastUserText(options).includes("in French") ? "en français" : "?"}`,
        );
      },
      { queue: { mode: "steer" } },
    );
    say("explain DNS", 1);
    await writing.promise;
    const steered = queueEvent(assistant, "steered");
    say("in French please", 2);
    await steered;
    finish.resolve();
    const [reply] = await fake.waitForSent(1);
    expect(reply?.text).toBe("Steered: en français");
    await manager?.pipeline.idle();
    expect(fake.repliesTo(ALICE)).toHaveLength(1);
    expect(model.calls).toHaveLength(2);
  });

  it("interrupt (messages.queue.byChannel.telegram): a new message aborts the reply and is answered", async () => {
    const writing = deferred();
    await start(
      (options) => {
        if (lastUserText(options).includes("essay")) {
          writing.resolve();
          return { parts: mockTextResponse("Once upon").slice(0, 3), hang: true };
        }
        return mockTextResponse("Short answer.");
      },
      { queue: { mode: "collect", byChannel: { telegram: "interrupt" } } },
    );
    say("write me an essay", 1);
    await writing.promise;
    say("actually, just say hi", 2);
    const [reply] = await fake.waitForSent(1);
    expect(reply?.text).toBe("Short answer.");
    await manager?.pipeline.idle();
    expect(fake.repliesTo(ALICE)).toHaveLength(1);
  });
});

describe("telegram: a sub-agent's announce keeps its place", () => {
  it("the parent's 'I started a helper' is delivered before the announce, even when its send is slow", async () => {
    await start((options) => {
      const last = options.messages.at(-1)!;
      const text = JSON.stringify(last);
      if (last.role === "tool") return mockTextResponse("I started a helper.");
      if (text.includes("count the files")) return mockTextResponse("There are 3 files.");
      if (text.includes("[Sub-agent")) return mockTextResponse("Your sub-agent says: 3 files.");
      return mockToolCallResponse([
        { toolName: "sessions_spawn", input: { task: "count the files", label: "counter" } },
      ]);
    });
    // the parent's reply is slow to reach Telegram (a busy network); the announce is ready first
    fake.fault({ kind: "delay", method: "sendMessage", ms: 1_000 });
    say("please count files in the background", 1);
    const sent = await fake.waitForSent(2);
    expect(sent.map((s) => s.text)).toEqual(["I started a helper.", "Your sub-agent says: 3 files."]);
  });
});
