import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { format } from "node:util";
import { type ChannelManager, createChannelManager, type InboundTurn } from "@openclaw/core";
import { FakeMattermostServer, fakeMediaBytes } from "@openclaw/testkit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMattermostChannel } from "./mattermost-channel.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** What reaches the process console (the gateway's stdout/stderr) during this file. */
const consoleLines: string[] = [];
const consoleOriginals = { log: console.log, warn: console.warn, error: console.error };
beforeAll(() => {
  for (const level of ["log", "warn", "error"] as const)
    console[level] = (...args: unknown[]) => {
      consoleLines.push(format(...args));
      consoleOriginals[level](...args);
    };
});
afterAll(() => Object.assign(console, consoleOriginals));

let fake: FakeMattermostServer;
let stateDir: string;
let manager: ChannelManager | undefined;
beforeEach(async () => {
  fake = await new FakeMattermostServer().start();
  stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-mm-"));
});
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
  await fake.close();
  await rm(stateDir, { recursive: true, force: true });
});

const status = async () => (await manager?.status())?.channels.mattermost?.accounts[0];
const until = async (check: () => Promise<boolean>) => {
  while (!(await check())) await new Promise((r) => setTimeout(r, 5));
};

async function startMattermost(
  extra: Record<string, unknown> = {},
  options: {
    reply?: (turn: InboundTurn) => string;
    logs?: string[];
    debugLogs?: string[];
    config?: Record<string, unknown>;
  } = {},
) {
  const turns: InboundTurn[] = [];
  const logger = options.logs
    ? {
        debug: (m: string) => options.debugLogs?.push(m),
        info: (m: string) => options.logs?.push(m),
        warn: (m: string) => options.logs?.push(m),
        error: (m: string) => options.logs?.push(m),
      }
    : quiet;
  manager = createChannelManager({
    plugins: [createMattermostChannel({ env: {}, websocket: { minRetryMs: 10, maxRetryMs: 50 } })],
    getConfig: () => ({
      ...options.config,
      channels: {
        mattermost: {
          baseUrl: fake.url,
          botToken: fake.botToken,
          allowFrom: [fake.alice],
          groupAllowFrom: ["*"],
          ...extra,
        },
      },
    }),
    stateDir,
    logger,
    assistant: {
      enqueue: async (turn: InboundTurn) => {
        turns.push(turn);
        return { payloads: [{ text: options.reply ? options.reply(turn) : `echo: ${turn.text}` }] };
      },
    },
    retry: { attempts: 4, minDelayMs: 1, maxDelayMs: 5 },
    reconnect: { initialDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 },
  });
  await manager.start();
  await until(async () => (await status())?.connected === true || (await status())?.running === false);
  return { turns };
}

describe("mattermost channel through @mattermost/client against the fake server", () => {
  it("answers a DM with Mattermost Markdown", async () => {
    const { turns } = await startMattermost(
      {},
      {
        reply: () =>
          "**Bonjour** _Alice_, ~~non~~ voir `a_b` et [docs](https://example.test/a) (snake_case)\n\n```sh\necho hi\n```",
      },
    );
    fake.inject(fake.posted("postedDm"));
    const [reply] = await fake.waitForSent(1);
    expect(reply).toMatchObject({ channelId: fake.dmChannel, rootId: "" });
    expect(reply?.text).toBe(
      "**Bonjour** _Alice_, ~~non~~ voir `a_b` et [docs](https://example.test/a) (snake\\_case)\n\n```sh\necho hi\n```",
    );
    expect(reply?.pendingPostId).toMatch(new RegExp(`^${fake.botId}:\\d+$`));
    expect(turns[0]).toMatchObject({ text: "Salut, tu peux m'aider ?", sessionKey: "agent:main:main" });
    expect(await status()).toMatchObject({ connected: true, self: { username: "openclaw" }, received: 1 });
  });

  it("ignores a channel post without a mention (counted), answers a mention, answers in a thread", async () => {
    const { turns } = await startMattermost();
    fake.inject(fake.posted("postedChannel"));
    fake.inject(fake.posted("postedMention"));
    const [reply] = await fake.waitForSent(1);
    expect(reply).toMatchObject({ channelId: fake.townSquare });
    await manager?.pipeline.idle();
    expect(fake.sent).toHaveLength(1);
    expect((await status())?.dropped).toEqual({ "mention required": 1 });
    fake.inject(
      fake.posted("postedMention", {
        rootId: "p2ch000000000000000000000a",
        text: "@openclaw et dans le fil ?",
      }),
    );
    const sent = await fake.waitForSent(2);
    expect(sent[1]).toMatchObject({ channelId: fake.townSquare, rootId: "p2ch000000000000000000000a" });
    expect(turns[1]?.sessionKey).toContain(":thread:p2ch000000000000000000000a");
  });

  it("pairs an unknown sender: code in Mattermost, approve, then the reply", async () => {
    await startMattermost({ allowFrom: [] });
    fake.inject(fake.posted("postedDm", { userId: "stranger000000000000000000", senderName: "@stranger" }));
    const [challenge] = await fake.waitForSent(1);
    const code = /Pairing code: ([A-Z2-9]{8})/.exec(challenge?.text ?? "")?.[1] ?? "";
    expect(challenge?.text).toContain("Your Mattermost user id: stranger000000000000000000");
    expect(await manager?.pairing.approve("mattermost", code)).toMatchObject({
      id: "stranger000000000000000000",
    });
    fake.inject(fake.posted("postedDm", { userId: "stranger000000000000000000", text: "merci" }));
    const sent = await fake.waitForSent(2);
    expect(sent[1]).toMatchObject({ channelId: fake.dmChannel, text: "echo: merci" });
  });

  it("splits a long reply into ordered chunks of at most 4000 characters", async () => {
    const paragraph = (i: number) => `Paragraphe ${i}: ${"le renard brun saute. ".repeat(20)}`;
    const long = Array.from({ length: 30 }, (_, i) => paragraph(i)).join("\n\n");
    await startMattermost({}, { reply: () => long });
    fake.inject(fake.posted("postedDm"));
    await fake.waitFor(() => fake.sent.length >= Math.ceil(long.length / 4000));
    await manager?.pipeline.idle();
    for (const s of fake.sent) {
      expect(s.text.length).toBeLessThanOrEqual(4000);
      expect(s.text.startsWith("Paragraphe ")).toBe(true);
    }
    expect(fake.sent.map((s) => s.text).join("\n\n")).toBe(long.replace(/ +(\n|$)/g, "$1"));
  });

  it("exactly once across a dropped connection mid-send (same pending_post_id) and a dropped WebSocket (replayed)", async () => {
    await startMattermost();
    fake.fault({ kind: "drop-after-processing", path: "posts" });
    fake.inject(fake.posted("postedDm", { text: "un", id: "postun0000000000000000000a" }));
    await fake.waitForSent(1);
    await manager?.pipeline.idle();
    fake.dropWebSocket();
    fake.inject(fake.posted("postedDm", { text: "deux" })); // missed while down, replayed on reconnect
    await fake.waitFor(() => fake.sent.some((s) => s.text === "echo: deux"));
    fake.inject(fake.posted("postedDm", { text: "un", id: "postun0000000000000000000a" })); // delivered twice
    fake.inject(fake.posted("postedDm", { text: "trois" }));
    await fake.waitFor(() => fake.sent.some((s) => s.text === "echo: trois"));
    await manager?.pipeline.idle();
    expect(
      fake
        .repliesIn(fake.dmChannel)
        .map((s) => s.text)
        .sort(),
    ).toEqual(["echo: deux", "echo: trois", "echo: un"]);
    expect((await status())?.dropped.duplicate).toBe(1);
    expect(fake.connections).toBeGreaterThanOrEqual(2);
  });

  it("survives malformed events, notes files over mediaMaxMb, answers a huge post in chunks", async () => {
    const { turns } = await startMattermost({ mediaMaxMb: 1 });
    fake.inject({ event: "posted", data: { post: "{not json" } });
    fake.inject({ event: "posted", data: { post: JSON.stringify({ message: "no ids" }) } });
    fake.inject({ event: "posted", data: {} });
    fake.inject({ event: "typing", data: { parent_id: "" } });
    fake.inject({ event: "weird_future_event", data: null });
    fake.inject(
      fake.posted("postedDm", {
        text: "",
        files: [{ id: "f1", name: "film.mp4", mime_type: "video/mp4", size: 50 * 1024 * 1024 }],
      }),
    );
    const huge = "x".repeat(20_000);
    fake.inject(fake.posted("postedDm", { text: huge }));
    fake.inject(fake.posted("postedDm", { text: "encore là ?" }));
    await fake.waitFor(() => fake.sent.some((s) => s.text === "echo: encore là ?"));
    await manager?.pipeline.idle();
    expect(turns.map((t) => t.text.slice(0, 12))).toEqual(["[video omitt", "xxxxxxxxxxxx", "encore là ?"]);
    expect(turns[0]?.text).toContain("50.0 MB is over the 1.0 MB limit (mediaMaxMb)");
    const hugeReply = fake.sent.filter((s) => /^(echo: )?x+$/.test(s.text));
    expect(hugeReply.map((s) => s.text).join("")).toBe(`echo: ${huge}`);
    expect((await status())?.connected).toBe(true);
  });

  it("inbound files: an image is downloaded from /api/v4/files/{id} and reaches the turn as an image; a PDF stays a line; a missing file or one over agents.defaults.mediaMaxMb is a note", async () => {
    const photo = fakeMediaBytes("image/png", 3000);
    fake.files.set("photo1aaaaaaaaaaaaaaaaaaaaa", { name: "photo.png", mimeType: "image/png", data: photo });
    fake.files.set("big1aaaaaaaaaaaaaaaaaaaaaaa", {
      name: "big.jpg",
      mimeType: "image/jpeg",
      data: fakeMediaBytes("image/jpeg", 40 * 1024),
    });
    const { turns } = await startMattermost({}, { config: { agents: { defaults: { mediaMaxMb: 0.02 } } } });
    fake.inject(
      fake.posted("postedDm", {
        text: "et ça ?",
        files: [
          {
            id: "photo1aaaaaaaaaaaaaaaaaaaaa",
            name: "photo.png",
            mime_type: "image/png",
            size: photo.byteLength,
          },
          { id: "doc1aaaaaaaaaaaaaaaaaaaaaaa", name: "notes.pdf", mime_type: "application/pdf", size: 4096 },
          { id: "gone1aaaaaaaaaaaaaaaaaaaaaa", name: "gone.png", mime_type: "image/png" },
          { id: "big1aaaaaaaaaaaaaaaaaaaaaaa", name: "big.jpg", mime_type: "image/jpeg" },
        ],
      }),
    );
    await fake.waitFor(() => fake.sent.length >= 1);
    await manager?.pipeline.idle();
    expect(turns[0]?.images).toEqual([
      { data: Buffer.from(photo).toString("base64"), mimeType: "image/png", fileName: "photo.png" },
    ]);
    expect(turns[0]?.text.split("\n")).toEqual([
      "et ça ?",
      "[document: notes.pdf, application/pdf, 4 KB]",
      "[image: gone.png, image/png — could not be downloaded: download failed: HTTP 404 Not Found]",
      "[image omitted: 40 KB is over the 20 KB limit (mediaMaxMb)]",
    ]);
    expect(fake.fileDownloads).toEqual(["photo1aaaaaaaaaaaaaaaaaaaaa", "big1aaaaaaaaaaaaaaaaaaaaaaa"]);
  });

  it("the client library's console lines (connecting, closed: 1006, error events) go to the channel's debug log, not stdout", async () => {
    const logs: string[] = [];
    const debugLogs: string[] = [];
    consoleLines.length = 0;
    await startMattermost({}, { logs, debugLogs });
    fake.dropWebSocket();
    await fake.waitFor(() => fake.connections >= 2);
    fake.inject(fake.posted("postedDm", { text: "toujours là ?" }));
    await fake.waitFor(() => fake.sent.some((s) => s.text === "echo: toujours là ?"));
    await manager?.stop();
    manager = undefined;
    expect(debugLogs.filter((l) => l.startsWith("mattermost client: websocket"))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^mattermost client: websocket connecting to ws:\/\/127\.0\.0\.1:\d+\/api\/v4\/websocket$/,
        ),
        "mattermost client: websocket closed: 1006",
        "mattermost client: websocket closed manually",
      ]),
    );
    expect(consoleLines.filter((l) => /websocket|ErrorEvent|connection id/i.test(l))).toEqual([]);
    expect(logs).toContain("mattermost websocket disconnected; reconnecting");
  });

  it("a stopped account does not reconnect, even when stopped while its WebSocket was still connecting", async () => {
    await startMattermost();
    const before = fake.connections;
    fake.holdUpgrades = true;
    fake.dropWebSocket();
    await fake.waitFor(() => fake.heldUpgrades.length >= 1); // the client is connecting again
    const held = fake.heldUpgrades[0];
    await manager?.stop();
    manager = undefined;
    // the server answers the upgrade now: a socket the stopped channel left connecting would open,
    // authenticate and, on its next close, schedule reconnects of an account nobody runs
    fake.releaseUpgrades();
    await fake.waitFor(() => held?.closed === true || fake.connections > before);
    expect(fake.connections).toBe(before);
    expect(held?.closed).toBe(true);
  });

  it("an invalid bot token: one clear status error, no reconnect storm", async () => {
    await startMattermost({ botToken: "wrong" });
    await until(async () => (await status())?.running === false);
    expect(await status()).toMatchObject({
      running: false,
      lastError: "invalid bot token (401 Invalid or expired session, please login again.)",
    });
    expect(fake.unauthorizedRequests).toBe(1);
    const probe = (await manager?.status({ probe: true }))?.channels.mattermost?.accounts[0]?.probe;
    expect(probe).toMatchObject({ ok: false, error: expect.stringContaining("invalid bot token") });
  });

  it("a revoked token while connected stops the account with the logout signature", async () => {
    const logs: string[] = [];
    await startMattermost({}, { logs });
    fake.revoked = true;
    fake.dropWebSocket();
    await until(async () => (await status())?.running === false);
    expect((await status())?.lastError).toMatch(/^Mattermost session logged out: invalid bot token/);
    expect(logs.some((l) => l.startsWith("mattermost logout:"))).toBe(true);
  });
});
