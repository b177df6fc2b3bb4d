import { EventEmitter, once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type ChannelAccountStatus,
  type ChannelManager,
  createChannelManager,
  type InboundTurn,
} from "@openclaw/core";
import { FakeSlackServer } from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSlackChannel } from "./slack-channel.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const ALICE = "U0ALICE01";

let fake: FakeSlackServer;
let stateDir: string;
let manager: ChannelManager | undefined;
let turns: InboundTurn[];
beforeEach(async () => {
  fake = await new FakeSlackServer().start();
  stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-slack-"));
  turns = [];
});
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
  await fake.close();
  await rm(stateDir, { recursive: true, force: true });
});

async function startSlack(
  extra: Record<string, unknown> = {},
  reply: (t: InboundTurn) => string = (t) => `echo: ${t.text}`,
  sleeps?: number[],
) {
  manager = createChannelManager({
    plugins: [createSlackChannel({ env: {} })],
    getConfig: () => ({
      channels: {
        slack: {
          botToken: fake.botToken,
          appToken: fake.appToken,
          apiUrl: fake.apiUrl,
          allowFrom: [ALICE],
          groupAllowFrom: ["*"],
          ...extra,
        },
      },
      messages: { ackReaction: "" },
    }),
    stateDir,
    assistant: {
      async enqueue(turn) {
        turns.push(turn);
        return { payloads: [{ text: reply(turn) }] };
      },
    },
    onStatus: (changed) => statusEvents.emit("status", changed),
    logger: quiet,
    retry: { attempts: 4, minDelayMs: 1, maxDelayMs: 5 },
    reconnect: { initialDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 },
    ...(sleeps ? { sleep: async (ms: number) => void sleeps.push(ms) } : {}),
  });
  await manager.start();
  return statusWhen((s) => s.connected || !s.running);
}
const status = async () => (await manager?.status())?.channels.slack?.accounts[0];

/** Status changes of the running manager (its `onStatus`), awaited instead of polling. */
const statusEvents = new EventEmitter();

/** The account's status once `check` holds. */
async function statusWhen(check: (s: ChannelAccountStatus) => boolean): Promise<ChannelAccountStatus> {
  for (;;) {
    const next = once(statusEvents, "status");
    const s = await status();
    if (s && check(s)) return s;
    await next;
  }
}

describe("slack channel through Bolt Socket Mode against the fake", () => {
  it("answers a DM in mrkdwn and acknowledges the envelope", async () => {
    await startSlack({}, () => "**Gras** _it_ ~~barré~~ `a<b` [lien](https://s.test/?a=1&b=2)");
    fake.event("im");
    const [reply] = await fake.waitForSent(1);
    expect(reply).toMatchObject({
      channel: "D0BOTDM01",
      text: "*Gras* _it_ ~barré~ `a&lt;b` <https://s.test/?a=1&amp;b=2|lien>",
    });
    expect(turns[0]).toMatchObject({ sessionKey: "agent:main:main", text: "salut, tu peux m'aider ?" });
    expect(fake.acks).toHaveLength(1);
  });

  it("ignores a channel message without a mention (counted), answers an app mention", async () => {
    await startSlack();
    fake.event("channel", { text: "réunion à 15h" });
    fake.event("mention");
    const [reply] = await fake.waitForSent(1);
    expect(reply).toMatchObject({ channel: "C0GENERAL1", text: "echo: quel temps demain ?" });
    await manager?.pipeline.idle();
    expect((await status())?.dropped).toEqual({ "mention required": 1 });
    expect(turns[0]?.sessionKey).toBe("agent:main:slack:channel:c0general1");
  });

  it("answers in the thread a mention came from", async () => {
    await startSlack();
    fake.event("mention", { threadTs: "1763719000.000100" });
    const [reply] = await fake.waitForSent(1);
    expect(reply?.threadTs).toBe("1763719000.000100");
    expect(turns[0]?.sessionKey).toBe("agent:main:slack:channel:c0general1:thread:1763719000.000100");
  });

  it("pairs an unknown sender then answers after approval", async () => {
    await startSlack({ allowFrom: [] });
    fake.event("im", { user: "U0BOB0001" });
    const [challenge] = await fake.waitForSent(1);
    const code = /Pairing code: ([A-Z2-9]{8})/.exec(challenge?.text ?? "")?.[1] ?? "";
    expect(challenge?.text).toContain("Your Slack user id: U0BOB0001");
    await manager?.pairing.approve("slack", code);
    fake.event("im", { user: "U0BOB0001", text: "merci" });
    const sent = await fake.waitForSent(2);
    expect(sent[1]?.text).toBe("echo: merci");
  });

  it("splits long replies into 4000-character chunks", async () => {
    const long = Array.from({ length: 30 }, (_, i) => `Ligne ${i} ${"bla ".repeat(80)}`).join("\n\n");
    await startSlack({}, () => long);
    fake.event("im");
    await fake.waitForSent(3);
    await manager?.pipeline.idle();
    for (const s of fake.sent) expect(s.text.length).toBeLessThanOrEqual(4000);
    expect(fake.sent.map((s) => s.text).join("\n\n")).toBe(long.replace(/ +(\n|$)/g, "$1"));
  });

  it("exactly once: unacked envelopes redelivered, dropped socket, dropped send, 429 retry-after", async () => {
    const sleeps: number[] = [];
    await startSlack({}, undefined, sleeps);
    fake.ackTimeoutMs = 20;
    fake.acksToLose = 1; // our ack arrives "too late": Slack redelivers the envelope
    fake.fault({ kind: "rate-limit", method: "chat.postMessage", retryAfter: 2 });
    fake.event("im", { text: "un" });
    await fake.waitForSent(1);
    await fake.waitFor(() => fake.envelopes.length >= 2 && fake.acks.length >= 1);
    fake.ackTimeoutMs = 5_000;
    fake.fault({ kind: "drop-after-processing", method: "chat.postMessage" });
    fake.event("im", { text: "deux" });
    await fake.waitForSent(2);
    fake.dropConnections();
    fake.event("im", { text: "trois" }); // queued by Slack until the app reconnects
    await fake.waitForSent(3);
    await manager?.pipeline.idle();
    expect(fake.sent.map((s) => s.text)).toEqual(["echo: un", "echo: deux", "echo: trois"]);
    expect(fake.envelopes.filter((e) => e.retry_reason === "timeout").length).toBeGreaterThanOrEqual(1);
    expect(sleeps).toContain(2000);
    expect(fake.connectionsOpened).toBeGreaterThanOrEqual(2);
  });

  it("survives malformed and unknown envelopes", async () => {
    await startSlack();
    fake.raw("not json");
    fake.raw({ type: "events_api", envelope_id: "x1", payload: { event: { type: "reaction_added" } } });
    fake.raw({ type: "slash_commands", envelope_id: "x2", payload: {} });
    fake.event("im", { text: "toujours là ?" });
    const [reply] = await fake.waitForSent(1);
    expect(reply?.text).toBe("echo: toujours là ?");
  });

  it("runs in HTTP events mode: signed requests are answered, bad signatures refused", async () => {
    const s = await startSlack({ mode: "http", signingSecret: "shh", webhookPort: 0, appToken: undefined });
    const port = (s?.details as { port?: number } | undefined)?.port;
    expect(port).toBeGreaterThan(0);
    const url = `http://127.0.0.1:${port}/slack/events`;
    expect(await fake.postEvent(url, "wrong-secret", "im")).toBe(401);
    expect(await fake.postEvent(url, "shh", "im", { text: "via http" })).toBe(200);
    const [reply] = await fake.waitForSent(1);
    expect(reply?.text).toBe("echo: via http");
  });

  it("reports an invalid bot token without a reconnect loop", async () => {
    await startSlack({ botToken: "xoxb-wrong" });
    await statusWhen((s) => !s.running);
    expect((await status())?.lastError).toBe("invalid token (invalid_auth)");
    expect(fake.unauthorizedRequests).toBe(1);
  });
});
