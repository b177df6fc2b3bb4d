import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { format } from "node:util";
import { type ChannelManager, createChannelManager, type InboundTurn } from "@openclaw/core";
import { FakeMatrixServer, fakeMediaBytes } from "@openclaw/testkit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMatrixChannel } from "./matrix-channel.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** What reaches the process console (the gateway's stdout/stderr) during this file. */
const consoleLines: string[] = [];
const consoleOriginals = { log: console.log, info: console.info, debug: console.debug, warn: console.warn };
beforeAll(() => {
  for (const level of ["log", "info", "debug", "warn"] as const)
    console[level] = (...args: unknown[]) => {
      consoleLines.push(format(...args));
      consoleOriginals[level](...args);
    };
});
afterAll(() => Object.assign(console, consoleOriginals));

let fake: FakeMatrixServer;
let stateDir: string;
let manager: ChannelManager | undefined;
beforeEach(async () => {
  fake = await new FakeMatrixServer().start();
  stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-matrix-"));
});
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
  await fake.close();
  await rm(stateDir, { recursive: true, force: true });
});

async function startMatrix(
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
    plugins: [createMatrixChannel({ stateDir, env: {} })],
    getConfig: () => ({
      ...options.config,
      channels: {
        matrix: {
          homeserver: fake.url,
          accessToken: fake.accessToken,
          syncTimeoutMs: 1000,
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

const status = async () => (await manager?.status())?.channels.matrix?.accounts[0];
const until = async (check: () => Promise<boolean>) => {
  while (!(await check())) await new Promise((r) => setTimeout(r, 5));
};

describe("matrix channel through matrix-js-sdk against the fake homeserver", () => {
  it("answers a DM with an HTML body rendered from Markdown, and plain body text", async () => {
    const { turns } = await startMatrix(
      {},
      {
        reply: () =>
          "**Bonjour** _Alice_, ~~non~~ voir `a<b` et [docs](https://example.test/a?b=1&c=2)\n\n```sh\necho <hi>\n```",
      },
    );
    fake.inject(fake.event("dmText"));
    const [reply] = await fake.waitForSent(1);
    expect(reply?.roomId).toBe(fake.dmRoom);
    expect(reply?.html).toBe(
      '<strong>Bonjour</strong> <em>Alice</em>, <del>non</del> voir <code>a&lt;b</code> et <a href="https://example.test/a?b=1&amp;c=2">docs</a><br><br><pre><code class="language-sh">echo &lt;hi&gt;</code></pre>',
    );
    expect(reply?.content).toMatchObject({ msgtype: "m.text", format: "org.matrix.custom.html" });
    expect(reply?.text).toContain("Bonjour Alice");
    expect(turns[0]).toMatchObject({ text: "Salut, tu peux m'aider ?", sessionKey: "agent:main:main" });
    expect(turns[0]?.message.sender.id).toBe(fake.alice);
    expect(await status()).toMatchObject({ connected: true, self: { id: fake.userId }, received: 1 });
  });

  it("ignores a room message without a mention (counted), answers a mention and replies in a thread", async () => {
    const { turns } = await startMatrix();
    fake.inject(fake.event("roomText"), fake.groupRoom);
    const mention = fake.inject(fake.event("roomMention"), fake.groupRoom);
    const [reply] = await fake.waitForSent(1);
    expect(reply).toMatchObject({ roomId: fake.groupRoom });
    expect(reply?.content["m.relates_to"]).toEqual({ "m.in_reply_to": { event_id: mention.event_id } });
    await manager?.pipeline.idle();
    expect(fake.messages()).toHaveLength(1);
    expect((await status())?.dropped).toEqual({ "mention required": 1 });
    fake.inject(fake.event("threadReply"), fake.groupRoom);
    const sent = await fake.waitForSent(2);
    expect(sent[1]?.content["m.relates_to"]).toMatchObject({
      rel_type: "m.thread",
      event_id: "$Qw8rT2yU4iO6pA1sD3fG5hJ7kL9zX0cV2bN4mQ6wE8r",
    });
    expect(turns[1]?.sessionKey).toContain(":thread:$Qw8rT2yU4iO6pA1sD3fG5hJ7kL9zX0cV2bN4mQ6wE8r");
  });

  it("pairs an unknown sender: code in Matrix, approve, then the reply", async () => {
    await startMatrix({ allowFrom: [] });
    fake.inject(fake.event("dmText", { sender: "@stranger:fake.test" }));
    const [challenge] = await fake.waitForSent(1);
    const code = /Pairing code: ([A-Z2-9]{8})/.exec(challenge?.text ?? "")?.[1] ?? "";
    expect(challenge?.text).toContain("Your Matrix user id: @stranger:fake.test");
    expect(await manager?.pairing.approve("matrix", code)).toMatchObject({ id: "@stranger:fake.test" });
    fake.inject(fake.event("dmText", { sender: "@stranger:fake.test", text: "merci" }));
    const sent = await fake.waitForSent(2);
    expect(sent[1]).toMatchObject({ roomId: fake.dmRoom, text: "echo: merci" });
  });

  it("splits a long reply into ordered chunks of at most 4000 characters", async () => {
    const paragraph = (i: number) => `Paragraphe ${i}: ${"le renard brun saute. ".repeat(20)}`;
    const long = Array.from({ length: 30 }, (_, i) => paragraph(i)).join("\n\n");
    await startMatrix({}, { reply: () => long });
    fake.inject(fake.event("dmText"));
    await fake.waitFor(() => fake.messages().length >= Math.ceil(long.length / 4000));
    await manager?.pipeline.idle();
    for (const s of fake.messages()) {
      expect(s.text.length).toBeLessThanOrEqual(4000);
      expect(s.text.startsWith("Paragraphe ")).toBe(true);
    }
    expect(
      fake
        .messages()
        .map((s) => s.text)
        .join("\n\n"),
    ).toBe(long.replace(/ +(\n|$)/g, "$1"));
  });

  it("exactly once across a dropped connection mid-send (the same transaction id is retried) and a 429", async () => {
    await startMatrix();
    fake.fault({ kind: "drop-after-processing", path: "send" });
    fake.inject(fake.event("dmText", { text: "un", id: "$un:fake.test" }));
    await fake.waitForSent(1);
    fake.fault({ kind: "rate-limit", path: "send", retryAfterMs: 10 });
    fake.inject(fake.event("dmText", { text: "deux" }));
    fake.inject(fake.event("dmText", { text: "un", id: "$un:fake.test" })); // served again: the SDK and the host drop it
    await fake.waitFor(() => fake.messages().some((s) => s.text === "echo: deux"));
    await manager?.pipeline.idle();
    expect(
      fake
        .repliesIn(fake.dmRoom)
        .map((s) => s.text)
        .sort(),
    ).toEqual(["echo: deux", "echo: un"]);
    // the retried PUT reused the transaction id: the homeserver answered it from its record
    expect(fake.requests.filter((r) => r.startsWith("PUT /rooms/")).length).toBeGreaterThanOrEqual(3);
  });

  it("inbound media: an m.image is downloaded through authenticated media and reaches the turn as an image; an m.file stays a line; a missing one is a note", async () => {
    const photo = fakeMediaBytes("image/jpeg", 5000);
    fake.media.set("mxc://fake.test/PhotoOne", { mimeType: "image/jpeg", data: photo });
    const { turns } = await startMatrix();
    const image = (url: string, body: string, info: Record<string, unknown>, msgtype = "m.image") => ({
      ...fake.event("image"),
      content: { msgtype, body, url, info },
    });
    fake.inject(
      image("mxc://fake.test/PhotoOne", "photo.jpg", { mimetype: "image/jpeg", size: photo.byteLength }),
    );
    await fake.waitFor(() => fake.messages().length >= 1);
    fake.inject(
      image("mxc://fake.test/DocOne", "plan.pdf", { mimetype: "application/pdf", size: 3072 }, "m.file"),
    );
    await fake.waitFor(() => fake.messages().length >= 2);
    fake.inject(image("mxc://fake.test/Gone", "gone.png", { mimetype: "image/png" }));
    await fake.waitFor(() => fake.messages().length >= 3);
    await manager?.pipeline.idle();
    expect(turns[0]?.images).toEqual([
      { data: Buffer.from(photo).toString("base64"), mimeType: "image/jpeg", fileName: "photo.jpg" },
    ]);
    expect(turns[0]?.text).toBe("");
    expect(turns[1]?.images).toBeUndefined();
    expect(turns[1]?.text).toBe("[document: plan.pdf, application/pdf, 3 KB]");
    expect(turns[2]?.text).toBe(
      "[image: gone.png, image/png — could not be downloaded: download failed: HTTP 404 Not Found]",
    );
    expect(fake.mediaDownloads).toEqual(["mxc://fake.test/PhotoOne"]);
    expect(fake.requests).toContain("GET /media/download/fake.test/PhotoOne");
  });

  it("matrix-js-sdk's console lines (send queue, sync, RTC sessions) go to the channel's debug log, not stdout", async () => {
    const logs: string[] = [];
    const debugLogs: string[] = [];
    consoleLines.length = 0;
    await startMatrix({}, { logs, debugLogs });
    fake.inject(fake.event("dmText", { text: "silence ?" }));
    await fake.waitFor(() => fake.messages().some((s) => s.text === "echo: silence ?"));
    await manager?.stop();
    manager = undefined;
    expect(debugLogs.some((l) => l.startsWith("matrix-js-sdk: "))).toBe(true);
    expect(consoleLines).toEqual([]);
  });

  it("survives malformed events, refuses an encrypted room with a clear status, notes media over mediaMaxMb", async () => {
    fake.addRoom({ roomId: "!secret:fake.test", members: [fake.userId, fake.alice], encrypted: true });
    const logs: string[] = [];
    const { turns } = await startMatrix({ mediaMaxMb: 0.01 }, { logs });
    fake.inject({ type: "m.room.message", sender: fake.alice, content: { body: 1 } });
    fake.inject({ type: "m.room.message", sender: fake.alice, content: "nope" });
    fake.inject({ type: "m.room.message", content: { msgtype: "m.text", body: "no sender" } });
    fake.inject({ type: "m.reaction", sender: fake.alice, content: { "m.relates_to": {} } });
    fake.inject(fake.event("encrypted"), "!secret:fake.test");
    fake.inject(fake.event("image"));
    const huge = "x".repeat(20_000);
    fake.inject(fake.event("dmText", { text: huge }));
    fake.inject(fake.event("dmText", { text: "encore là ?" }));
    await fake.waitFor(() => fake.messages().some((s) => s.text === "echo: encore là ?"));
    await manager?.pipeline.idle();
    expect(turns.map((t) => t.text.slice(0, 12))).toEqual(["[image omitt", "xxxxxxxxxxxx", "encore là ?"]);
    expect(turns[0]?.text).toContain("over the 0.0 MB limit (mediaMaxMb)");
    expect((await status())?.lastError).toBe(
      "encrypted room !secret:fake.test refused: end-to-end encryption is not configured for this account",
    );
    expect((await status())?.connected).toBe(true);
    const hugeReply = fake.messages().filter((s) => /^(echo: )?x+$/.test(s.text));
    expect(hugeReply.map((s) => s.text).join("")).toBe(`echo: ${huge}`);
  });

  it("an invalid access token: one clear status error, no reconnect storm; probe says the same", async () => {
    await startMatrix({ accessToken: "syt_wrong" });
    await until(async () => (await status())?.running === false);
    expect(await status()).toMatchObject({
      running: false,
      connected: false,
      lastError: "invalid access token (401 M_UNKNOWN_TOKEN Invalid access token passed.)",
    });
    expect(fake.unauthorizedRequests).toBe(1);
    const probe = (await manager?.status({ probe: true }))?.channels.matrix?.accounts[0]?.probe;
    expect(probe).toMatchObject({ ok: false, error: expect.stringContaining("invalid access token") });
  });

  it("encryption: true is refused with a clear status (not available in this build), no reconnect", async () => {
    await startMatrix({ encryption: true });
    await until(async () => (await status())?.running === false);
    expect((await status())?.lastError).toMatch(
      /^channels\.matrix\.encryption: end-to-end encryption is not available/,
    );
    expect(fake.syncRequests).toBe(0);
  });

  it("a session logged out on the homeserver stops the account with the logout signature", async () => {
    const logs: string[] = [];
    await startMatrix({}, { logs });
    fake.revoked = true;
    // wakes the long poll (which began authorized); a room message without a mention gets no
    // reply, so the only request refused is the next /sync — as when the session ends while idle
    fake.inject(fake.event("roomText"), fake.groupRoom);
    await until(async () => (await status())?.running === false);
    expect((await status())?.lastError).toMatch(/^Matrix session logged out/);
    expect(logs.some((l) => l.startsWith("matrix logout:"))).toBe(true);
    const before = fake.unauthorizedRequests;
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.unauthorizedRequests).toBe(before);
  });

  it("keeps its /sync position (0600) so messages sent while the gateway was down are answered once", async () => {
    await startMatrix();
    fake.inject(fake.event("dmText", { text: "avant" }));
    await fake.waitForSent(1);
    await manager?.pipeline.idle();
    await manager?.stop();
    manager = undefined;
    const file = path.join(stateDir, "credentials", "matrix", "default", "sync.json");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    fake.inject(fake.event("dmText", { text: "pendant la coupure" }));
    await startMatrix();
    await fake.waitFor(() => fake.messages().some((s) => s.text === "echo: pendant la coupure"));
    await (manager as ChannelManager | undefined)?.pipeline.idle();
    expect(fake.messages().map((s) => s.text)).toEqual(["echo: avant", "echo: pendant la coupure"]);
  });
});
