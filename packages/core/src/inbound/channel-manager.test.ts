import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ChannelError, type ChannelPluginV1 } from "@openclaw/protocol";
import { createMockChannel } from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFilePairingStore } from "../state/dm-pairing-store.js";
import { type ChannelManager, createChannelManager } from "./channel-manager.js";
import type { InboundHostConfig, InboundTurn } from "./inbound-pipeline.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** In-memory assistant double: answers "echo: <text>" (or a scripted reply) and records turns. */
function echoAssistant(reply?: (turn: InboundTurn) => string | Promise<string>) {
  const turns: InboundTurn[] = [];
  return {
    turns,
    async enqueue(turn: InboundTurn) {
      turns.push(turn);
      return { payloads: [{ text: reply ? await reply(turn) : `echo: ${turn.text}` }] };
    },
  };
}

let stateDir: string;
const managers: ChannelManager[] = [];
beforeEach(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-channels-"));
});
afterEach(async () => {
  for (const m of managers.splice(0)) await m.stop();
  await rm(stateDir, { recursive: true, force: true });
});

function start(
  config: InboundHostConfig,
  options: {
    assistant?: ReturnType<typeof echoAssistant>;
    channel?: ReturnType<typeof createMockChannel>;
    sleeps?: number[];
  } = {},
) {
  const channel = options.channel ?? createMockChannel();
  const assistant = options.assistant ?? echoAssistant();
  const manager = createChannelManager({
    plugins: [channel.plugin],
    getConfig: () => config,
    stateDir,
    assistant,
    logger: quiet,
    retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 2 },
    reconnect: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 },
    ...(options.sleeps ? { sleep: async (ms: number) => void options.sleeps?.push(ms) } : {}),
  });
  managers.push(manager);
  return { manager, channel, assistant };
}

describe("channel manager + inbound pipeline", () => {
  it("answers an allowed DM with the agent's Markdown rendered by the channel", async () => {
    const { manager, channel, assistant } = start(
      { channels: { mock: { allowFrom: ["100"] } } },
      { assistant: echoAssistant(() => "Hello **there** `x`") },
    );
    await manager.start();
    expect(await channel.inject({ text: "hi" })).toEqual({ status: "journaled" });
    const [reply] = await channel.waitForSent(1);
    expect(reply).toMatchObject({ to: "100", text: "Hello <bold>there</bold> <code>x</code>" });
    expect(assistant.turns[0]).toMatchObject({ agentId: "main", sessionKey: "agent:main:main", text: "hi" });
    await manager.pipeline.idle();
    const status = await manager.status({ probe: true });
    expect(status.channels.mock?.accounts[0]).toMatchObject({
      connected: true,
      running: true,
      received: 1,
      sent: 1,
      probe: { ok: true },
    });
    expect(status.channels.mock?.accounts[0]?.lastOutboundAt).toBeTypeOf("number");
  });

  it("pairs an unknown sender: code, further messages held, approve, then replies", async () => {
    const { manager, channel, assistant } = start({ channels: { mock: {} } });
    await manager.start();
    await channel.inject({
      text: "hello?",
      sender: { id: "555", username: "bob" },
      chat: { type: "direct", id: "555" },
    });
    const [challenge] = await channel.waitForSent(1);
    const code = /Pairing code: ([A-Z2-9]{8})/.exec(challenge?.text ?? "")?.[1];
    expect(code).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$/);
    expect(challenge?.text).toContain(`openclaw pairing approve mock ${code}`);
    await channel.inject({
      text: "still there?",
      sender: { id: "555" },
      chat: { type: "direct", id: "555" },
    });
    await manager.pipeline.idle();
    expect(channel.sent).toHaveLength(1);
    expect(assistant.turns).toHaveLength(0);
    expect((await manager.status()).channels.mock?.accounts[0]?.dropped["pairing pending"]).toBe(2);
    expect((await manager.pairing.list("mock")).map((r) => r.id)).toEqual(["555"]);
    expect(await manager.pairing.approve("mock", code ?? "")).toMatchObject({ id: "555" });
    await channel.inject({ text: "now?", sender: { id: "555" }, chat: { type: "direct", id: "555" } });
    const sent = await channel.waitForSent(2);
    expect(sent[1]?.text).toBe("echo: now?");
    const allow = JSON.parse(
      await readFile(path.join(stateDir, "credentials", "mock-allowFrom.json"), "utf8"),
    );
    expect(allow.allowFrom).toEqual(["555"]);
  });

  it("a sender approved from another process (`openclaw pairing approve`) is let in on their very next message", async () => {
    // the gateway's store keeps its allow-list cache warm (frozen clock: it never expires by time);
    // the approval is written by a second store on the same state dir, as the CLI process does
    const clock = () => 1_800_000_000_000;
    const channel = createMockChannel();
    const assistant = echoAssistant();
    const manager = createChannelManager({
      plugins: [channel.plugin],
      getConfig: () => ({ channels: { mock: {} } }),
      stateDir,
      assistant,
      logger: quiet,
      pairing: createFilePairingStore({ stateDir, now: clock }),
    });
    managers.push(manager);
    await manager.start();
    const from555 = { sender: { id: "555" }, chat: { type: "direct" as const, id: "555" } };
    await channel.inject({ text: "hello?", ...from555 });
    const [challenge] = await channel.waitForSent(1);
    const code = /Pairing code: ([A-Z2-9]{8})/.exec(challenge?.text ?? "")?.[1] ?? "";
    const cli = createFilePairingStore({ stateDir, now: clock });
    expect(await cli.approve("mock", code)).toMatchObject({ id: "555" });
    await channel.inject({ text: "now?", ...from555 });
    const sent = await channel.waitForSent(2);
    expect(sent[1]?.text).toBe("echo: now?");
    expect(assistant.turns.map((turn) => turn.text)).toEqual(["now?"]);
  });

  it("ignores a group message without a mention (counted), answers with a mention or a mention pattern", async () => {
    const { manager, channel } = start({
      channels: { mock: { groupAllowFrom: ["*"] } },
      messages: { groupChat: { mentionPatterns: ["\\bclaw\\b"] } },
    });
    await manager.start();
    const group = { type: "group" as const, id: "-42" };
    await channel.inject({ text: "random chatter", chat: group, messageId: "g1" });
    await manager.pipeline.idle();
    expect(channel.sent).toHaveLength(0);
    expect((await manager.status()).channels.mock?.accounts[0]?.dropped).toEqual({ "mention required": 1 });
    await channel.inject({ text: "@mockbot help", chat: group, mentioned: true, messageId: "g2" });
    await channel.inject({ text: "hey claw, hi", chat: group, messageId: "g3" });
    const sent = await channel.waitForSent(2);
    expect(sent.map((s) => [s.to, s.replyToMessageId])).toEqual([
      ["-42", "g2"],
      ["-42", "g3"],
    ]);
  });

  it("applies channels.defaults under each channel's keys", async () => {
    const { manager, channel } = start({
      channels: { defaults: { dmPolicy: "open", allowFrom: ["*"] }, mock: {} },
    });
    await manager.start();
    await channel.inject({ text: "hello", sender: { id: "999" }, chat: { type: "direct", id: "999" } });
    const [reply] = await channel.waitForSent(1);
    expect(reply?.text).toBe("echo: hello");
  });

  it("blocks groups by allowlist by default and explains why", async () => {
    const { manager, channel } = start({ channels: { mock: {} } });
    await manager.start();
    await channel.inject({ text: "hi bot", chat: { type: "group", id: "-1" }, mentioned: true });
    await manager.pipeline.idle();
    expect(channel.sent).toHaveLength(0);
    expect((await manager.status()).channels.mock?.accounts[0]?.dropped).toEqual({
      "blocked by allowlist": 1,
    });
  });

  it("processes a redelivered message once", async () => {
    const { manager, channel, assistant } = start({
      channels: { mock: { dmPolicy: "open", allowFrom: ["*"] } },
    });
    await manager.start();
    expect(await channel.inject({ text: "once", messageId: "m1" })).toEqual({ status: "journaled" });
    expect(await channel.inject({ text: "once", messageId: "m1" })).toEqual({ status: "duplicate" });
    await manager.pipeline.idle();
    expect(assistant.turns).toHaveLength(1);
    expect(channel.sent).toHaveLength(1);
  });

  it("splits a long reply into chunks within the channel limit", async () => {
    const long = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} ${"lorem ipsum ".repeat(10)}`).join(
      "\n\n",
    );
    const channel = createMockChannel({ maxTextLength: 500 });
    const { manager } = start(
      { channels: { mock: { allowFrom: ["100"] } } },
      { channel, assistant: echoAssistant(() => long) },
    );
    await manager.start();
    await channel.inject({ text: "long please" });
    await manager.pipeline.idle();
    expect(channel.sent.length).toBeGreaterThan(5);
    for (const s of channel.sent) expect(s.text.length).toBeLessThanOrEqual(500);
    expect(channel.sent.map((s) => s.text).join("\n\n")).toBe(long.replace(/ +\n/g, "\n").trim());
    expect(new Set(channel.sent.map((s) => s.idempotencyKey)).size).toBe(channel.sent.length);
  });

  it("honors a vendor retry_after on 429 and then delivers once", async () => {
    const sleeps: number[] = [];
    const { manager, channel } = start({ channels: { mock: { allowFrom: ["100"] } } }, { sleeps });
    channel.failNextSend("NOT_SENT", 1500);
    await manager.start();
    await channel.inject({ text: "hi" });
    await channel.waitForSent(1);
    expect(sleeps).toEqual([1500]);
    expect(channel.sent).toHaveLength(1);
  });

  it("never posts twice when the connection drops after the vendor took the message", async () => {
    const { manager, channel } = start({ channels: { mock: { allowFrom: ["100"] } } });
    channel.failNextSend("AMBIGUOUS_POSTED");
    await manager.start();
    await channel.inject({ text: "hi" });
    await manager.pipeline.idle();
    expect(channel.sent).toHaveLength(1);

    const idem = createMockChannel({ id: "idem", idempotentSend: true });
    const second = createChannelManager({
      plugins: [idem.plugin],
      getConfig: () => ({ channels: { idem: { allowFrom: ["100"] } } }),
      stateDir: path.join(stateDir, "second"),
      assistant: echoAssistant(),
      logger: quiet,
      retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 2 },
    });
    managers.push(second);
    idem.failNextSend("AMBIGUOUS_POSTED");
    await second.start();
    await idem.inject({ text: "hi" });
    await second.pipeline.idle();
    expect(idem.sent).toHaveLength(1);
  });

  it("after a crash, answers unanswered messages and does not repeat answered ones", async () => {
    let release: (() => void) | undefined;
    const hanging = echoAssistant((turn) =>
      turn.text === "second"
        ? new Promise<string>((resolve) => (release = () => resolve("late")))
        : `echo: ${turn.text}`,
    );
    const first = start({ channels: { mock: { allowFrom: ["100"] } } }, { assistant: hanging });
    await first.manager.start();
    await first.channel.inject({ text: "first", messageId: "a" });
    await first.channel.waitForSent(1);
    await first.channel.inject({ text: "second", messageId: "b" });
    // "crash": the process goes away while the agent is still thinking about "second"
    managers.splice(managers.indexOf(first.manager), 1);
    await first.manager.stop();
    release?.();

    const again = start({ channels: { mock: { allowFrom: ["100"] } } });
    await again.manager.start();
    await again.channel.running();
    await again.manager.pipeline.idle();
    expect(again.assistant.turns.map((t) => t.text)).toEqual(["second"]);
    expect(again.channel.sent.map((s) => s.text)).toEqual(["echo: second"]);
    // a redelivery of the answered message after restart is still a duplicate
    expect(await again.channel.inject({ text: "first", messageId: "a" })).toEqual({ status: "duplicate" });
  });

  it("rejects a malformed inbound message with a reason and keeps running", async () => {
    const { manager, channel } = start({ channels: { mock: { allowFrom: ["100"] } } });
    await manager.start();
    const ack = await channel.inject({
      text: "x",
      messageId: "",
      chat: { type: "weird" as "group", id: "1" },
    });
    expect(ack.status).toBe("rejected");
    expect(ack.reason).toMatch(/messageId|chat\.type/);
    expect((await manager.status()).channels.mock?.accounts[0]?.dropped).toEqual({ malformed: 1 });
  });

  it("stops an account with invalid credentials without a reconnect loop, and caps other failures", async () => {
    let unauthorizedCalls = 0;
    let flakyCalls = 0;
    const base = createMockChannel().plugin;
    const unauthorized: ChannelPluginV1 = {
      ...base,
      id: "bad",
      gateway: {
        async startAccount() {
          unauthorizedCalls++;
          throw new ChannelError("UNAUTHORIZED", "invalid bot token (401 Unauthorized)");
        },
      },
    };
    const flaky: ChannelPluginV1 = {
      ...base,
      id: "flaky",
      gateway: {
        async startAccount() {
          flakyCalls++;
          throw new Error("ECONNREFUSED");
        },
      },
    };
    const manager = createChannelManager({
      plugins: [unauthorized, flaky],
      getConfig: () => ({ channels: { bad: {}, flaky: {} } }),
      stateDir,
      assistant: echoAssistant(),
      logger: quiet,
      reconnect: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 4 },
    });
    managers.push(manager);
    await manager.start();
    const settled = async () => {
      for (;;) {
        const s = await manager.status();
        if (!s.channels.bad?.accounts[0]?.running && !s.channels.flaky?.accounts[0]?.running) return s;
        await new Promise((r) => setImmediate(r));
      }
    };
    const status = await settled();
    expect(unauthorizedCalls).toBe(1);
    expect(status.channels.bad?.accounts[0]?.lastError).toBe("invalid bot token (401 Unauthorized)");
    expect(flakyCalls).toBe(4);
    expect(status.channels.flaky?.accounts[0]?.lastError).toMatch(/gave up after 4 attempts: ECONNREFUSED/);
  });

  it("merges rapid messages from one sender into one turn when messages.inbound.debounceMs is set", async () => {
    const { manager, channel, assistant } = start({
      channels: { mock: { allowFrom: ["100"] } },
      messages: { inbound: { debounceMs: 30 } },
    });
    await manager.start();
    await channel.inject({ text: "first part", messageId: "d1" });
    await channel.inject({ text: "second part", messageId: "d2" });
    await channel.waitForSent(1);
    await manager.pipeline.idle();
    expect(assistant.turns.map((t) => t.text)).toEqual(["first part\nsecond part"]);
    expect(channel.sent.map((s) => s.text)).toEqual(["echo: first part\nsecond part"]);
  });

  it("routes by bindings to another agent and its session key", async () => {
    const { manager, channel, assistant } = start({
      agents: { list: [{ id: "main", default: true }, { id: "work" }] },
      bindings: [{ agentId: "work", match: { channel: "mock", peer: { kind: "group", id: "-7" } } }],
      session: { dmScope: "per-channel-peer" },
      channels: { mock: { allowFrom: ["100"], groups: { "-7": { requireMention: false } } } },
    });
    await manager.start();
    await channel.inject({ text: "dm", messageId: "r1" });
    await channel.inject({ text: "team", messageId: "r2", chat: { type: "group", id: "-7" } });
    await channel.waitForSent(2);
    expect(assistant.turns.map((t) => [t.agentId, t.sessionKey]).sort()).toEqual([
      ["main", "agent:main:mock:direct:100"],
      ["work", "agent:work:mock:group:-7"],
    ]);
  });

  it("runs several accounts of one channel, each with its own status, and follows config reloads", async () => {
    const config: InboundHostConfig = {
      channels: { mock: { allowFrom: ["100"], accounts: { a: {}, b: {} } } },
    };
    const { manager, channel } = start(config);
    await manager.start();
    await channel.inject({ text: "to a" }, "a");
    await channel.inject({ text: "to b" }, "b");
    await channel.waitForSent(2);
    await manager.pipeline.idle();
    expect(channel.sent.map((s) => [s.accountId, s.text]).sort()).toEqual([
      ["a", "echo: to a"],
      ["b", "echo: to b"],
    ]);
    const accounts = (await manager.status()).channels.mock?.accounts ?? [];
    expect(accounts.map((a) => [a.accountId, a.running, a.received, a.sent])).toEqual([
      ["a", true, 1, 1],
      ["b", true, 1, 1],
    ]);
    config.channels = { mock: { allowFrom: ["100"], accounts: { a: {} } } };
    await manager.reload();
    const after = (await manager.status()).channels.mock?.accounts ?? [];
    expect(after.map((a) => [a.accountId, a.running])).toEqual([
      ["a", true],
      ["b", false],
    ]);
  });

  it("contains a plugin that throws in listAccountIds or startAccount: status errors, the other channel answers", async () => {
    const healthy = createMockChannel();
    const base = createMockChannel().plugin;
    const badList: ChannelPluginV1 = {
      ...base,
      id: "badlist",
      config: {
        ...base.config,
        listAccountIds() {
          throw new TypeError("cannot read properties of undefined (reading 'accounts')");
        },
      },
    };
    let badStartCalls = 0;
    const badStart: ChannelPluginV1 = {
      ...base,
      id: "badstart",
      gateway: {
        // not async: throws synchronously, before any promise exists
        startAccount() {
          badStartCalls++;
          throw new Error("plugin bug at start");
        },
        stopAccount() {
          throw new Error("plugin bug at stop");
        },
      },
    };
    const manager = createChannelManager({
      plugins: [badList, badStart, healthy.plugin],
      getConfig: () => ({ channels: { badlist: {}, badstart: {}, mock: { allowFrom: ["100"] } } }),
      stateDir,
      assistant: echoAssistant(),
      logger: quiet,
      reconnect: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 2 },
    });
    managers.push(manager);
    await manager.start();
    expect(await healthy.inject({ text: "still there?" })).toEqual({ status: "journaled" });
    const [reply] = await healthy.waitForSent(1);
    expect(reply).toMatchObject({ to: "100", text: "echo: still there?" });

    const stopped = async () => {
      for (;;) {
        const s = await manager.status();
        if (!s.channels.badstart?.accounts[0]?.running) return s;
        await new Promise((r) => setImmediate(r));
      }
    };
    const status = await stopped();
    expect(status.channels.badlist?.accounts).toEqual([
      expect.objectContaining({
        running: false,
        lastError: expect.stringMatching(/listAccountIds: cannot read properties of undefined/),
      }),
    ]);
    expect(badStartCalls).toBe(2);
    expect(status.channels.badstart?.accounts[0]?.lastError).toMatch(
      /gave up after 2 attempts: plugin bug at start/,
    );
    expect(status.channels.mock?.accounts[0]).toMatchObject({ running: true, connected: true, sent: 1 });
    await manager.reload();
    await manager.stop();
  });

  it("rejects a plugin of an unknown specification version", () => {
    expect(() =>
      createChannelManager({
        plugins: [{ specificationVersion: "v9", id: "x" }],
        getConfig: () => ({}),
        stateDir,
        assistant: echoAssistant(),
      }),
    ).toThrow(/specificationVersion v9/);
  });
});
