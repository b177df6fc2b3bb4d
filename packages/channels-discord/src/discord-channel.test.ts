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
import { FakeDiscordServer } from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDiscordChannel } from "./discord-channel.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const ALICE = "402938475610293847";
const GUILD_CHANNEL = "1290000000000000010";
const DM_CHANNEL = "1309000000000000001";

let fake: FakeDiscordServer;
let stateDir: string;
let manager: ChannelManager | undefined;
let turns: InboundTurn[];
beforeEach(async () => {
  fake = await new FakeDiscordServer({ heartbeatMs: 200 }).start();
  fake.guilds = [
    {
      id: "1280000000000000001",
      channels: [{ id: GUILD_CHANNEL, name: "general", type: 0 }],
      threads: [{ id: "1290000000000000777", name: "idées", type: 11, parent_id: GUILD_CHANNEL }],
    },
  ];
  stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-dc-"));
  turns = [];
});
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
  await fake.close();
  await rm(stateDir, { recursive: true, force: true });
});

async function startDiscord(
  extra: Record<string, unknown> = {},
  reply: (t: InboundTurn) => string = (t) => `echo: ${t.text}`,
) {
  manager = createChannelManager({
    plugins: [createDiscordChannel({ env: {} })],
    getConfig: () => ({
      channels: {
        discord: {
          token: fake.token,
          apiBaseUrl: `${fake.url}/api`,
          allowFrom: [ALICE],
          groupAllowFrom: ["*"],
          ...extra,
        },
      },
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
  });
  await manager.start();
  return statusWhen((s) => s.connected || !s.running);
}
const status = async () => (await manager?.status())?.channels.discord?.accounts[0];

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

describe("discord channel through @discordjs/ws + @discordjs/rest against the fake", () => {
  it("answers a DM with Discord markdown, a nonce, typing and an ack reaction", async () => {
    await startDiscord({}, () => "**Salut** `x` — snake_case_name [doc](https://d.test)");
    const m = fake.message("dm");
    const [reply] = await fake.waitForSent(1);
    expect(reply).toMatchObject({
      channelId: DM_CHANNEL,
      content: "**Salut** `x` — snake\\_case\\_name [doc](<https://d.test>)",
    });
    expect(reply?.nonce).toHaveLength(25);
    expect(turns[0]).toMatchObject({ sessionKey: "agent:main:main", text: "salut, t'es là ?" });
    await manager?.pipeline.idle();
    expect(fake.typing).toContain(DM_CHANNEL);
    expect(fake.reactions).toEqual([{ channelId: DM_CHANNEL, messageId: m.id, emoji: "👀" }]);
  });

  it("ignores a guild message without a mention (counted) and answers a mention", async () => {
    await startDiscord();
    fake.message("guild", { content: "on discute entre nous", mentionsBot: false });
    const mention = fake.message("guild");
    const [reply] = await fake.waitForSent(1);
    expect(reply).toMatchObject({
      channelId: GUILD_CHANNEL,
      content: "echo: quel temps demain ?",
      replyTo: mention.id,
    });
    expect(turns[0]?.sessionKey).toBe(`agent:main:discord:channel:${GUILD_CHANNEL}`);
    await manager?.pipeline.idle();
    expect((await status())?.dropped).toEqual({ "mention required": 1 });
  });

  it("answers inside a thread with a thread session key", async () => {
    await startDiscord();
    fake.message("guild", { channelId: "1290000000000000777" });
    const [reply] = await fake.waitForSent(1);
    expect(reply?.channelId).toBe("1290000000000000777");
    expect(turns[0]?.sessionKey).toBe(
      `agent:main:discord:channel:${GUILD_CHANNEL}:thread:1290000000000000777`,
    );
  });

  it("pairs an unknown sender then answers after approval", async () => {
    await startDiscord({ allowFrom: [] });
    fake.message("dm", { authorId: "555000000000000001" });
    const [challenge] = await fake.waitForSent(1);
    const code = /Pairing code: ([A-Z2-9]{8})/.exec(challenge?.content ?? "")?.[1] ?? "";
    expect(challenge?.content).toContain("Your Discord user id: 555000000000000001");
    await manager?.pairing.approve("discord", code);
    fake.message("dm", { authorId: "555000000000000001", content: "merci" });
    const sent = await fake.waitForSent(2);
    expect(sent[1]?.content).toBe("echo: merci");
  });

  it("splits long replies under 2000 characters and keeps code fences whole", async () => {
    const code = Array.from({ length: 30 }, (_, i) => `print(${i})`).join("\n");
    const long = `${"Intro. ".repeat(250)}\n\n\`\`\`py\n${code}\n\`\`\`\n\n${"Fin. ".repeat(100)}`;
    await startDiscord({}, () => long);
    fake.message("dm");
    await fake.waitFor(() =>
      fake.sent.some((s) => s.content.startsWith("Fin.") || s.content.includes("Fin. Fin.")),
    );
    await manager?.pipeline.idle();
    for (const s of fake.sent) expect(s.content.length).toBeLessThanOrEqual(2000);
    const fences = fake.sent.filter((s) => s.content.includes("```"));
    expect(fences).toHaveLength(1);
    expect(fences[0]?.content).toContain("print(0)");
    expect(fences[0]?.content).toContain("print(29)");
  });

  it("exactly once: 429 honored, connection dropped after the send, gateway resume replays missed events", async () => {
    await startDiscord();
    fake.fault({ kind: "rate-limit", route: "messages", retryAfter: 0.05 });
    fake.fault({ kind: "drop-after-processing", route: "messages" });
    fake.message("dm", { content: "un" });
    await fake.waitForSent(1);
    await manager?.pipeline.idle();
    fake.dropGateway();
    fake.message("dm", { content: "deux" }); // dispatched while disconnected → replayed on RESUME
    await fake.waitFor(() => fake.resumes.length > 0);
    await fake.waitForSent(2);
    await manager?.pipeline.idle();
    expect(fake.sent.map((s) => s.content)).toEqual(["echo: un", "echo: deux"]);
    expect(fake.identifies).toHaveLength(1);
  });

  it("survives malformed and unknown gateway events", async () => {
    await startDiscord();
    fake.dispatch("MESSAGE_CREATE", { id: "1", content: "no channel, no author" });
    fake.dispatch("SOME_FUTURE_EVENT", { x: 1 });
    fake.dispatch("MESSAGE_CREATE", { ...fake.message("dm", { content: "" }), attachments: [] });
    fake.message("dm", { content: "encore là ?" });
    await fake.waitFor(() => fake.sent.some((s) => s.content === "echo: encore là ?"));
    await manager?.pipeline.idle();
    expect(fake.sent).toHaveLength(1);
    expect((await status())?.connected).toBe(true);
  });

  it("reports an invalid token without a reconnect loop", async () => {
    const s = await startDiscord({ token: "bad.token.value" }).catch(() => undefined);
    await statusWhen((current) => !current.running);
    expect(await status()).toMatchObject({
      running: false,
      lastError: "invalid bot token (401 Unauthorized)",
    });
    expect(fake.unauthorizedRequests).toBe(1);
    expect(s === undefined || s.connected === false).toBe(true);
  });
});
