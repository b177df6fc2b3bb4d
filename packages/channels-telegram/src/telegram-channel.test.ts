import { EventEmitter, once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type ChannelAccountStatus,
  type ChannelManager,
  createChannelManager,
  type InboundHostConfig,
  type InboundTurn,
} from "@openclaw/core";
import { FakeTelegramServer, fakeMediaBytes, htmlVisibleText, telegramUpdate } from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTelegramChannel } from "./telegram-channel.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const ALICE = 7012345678;

function assistant(reply: (turn: InboundTurn) => string = (t) => `echo: ${t.text}`) {
  const turns: InboundTurn[] = [];
  return {
    turns,
    enqueue: async (turn: InboundTurn) => {
      turns.push(turn);
      return { payloads: [{ text: reply(turn) }] };
    },
  };
}

let fake: FakeTelegramServer;
let stateDir: string;
let manager: ChannelManager | undefined;
beforeEach(async () => {
  fake = await new FakeTelegramServer().start();
  stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-tg-"));
});
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
  await fake.close();
  await rm(stateDir, { recursive: true, force: true });
});

async function startTelegram(
  extra: Record<string, unknown> = {},
  options: {
    reply?: (turn: InboundTurn) => string;
    sleeps?: number[];
    config?: Partial<InboundHostConfig>;
  } = {},
) {
  const double = assistant(options.reply);
  const config: InboundHostConfig = {
    ...options.config,
    channels: {
      telegram: {
        botToken: fake.token,
        apiRoot: fake.url,
        pollTimeoutSeconds: 1,
        throttle: false,
        allowFrom: [String(ALICE)],
        groupAllowFrom: ["*"],
        ...extra,
      },
    },
  };
  manager = createChannelManager({
    plugins: [createTelegramChannel({ env: {} })],
    getConfig: () => config,
    stateDir,
    assistant: double,
    onStatus: (changed) => statusEvents.emit("status", changed),
    logger: quiet,
    retry: { attempts: 4, minDelayMs: 1, maxDelayMs: 5 },
    reconnect: { initialDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 },
    ...(options.sleeps ? { sleep: async (ms: number) => void options.sleeps?.push(ms) } : {}),
  });
  await manager.start();
  return { manager, assistant: double };
}

const status = async () => (await manager?.status())?.channels.telegram?.accounts[0];

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

describe("telegram channel through grammY against the fake Bot API", () => {
  it("answers a DM, renders Markdown as Telegram HTML and confirms the offset only after journaling", async () => {
    const { assistant: double } = await startTelegram(
      {},
      {
        reply: () =>
          "**Bonjour** _Alice_, voir `ls -la` et [docs](https://example.test/a?b=1&c=2)\n\n```sh\necho <hi>\n```",
      },
    );
    const update = fake.inject(telegramUpdate("privateText"));
    const [reply] = await fake.waitForSent(1);
    expect(reply).toMatchObject({ chatId: String(ALICE), parseMode: "HTML" });
    expect(reply?.text).toBe(
      '<b>Bonjour</b> <i>Alice</i>, voir <code>ls -la</code> et <a href="https://example.test/a?b=1&amp;c=2">docs</a>\n\n<pre><code class="language-sh">echo &lt;hi&gt;</code></pre>',
    );
    expect(htmlVisibleText(reply?.text ?? "")).toContain("echo <hi>");
    expect(double.turns[0]).toMatchObject({
      sessionKey: "agent:main:main",
      text: "Salut, tu peux m'aider ?",
    });
    await fake.waitFor(() => fake.confirmedOffset > Number(update.update_id));
    expect(fake.chatActions.some((a) => a.action === "typing")).toBe(true);
    expect(await status()).toMatchObject({
      connected: true,
      self: { username: "openclaw_test_bot" },
      received: 1,
    });
  });

  it("ignores a group message without a mention (counted) and answers a mention, replying to it", async () => {
    await startTelegram();
    fake.inject(telegramUpdate("groupMention", { text: "on mange quoi ce soir ?", messageId: 70 }));
    fake.inject(telegramUpdate("groupMention", { messageId: 71 }));
    const [reply] = await fake.waitForSent(1);
    expect(reply).toMatchObject({ chatId: "-1002233445566", replyToMessageId: 71 });
    await manager?.pipeline.idle();
    expect(fake.sent).toHaveLength(1);
    expect((await status())?.dropped).toEqual({ "mention required": 1 });
  });

  it("keeps forum topics apart: session key :topic:<id>, reply in the topic", async () => {
    const { assistant: double } = await startTelegram();
    fake.inject(telegramUpdate("forumTopic"));
    const [reply] = await fake.waitForSent(1);
    expect(reply).toMatchObject({ chatId: "-1003344556677", messageThreadId: 297 });
    expect(double.turns[0]?.sessionKey).toBe("agent:main:telegram:group:-1003344556677:topic:297");
  });

  it("answers /command@bot in a group without a mention and ignores commands for other bots", async () => {
    const { assistant: double } = await startTelegram();
    fake.inject(
      telegramUpdate("command", {
        text: "/status@other_bot",
        entities: [{ offset: 0, length: 17, type: "bot_command" }],
        messageId: 91,
      }),
    );
    fake.inject(telegramUpdate("command"));
    await fake.waitForSent(1);
    await manager?.pipeline.idle();
    expect(double.turns.map((t) => t.message.command)).toEqual(["/status"]);
  });

  it("pairs an unknown sender: code in Telegram, approve, then the reply", async () => {
    await startTelegram({ allowFrom: [] });
    fake.inject(telegramUpdate("privateText", { fromId: 999, username: "stranger" }));
    const [challenge] = await fake.waitForSent(1);
    const code = /Pairing code: ([A-Z2-9]{8})/.exec(challenge?.text ?? "")?.[1] ?? "";
    expect(challenge?.text).toContain("Your Telegram user id: 999");
    expect(await manager?.pairing.approve("telegram", code)).toMatchObject({ id: "999" });
    fake.inject(telegramUpdate("privateText", { fromId: 999, text: "merci", messageId: 600 }));
    const sent = await fake.waitForSent(2);
    expect(sent[1]).toMatchObject({ chatId: "999", text: "echo: merci" });
  });

  it("splits a long reply into ordered chunks under 4096 visible characters", async () => {
    const paragraph = (i: number) => `Paragraphe ${i}: ${"le renard brun saute. ".repeat(20)}`;
    const long = Array.from({ length: 60 }, (_, i) => paragraph(i)).join("\n\n");
    await startTelegram({}, { reply: () => long });
    fake.inject(telegramUpdate("privateText"));
    await manager?.pipeline.idle();
    await fake.waitFor(() => fake.sent.length > 0);
    await manager?.pipeline.idle();
    const visible = fake.sent.map((s) => htmlVisibleText(s.text) ?? "");
    expect(fake.sent.length).toBeGreaterThanOrEqual(Math.ceil(long.length / 4096));
    for (const v of visible) {
      expect(v.length).toBeLessThanOrEqual(4096);
      expect(v.startsWith("Paragraphe ")).toBe(true); // cut between paragraphs, never inside one
    }
    expect(visible.join("\n\n")).toBe(long.replace(/ +(\n|$)/g, "$1"));
  });

  it("honors 429 retry_after and sends once", async () => {
    const sleeps: number[] = [];
    await startTelegram({}, { sleeps });
    fake.fault({ kind: "rate-limit", method: "sendMessage", retryAfter: 3 });
    fake.inject(telegramUpdate("privateText"));
    await fake.waitForSent(1);
    await manager?.pipeline.idle();
    expect(sleeps).toContain(3000);
    expect(fake.sent).toHaveLength(1);
    expect(fake.calls.filter((c) => c.method === "sendMessage")).toHaveLength(2);
  });

  it("exactly once: dropped connection after the send, delayed answers and redelivered updates", async () => {
    await startTelegram();
    fake.fault({ kind: "drop-after-processing", method: "sendMessage" });
    fake.fault({ kind: "delay", method: "sendMessage", ms: 200 });
    const a = fake.inject(telegramUpdate("privateText", { messageId: 801, text: "un" }));
    fake.inject(telegramUpdate("privateText", { messageId: 802, text: "deux" }));
    await fake.waitForSent(2);
    fake.redeliver(a);
    fake.inject(telegramUpdate("privateText", { messageId: 803, text: "trois" }));
    await fake.waitForSent(3);
    await fake.waitFor(() => fake.pendingUpdates === 0);
    await manager?.pipeline.idle();
    const replies = fake
      .repliesTo(ALICE)
      .map((s) => s.text)
      .sort();
    expect(replies).toEqual(["echo: deux", "echo: trois", "echo: un"]);
    expect((await status())?.dropped.duplicate).toBe(1);
  });

  it("survives malformed and unknown updates and a huge message", async () => {
    await startTelegram();
    fake.injectRaw({ message: { text: "no update id" } });
    fake.inject({ message: { message_id: 5, text: "no chat" } });
    fake.inject(telegramUpdate("callbackQuery"));
    fake.inject({
      edited_message: {
        message_id: 1,
        chat: { id: ALICE, type: "private" },
        from: { id: ALICE },
        date: 1,
        text: "edit",
      },
    });
    fake.inject({ weird_future_update: { x: 1 } });
    const huge = "x".repeat(100_000);
    fake.inject(telegramUpdate("privateText", { text: huge, messageId: 900 }));
    fake.inject(telegramUpdate("privateText", { text: "encore là ?", messageId: 901 }));
    await fake.waitFor(() => fake.sent.some((s) => s.text === "echo: encore là ?"));
    await manager?.pipeline.idle();
    const hugeReply = fake.sent.filter((s) => s.text.startsWith("echo: x") || /^x+$/.test(s.text));
    expect(hugeReply.map((s) => s.text).join("")).toBe(`echo: ${huge}`);
    for (const s of hugeReply) expect(s.text.length).toBeLessThanOrEqual(4096);
    expect((await status())?.connected).toBe(true);
  });

  it("reports an invalid bot token clearly without a reconnect loop", async () => {
    await startTelegram({ botToken: "123:wrong" });
    await statusWhen((s) => !s.running);
    expect(await status()).toMatchObject({
      running: false,
      connected: false,
      lastError: "invalid bot token (401 Unauthorized)",
    });
    expect(fake.unauthorizedRequests).toBe(1);
    const probe = (await manager?.status({ probe: true }))?.channels.telegram?.accounts[0]?.probe;
    expect(probe).toMatchObject({ ok: false, error: "invalid bot token (401 Unauthorized)" });
  });

  it("streams a draft and edits it in place (streamMode: partial), ending with the formatted reply", async () => {
    manager = createChannelManager({
      plugins: [createTelegramChannel({ env: {} })],
      getConfig: () => ({
        channels: {
          telegram: {
            botToken: fake.token,
            apiRoot: fake.url,
            pollTimeoutSeconds: 1,
            throttle: false,
            allowFrom: [String(ALICE)],
            streamMode: "partial",
            streamEditIntervalMs: 0,
          },
        },
      }),
      stateDir,
      logger: quiet,
      assistant: {
        async enqueue(turn) {
          turn.onPartial?.("Il fera");
          turn.onPartial?.("Il fera **beau**");
          await new Promise((r) => setImmediate(r));
          turn.onPartial?.("Il fera **beau** demain");
          return { payloads: [{ text: "Il fera **beau** demain." }] };
        },
      },
    });
    await manager.start();
    fake.inject(telegramUpdate("privateText"));
    await fake.waitFor(() => fake.sent.some((s) => s.text === "Il fera <b>beau</b> demain."));
    await manager.pipeline.idle();
    const posted = fake.sent.filter((s) => s.method === "sendMessage");
    expect(posted).toHaveLength(1);
    expect(posted[0]?.text).toMatch(/^Il fera( <b>beau<\/b>)?( demain)?$/);
    const edits = fake.sent.filter((s) => s.method === "editMessageText");
    expect(edits.length).toBeGreaterThanOrEqual(1);
    expect(edits.every((e) => e.messageId === posted[0]?.messageId)).toBe(true);
    expect(edits.at(-1)?.text).toBe("Il fera <b>beau</b> demain.");
  });

  it("downloads inbound photos (getFile + the file endpoint) for the model and sends reply media with sendPhoto", async () => {
    const turns: InboundTurn[] = [];
    const photo = fakeMediaBytes("image/jpeg", 3000);
    fake.files.set("AgACAgQAAxkBAAIBAAFmLarge", { path: "photos/file_7.jpg", data: photo });
    manager = createChannelManager({
      plugins: [createTelegramChannel({ env: {} })],
      getConfig: () => ({
        channels: {
          telegram: {
            botToken: fake.token,
            apiRoot: fake.url,
            pollTimeoutSeconds: 1,
            throttle: false,
            allowFrom: [String(ALICE)],
          },
        },
      }),
      stateDir,
      logger: quiet,
      assistant: {
        async enqueue(turn) {
          turns.push(turn);
          return { payloads: [{ text: "Joli chat !", mediaUrl: "https://img.test/cat.png" }] };
        },
      },
    });
    await manager.start();
    fake.inject(telegramUpdate("photo"));
    await fake.waitForSent(2);
    expect(turns[0]?.message).toMatchObject({
      text: "regarde ça",
      media: [{ kind: "image", ref: "AgACAgQAAxkBAAIBAAFmLarge", sizeBytes: 98211 }],
    });
    // the photo reaches the model as an image (type sniffed from the bytes: Telegram gives none)
    expect(turns[0]?.images).toEqual([
      { data: Buffer.from(photo).toString("base64"), mimeType: "image/jpeg" },
    ]);
    expect(turns[0]?.text).toBe("regarde ça");
    expect(fake.fileDownloads).toEqual(["photos/file_7.jpg"]);
    expect(fake.sent.map((s) => [s.method, s.text])).toEqual([
      ["sendPhoto", ""],
      ["sendMessage", "Joli chat !"],
    ]);
  });

  it("runs in webhook mode: Telegram posts updates, the bot answers", async () => {
    await startTelegram({
      webhookUrl: "http://127.0.0.1:{port}/telegram-webhook",
      webhookPort: 0,
      webhookSecret: "s3cret",
    });
    await fake.waitFor(() => fake.webhook !== undefined);
    fake.inject(telegramUpdate("privateText", { text: "via webhook" }));
    const [reply] = await fake.waitForSent(1);
    expect(reply?.text).toBe("echo: via webhook");
    expect((await status())?.details).toMatchObject({ mode: "webhook" });
  });
});
