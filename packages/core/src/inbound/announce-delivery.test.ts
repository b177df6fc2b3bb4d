import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  createMockChannel,
  createMockProvider,
  MockLanguageModelV1,
  mockTextResponse,
  mockToolCallResponse,
} from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { middayClock } from "../__fixtures__/midday-clock.js";
import { type Assistant, createAssistant } from "../assistant.js";
import type { RuntimeConfig } from "../models/runtime-config.js";
import { type ChannelManager, createChannelManager } from "./channel-manager.js";
import { assistantForChannels } from "./gateway-adapters.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let dir: string;
let assistant: Assistant | undefined;
let manager: ChannelManager | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-announce-"));
});
afterEach(async () => {
  await manager?.stop();
  await assistant?.close();
  manager = undefined;
  assistant = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Parent asks for a helper; the helper answers; the announce turn summarizes the helper's result. */
function spawningModel() {
  return new MockLanguageModelV1({
    provider: "mock",
    modelId: "a",
    script: (options) => {
      const last = options.messages.at(-1)!;
      const text = JSON.stringify(last);
      if (last.role === "tool") return mockTextResponse("I started a helper.");
      if (text.includes("count the files")) return mockTextResponse("There are 3 files.");
      if (text.includes("[Sub-agent")) return mockTextResponse("Your sub-agent says: 3 files.");
      return mockToolCallResponse([
        { toolName: "sessions_spawn", input: { task: "count the files", label: "counter" } },
      ]);
    },
  });
}

function setup(channelConfig: Record<string, unknown>) {
  const channel = createMockChannel();
  let outbound = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const outboundEvents = (count: number) =>
    new Promise<void>((resolve) => (outbound >= count ? resolve() : waiters.push({ count, resolve })));
  const config: RuntimeConfig = {
    agents: {
      defaults: { workspace: path.join(dir, "workspace"), model: { primary: "mock/a", fallbacks: [] } },
    },
    channels: { mock: channelConfig },
  };
  assistant = createAssistant({
    clock: middayClock(),
    config,
    providers: [createMockProvider({ id: "mock", models: { a: spawningModel() } })],
    stateDir: path.join(dir, "state"),
    env: {},
  });
  manager = createChannelManager({
    plugins: [channel.plugin],
    getConfig: () => config as never,
    stateDir: path.join(dir, "state"),
    assistant: assistantForChannels(assistant),
    logger: quiet,
    onEvent: (event) => {
      if (event.type !== "outbound") return;
      outbound++;
      for (const waiter of waiters.filter((w) => outbound >= w.count)) waiter.resolve();
    },
  });
  return { channel, assistant, manager, outboundEvents };
}

describe("sub-agent announce delivery to the chat the parent session came from", () => {
  it("a DM: the parent's reply, then the sub-agent's announce, both reach the user's chat", async () => {
    const { channel, manager, outboundEvents } = setup({ allowFrom: ["100"] });
    await manager.start();
    await channel.inject({ text: "please count files in the background" });
    const [first, second] = await channel.waitForSent(2);
    expect(first).toMatchObject({ to: "100", text: "I started a helper." });
    expect(second).toMatchObject({ to: "100", text: "Your sub-agent says: 3 files." });
    expect(second?.idempotencyKey).toMatch(/^subagent:/);
    await outboundEvents(2);
    const status = await manager.status();
    expect(status.channels.mock?.accounts[0]?.sent).toBe(2);
  });

  it("a group thread: the announce goes to the same group and thread", async () => {
    const { channel, manager } = setup({
      groupPolicy: "open",
      groups: { "*": { requireMention: false } },
    });
    await manager.start();
    await channel.inject({
      text: "please count files in the background",
      chat: { type: "group", id: "-500", threadId: "77" },
      sender: { id: "100", username: "alice" },
    });
    const sent = await channel.waitForSent(2);
    expect(sent.map((m) => [m.to, m.threadId, m.text])).toEqual([
      ["-500", "77", "I started a helper."],
      ["-500", "77", "Your sub-agent says: 3 files."],
    ]);
  });

  it("a session that never came from a channel (webchat/gateway) announces on the bus only", async () => {
    const { channel, manager, assistant } = setup({ allowFrom: ["100"] });
    await manager.start();
    const announced = new Promise<{ route?: unknown; text: string }>((resolve) =>
      assistant.bus.on("reply", (event) => resolve({ route: event.route, text: event.result.text })),
    );
    await assistant.enqueue({ sessionKey: "agent:main:webchat-1", text: "please count files" });
    expect(await announced).toEqual({ route: undefined, text: "Your sub-agent says: 3 files." });
    await manager.pipeline.idle();
    expect(channel.sent).toEqual([]);
  });
});
