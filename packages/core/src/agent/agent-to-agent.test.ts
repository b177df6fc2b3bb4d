import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LanguageModelV1CallOptions } from "@openclaw/protocol";
import {
  createMockChannel,
  createMockProvider,
  MockLanguageModelV1,
  type MockStreamScript,
  mockTextResponse,
  mockToolCallResponse,
} from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { middayClock } from "../__fixtures__/midday-clock.js";
import { type Assistant, createAssistant } from "../assistant.js";
import type { UnsolicitedReplyPayload } from "../bus/event-bus.js";
import { type ChannelManager, createChannelManager } from "../inbound/channel-manager.js";
import { assistantForChannels } from "../inbound/gateway-adapters.js";
import type { RuntimeConfig } from "../models/runtime-config.js";

let dir: string;
let assistant: Assistant | undefined;
let manager: ChannelManager | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-a2a-"));
});
afterEach(async () => {
  await manager?.stop();
  await assistant?.close();
  manager = undefined;
  assistant = undefined;
  await rm(dir, { recursive: true, force: true });
});

const lastText = (options: LanguageModelV1CallOptions) => JSON.stringify(options.messages.at(-1));

/**
 * The requester (agent:main:main) asks agent:main:helper; `replyBack(turn)` answers each reply-back
 * turn, `announce` answers the helper's announce turn.
 */
function a2aModel(replyBack: (turn: number) => string, announce: string, target = "agent:main:helper") {
  const seen: string[] = [];
  const model = new MockLanguageModelV1({
    provider: "mock",
    modelId: "a",
    script: (options): MockStreamScript => {
      const system = options.system ?? "";
      const turn = /Agent-to-agent reply-back \(turn (\d+)/.exec(system)?.[1];
      if (turn) {
        seen.push(`reply-back ${turn}`);
        return mockTextResponse(replyBack(Number(turn)));
      }
      if (system.includes("Agent-to-agent announce")) {
        seen.push("announce");
        return mockTextResponse(announce);
      }
      if (system.includes("Agent-to-agent message")) {
        seen.push("primary");
        return mockTextResponse("42");
      }
      if (options.messages.at(-1)?.role === "tool") return mockTextResponse("The helper says 42.");
      if (lastText(options).includes("ask the helper"))
        return mockToolCallResponse([
          {
            toolName: "sessions_send",
            input: { sessionKey: target, message: "what is six times seven" },
          },
        ]);
      return mockTextResponse("?");
    },
  });
  return { model, seen };
}

function setup(model: MockLanguageModelV1, config: RuntimeConfig = {}) {
  assistant = createAssistant({
    clock: middayClock(),
    config: {
      ...config,
      agents: {
        ...config.agents,
        defaults: { workspace: path.join(dir, "workspace"), model: { primary: "mock/a", fallbacks: [] } },
      },
    },
    providers: [createMockProvider({ id: "mock", models: { a: model } })],
    stateDir: path.join(dir, "state"),
    env: {},
  });
  return assistant;
}

function nextReply(a: Assistant): Promise<UnsolicitedReplyPayload> {
  return new Promise((resolve) => a.bus.once("reply", resolve));
}

/** Resolves with the runId of the first `final` chat event in `sessionKey` whose text is `text`. */
function finalWithText(a: Assistant, sessionKey: string, text: string): Promise<string> {
  return new Promise((resolve) => {
    const listener = (event: Parameters<Parameters<typeof a.bus.on<"chat">>[1]>[0]) => {
      if (event.sessionKey !== sessionKey || event.state !== "final") return;
      if (event.message?.content[0]?.text !== text) return;
      a.bus.off("chat", listener);
      resolve(event.runId);
    };
    a.bus.on("chat", listener);
  });
}

describe("sessions_send reply-back ping-pong and announce (spec §6.3)", () => {
  it("alternates requester and target for at most session.agentToAgent.maxPingPongTurns turns, then announces", async () => {
    const { model, seen } = a2aModel((turn) => `pong ${turn}`, "Helper: the answer was 42.");
    const a = setup(model, { session: { agentToAgent: { maxPingPongTurns: 3 } } });
    const announced = nextReply(a);
    const result = await a.enqueue({ text: "ask the helper" });
    // the requester's own turn gets the primary reply through the tool
    expect(result).toMatchObject({ status: "ok", text: "The helper says 42." });
    const reply = await announced;
    expect(reply).toMatchObject({ origin: "agent-to-agent", sessionKey: "agent:main:helper" });
    expect(reply.result.text).toBe("Helper: the answer was 42.");
    expect(seen).toEqual(["primary", "reply-back 1", "reply-back 2", "reply-back 3", "announce"]);
    // turn 1 ran in the requester (it got the helper's "42"), turn 2 in the helper, turn 3 in the requester
    const requester = (await a.history("main")).map((m) => (m.role === "user" ? m.content : undefined));
    expect(JSON.stringify(requester)).toContain('"42"');
    expect(JSON.stringify(requester)).toContain("pong 2");
    const helper = JSON.stringify(await a.history("agent:main:helper"));
    expect(helper).toContain("pong 1");
    expect(helper).toContain("pong 3"); // the announce turn carries the latest reply
  });

  it("an exact REPLY_SKIP ends the ping-pong; an exact ANNOUNCE_SKIP keeps the target silent", async () => {
    const { model, seen } = a2aModel(() => "REPLY_SKIP", "ANNOUNCE_SKIP");
    const a = setup(model);
    const replies: UnsolicitedReplyPayload[] = [];
    a.bus.on("reply", (event) => replies.push(event));
    const announceRun = finalWithText(a, "agent:main:helper", "ANNOUNCE_SKIP");
    expect((await a.enqueue({ text: "ask the helper" })).text).toBe("The helper says 42.");
    await a.waitForRun(await announceRun);
    expect(seen).toEqual(["primary", "reply-back 1", "announce"]);
    expect(replies).toEqual([]);
  });

  it("maxPingPongTurns 0 skips the ping-pong; the announce reaches the target's last chat", async () => {
    // dmScope per-peer: user 200's DM is the session agent:main:direct:200
    const { model, seen } = a2aModel(() => "never", "Helper: done, 42.", "agent:main:direct:200");
    const channel = createMockChannel();
    const config: RuntimeConfig = {
      session: { agentToAgent: { maxPingPongTurns: 0 }, dmScope: "per-peer" },
      channels: { mock: { allowFrom: ["200"] } },
    };
    const a = setup(model, config);
    manager = createChannelManager({
      plugins: [channel.plugin],
      getConfig: () => config as never,
      stateDir: path.join(dir, "state"),
      assistant: assistantForChannels(a),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    await manager.start();
    await channel.inject({
      text: "hello",
      sender: { id: "200", username: "bob" },
      chat: { type: "direct", id: "200" },
    });
    expect((await channel.waitForSent(1))[0]).toMatchObject({ to: "200", text: "?" });
    // the main session (no chat) messages bob's session; its announce is posted in bob's chat
    expect((await a.enqueue({ text: "ask the helper" })).text).toBe("The helper says 42.");
    const [, announce] = await channel.waitForSent(2);
    expect(announce).toMatchObject({ to: "200", text: "Helper: done, 42." });
    expect(announce?.idempotencyKey).toMatch(/^agent-to-agent:/);
    expect(seen).toEqual(["primary", "announce"]);
  });

  it("a sessions_send made inside a reply-back turn gets its reply but starts no second exchange", async () => {
    const seen: string[] = [];
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      script: (options): MockStreamScript => {
        const system = options.system ?? "";
        const last = options.messages.at(-1);
        if (last?.role === "tool") {
          seen.push("after-tool");
          return mockTextResponse(system.includes("reply-back") ? "REPLY_SKIP" : "The helper says 42.");
        }
        if (system.includes("Agent-to-agent announce")) {
          seen.push("announce");
          return mockTextResponse("ANNOUNCE_SKIP");
        }
        if (system.includes("Agent-to-agent message")) {
          seen.push("primary");
          return mockTextResponse("42");
        }
        if (system.includes("reply-back")) seen.push("reply-back");
        // both the user's turn and the reply-back turn ask the helper again
        return mockToolCallResponse([
          { toolName: "sessions_send", input: { sessionKey: "agent:main:helper", message: "and 6*7?" } },
        ]);
      },
    });
    const a = setup(model, { session: { agentToAgent: { maxPingPongTurns: 1 } } });
    const announceRun = finalWithText(a, "agent:main:helper", "ANNOUNCE_SKIP");
    expect((await a.enqueue({ text: "ask the helper" })).text).toBe("The helper says 42.");
    await a.waitForRun(await announceRun);
    // one exchange: primary, the requester's reply-back turn (whose own sessions_send gets a primary
    // reply only), then the single announce
    expect(seen).toEqual(["primary", "after-tool", "reply-back", "primary", "after-tool", "announce"]);
  });

  it("another agent's session needs tools.agentToAgent.enabled (and its allow list)", async () => {
    const { model } = a2aModel(() => "REPLY_SKIP", "ANNOUNCE_SKIP", "agent:ops:main");
    const a = setup(model, { agents: { list: [{ id: "main", default: true }, { id: "ops" }] } });
    const result = await a.enqueue({ text: "ask the helper" });
    expect(result.status).toBe("ok");
    const toolResult = (await a.history("main")).find((m) => m.role === "toolResult");
    expect(JSON.stringify(toolResult)).toContain(
      'agent-to-agent messaging is disabled: set tools.agentToAgent.enabled to true to let agent \\"main\\" message agent \\"ops\\"',
    );
  });

  it("a short key naming the caller's own session is refused instead of waiting on itself", async () => {
    const { model } = a2aModel(() => "REPLY_SKIP", "ANNOUNCE_SKIP", "main");
    const a = setup(model);
    expect((await a.enqueue({ text: "ask the helper" })).status).toBe("ok");
    const toolResult = (await a.history("main")).find((m) => m.role === "toolResult");
    expect(JSON.stringify(toolResult)).toContain(
      "sessions_send cannot target the current session (agent:main:main)",
    );
  });

  it("/stop in the requester also stops the sub-agents it spawned, without an announce turn", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      script: (options): MockStreamScript => {
        const text = lastText(options);
        if (options.messages.at(-1)?.role === "tool") return mockTextResponse("Started a helper.");
        if (text.includes("long job")) return { parts: mockTextResponse("working").slice(0, 3), hang: true };
        if (text.includes("start the job"))
          return mockToolCallResponse([{ toolName: "sessions_spawn", input: { task: "long job" } }]);
        return mockTextResponse(
          `plain reply to ${text.includes("[Sub-agent") ? "an announce" : "a message"}`,
        );
      },
    });
    const a = setup(model);
    const childStreaming = new Promise<string>((resolve) =>
      a.bus.on("chat", (event) => {
        if (event.sessionKey.includes(":subagent:") && event.state === "delta") resolve(event.runId);
      }),
    );
    expect((await a.enqueue({ text: "start the job" })).text).toBe("Started a helper.");
    const childRun = await childStreaming;
    const stop = await a.enqueue({ text: "/stop" });
    expect(stop.text).toContain("1 sub-agent stopped.");
    expect(await a.waitForRun(childRun)).toMatchObject({ status: "ok" }); // settled (aborted), not hanging
    // anything the stop would have queued in this session runs before this message
    expect((await a.enqueue({ text: "hello" })).text).toBe("plain reply to a message");
    expect(model.calls.some((call) => lastText(call).includes("[Sub-agent"))).toBe(false);
  });

  it('sessions_spawn cleanup: "delete" removes the sub-agent session (transcript archived) after its announce', async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      script: (options): MockStreamScript => {
        const text = lastText(options);
        if (options.messages.at(-1)?.role === "tool") return mockTextResponse("Started.");
        if (text.includes("count the files")) return mockTextResponse("3 files");
        if (text.includes("[Sub-agent")) return mockTextResponse("Helper: 3 files.");
        return mockToolCallResponse([
          { toolName: "sessions_spawn", input: { task: "count the files", cleanup: "delete" } },
        ]);
      },
    });
    const a = setup(model);
    const announced = nextReply(a);
    await a.enqueue({ text: "count in the background" });
    expect((await announced).result.text).toBe("Helper: 3 files.");
    expect((await a.sessions.list()).some((row) => row.key.includes(":subagent:"))).toBe(false);
    const files = await readdir(path.join(dir, "state", "agents", "main", "sessions"));
    expect(files.filter((name) => /\.jsonl\.deleted\./.test(name))).toHaveLength(1);
  });
});
