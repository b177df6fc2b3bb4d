import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ChannelManager, createChannelManager, type InboundTurn } from "@openclaw/core";
import { FakeSignalDaemon, fakeMediaBytes } from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { linkSignal } from "./daemon.js";
import { createSignalChannel } from "./signal-channel.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const ALICE = "+15551234567";
const GROUP = "group:kZB4n1rYx9QyJ0aQm6o2fFakeGroupIdBase64Aa=";

let fake: FakeSignalDaemon;
let stateDir: string;
let manager: ChannelManager | undefined;
beforeEach(async () => {
  fake = await new FakeSignalDaemon().start();
  stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-signal-"));
});
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
  await fake.close();
  await rm(stateDir, { recursive: true, force: true });
});

const status = async () => (await manager?.status())?.channels.signal?.accounts[0];
const until = async (check: () => Promise<boolean>) => {
  while (!(await check())) await new Promise((r) => setTimeout(r, 5));
};

async function startSignal(
  extra: Record<string, unknown> = {},
  options: { reply?: (turn: InboundTurn) => string; logs?: string[]; config?: Record<string, unknown> } = {},
) {
  const turns: InboundTurn[] = [];
  const logger = options.logs
    ? {
        debug() {},
        info: (m: string) => options.logs?.push(m),
        warn: (m: string) => options.logs?.push(m),
        error: (m: string) => options.logs?.push(m),
      }
    : quiet;
  manager = createChannelManager({
    plugins: [createSignalChannel()],
    getConfig: () => ({
      ...options.config,
      channels: {
        signal: {
          account: fake.account,
          httpUrl: fake.url,
          allowFrom: [ALICE],
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

describe("signal channel over the signal-cli JSON-RPC daemon (fake daemon)", () => {
  it("answers a DM as plain text with style ranges", async () => {
    const { turns } = await startSignal(
      {},
      { reply: () => "**Bonjour** _Alice_, voir `ls` et [docs](https://example.test/a) ~~non~~" },
    );
    fake.inject(fake.receive("receiveDm"));
    const [reply] = await fake.waitForSent(1);
    expect(reply).toMatchObject({
      to: ALICE,
      text: "Bonjour Alice, voir ls et docs (https://example.test/a) non",
    });
    expect(reply?.textStyle.sort()).toEqual(
      ["0:7:BOLD", "20:2:MONOSPACE", "56:3:STRIKETHROUGH", "8:5:ITALIC"].sort(),
    );
    expect(turns[0]).toMatchObject({ text: "Salut, tu peux m'aider ?", sessionKey: "agent:main:main" });
    expect(turns[0]?.message.sender).toMatchObject({ id: ALICE, displayName: "Alice" });
    expect(await status()).toMatchObject({ connected: true, self: { id: fake.account }, received: 1 });
  });

  it("ignores a group message without a mention (counted), answers a mention quoting it", async () => {
    const { turns } = await startSignal();
    fake.inject(fake.receive("receiveGroup"));
    const mention = fake.receive("receiveGroupMention");
    fake.inject(mention);
    const [reply] = await fake.waitForSent(1);
    const ts = (mention.envelope as { timestamp: number }).timestamp;
    expect(reply).toMatchObject({ to: GROUP, quoteTimestamp: ts, quoteAuthor: ALICE });
    expect(turns[0]?.text).toBe("@ tu as vu le planning ?");
    await manager?.pipeline.idle();
    expect(fake.sent).toHaveLength(1);
    expect((await status())?.dropped).toEqual({ "mention required": 1 });
  });

  it("pairs an unknown number: code on Signal, approve, then the reply", async () => {
    await startSignal({ allowFrom: [] });
    fake.inject(fake.receive("receiveDm", { from: "+33612345678", text: "bonjour" }));
    const [challenge] = await fake.waitForSent(1);
    const code = /Pairing code: ([A-Z2-9]{8})/.exec(challenge?.text ?? "")?.[1] ?? "";
    expect(challenge?.text).toContain("Your Signal number: +33612345678");
    expect(await manager?.pairing.approve("signal", code)).toMatchObject({ id: "+33612345678" });
    fake.inject(fake.receive("receiveDm", { from: "+33612345678", text: "merci" }));
    const sent = await fake.waitForSent(2);
    expect(sent[1]).toMatchObject({ to: "+33612345678", text: "echo: merci" });
  });

  it("splits a long reply into ordered chunks of at most 2000 characters", async () => {
    const paragraph = (i: number) => `Paragraphe ${i}: ${"le renard brun saute. ".repeat(10)}`;
    const long = Array.from({ length: 30 }, (_, i) => paragraph(i)).join("\n\n");
    await startSignal({}, { reply: () => long });
    fake.inject(fake.receive("receiveDm"));
    await fake.waitFor(() => fake.sent.length >= Math.ceil(long.length / 2000));
    await manager?.pipeline.idle();
    for (const s of fake.sent) {
      expect(s.text.length).toBeLessThanOrEqual(2000);
      expect(s.text.startsWith("Paragraphe ")).toBe(true);
    }
    expect(fake.sent.map((s) => s.text).join("\n\n")).toBe(long.replace(/ +(\n|$)/g, "$1"));
  });

  it("exactly once: a send whose connection dropped is recorded uncertain, not re-sent; 429-like errors are retried; a dropped event stream reconnects", async () => {
    await startSignal();
    fake.fault({ kind: "drop-after-processing", method: "send" });
    const first = fake.receive("receiveDm", { text: "un" });
    fake.inject(first);
    await fake.waitForSent(1);
    fake.fault({ kind: "rate-limit", method: "send" });
    fake.inject(fake.receive("receiveDm", { text: "deux" }));
    await fake.waitFor(() => fake.sent.some((s) => s.text === "echo: deux"));
    fake.dropStreams();
    await fake.waitFor(() => fake.eventStreams >= 2);
    fake.inject(first); // delivered again
    fake.inject(fake.receive("receiveDm", { text: "trois" }));
    await fake.waitFor(() => fake.sent.some((s) => s.text === "echo: trois"));
    await manager?.pipeline.idle();
    expect(
      fake
        .repliesTo(ALICE)
        .map((s) => s.text)
        .sort(),
    ).toEqual(["echo: deux", "echo: trois", "echo: un"]);
    expect((await status())?.dropped.duplicate).toBe(1);
  });

  it("survives malformed events, notes attachments over mediaMaxMb, answers a huge message in chunks", async () => {
    const { turns } = await startSignal({ mediaMaxMb: 0.05 });
    fake.inject("{not json", true);
    fake.inject({ envelope: null });
    fake.inject({ envelope: { source: ALICE, timestamp: 1, receiptMessage: { when: 1, isDelivery: true } } });
    fake.inject({ envelope: { dataMessage: { message: "no source" } } });
    fake.inject({ envelope: { source: ALICE, typingMessage: { action: "STARTED" } } });
    fake.inject(fake.receive("receiveAttachment"));
    const huge = "x".repeat(8_000);
    fake.inject(fake.receive("receiveDm", { text: huge }));
    fake.inject(fake.receive("receiveDm", { text: "encore là ?" }));
    await fake.waitFor(() => fake.sent.some((s) => s.text === "echo: encore là ?"));
    await manager?.pipeline.idle();
    expect(turns.map((t) => t.text.slice(0, 10))).toEqual(["regarde ça", "xxxxxxxxxx", "encore là "]);
    expect(turns[0]?.text).toContain("[image omitted: 0.1 MB is over the 0.1 MB limit (mediaMaxMb)]");
    const hugeReply = fake.sent.filter((s) => /^(echo: )?x+$/.test(s.text));
    expect(hugeReply.map((s) => s.text).join("")).toBe(`echo: ${huge}`);
    expect((await status())?.connected).toBe(true);
  });

  it("inbound media: an image is fetched with getAttachment and reaches the turn as an image; a PDF stays a line; a missing file or one over agents.defaults.mediaMaxMb is a note", async () => {
    const photo = fakeMediaBytes("image/jpeg", 4000);
    fake.attachments.set("photo-1.jpg", photo);
    fake.attachments.set("big-2.png", fakeMediaBytes("image/png", 30 * 1024));
    const { turns } = await startSignal({}, { config: { agents: { defaults: { mediaMaxMb: 0.02 } } } });
    const event = fake.receive("receiveAttachment") as {
      envelope: { dataMessage: { attachments: unknown[] } };
    };
    event.envelope.dataMessage.attachments = [
      { contentType: "image/jpeg", filename: "chat.jpg", id: "photo-1.jpg", size: photo.byteLength },
      { contentType: "application/pdf", filename: "facture.pdf", id: "doc-1.pdf", size: 2048 },
      { contentType: "image/png", id: "gone-1.png" },
      { contentType: "image/png", id: "big-2.png" },
    ];
    fake.inject(event as never);
    await fake.waitForSent(1);
    await manager?.pipeline.idle();
    expect(turns[0]?.images).toEqual([
      { data: Buffer.from(photo).toString("base64"), mimeType: "image/jpeg", fileName: "chat.jpg" },
    ]);
    expect(turns[0]?.text.split("\n")).toEqual([
      "regarde ça",
      "[document: facture.pdf, application/pdf, 2 KB]",
      "[image: image/png — could not be downloaded: An error occurred reading attachment: gone-1.png]",
      "[image omitted: larger than the 20 KB limit (mediaMaxMb)]",
    ]);
    expect(fake.calls.filter((c) => c.method === "getAttachment").map((c) => c.params.id)).toEqual([
      "photo-1.jpg",
      "gone-1.png",
      "big-2.png",
    ]);
    expect(fake.sent[0]?.text).toMatch(/^echo: regarde ça/);
  });

  it("sends attachments and refuses one over mediaMaxMb", async () => {
    const plugin = createSignalChannel();
    await startSignal();
    const account = plugin.config.resolveAccount(
      { account: fake.account, httpUrl: fake.url, mediaMaxMb: 1 },
      "default",
    );
    await plugin.outbound.sendMedia?.({
      accountId: "default",
      account,
      to: ALICE,
      media: { data: new Uint8Array([1, 2, 3]), mimeType: "image/png", fileName: "a.png" },
      idempotencyKey: "k",
    });
    expect(fake.sent[0]?.attachments).toEqual(["data:image/png;filename=a.png;base64,AQID"]);
    await expect(
      plugin.outbound.sendMedia?.({
        accountId: "default",
        account,
        to: ALICE,
        media: { data: new Uint8Array(2 * 1024 * 1024), mimeType: "image/png" },
        idempotencyKey: "k2",
      }),
    ).rejects.toMatchObject({
      code: "REJECTED",
      message: expect.stringContaining("media too large: 2.0 MB"),
    });
  });

  it("an account the daemon does not know: one clear status error, no reconnect storm", async () => {
    await startSignal({ account: "+19999999999" });
    await until(async () => (await status())?.running === false);
    expect((await status())?.lastError).toBe("Signal account not usable: Specified account does not exist");
    expect(fake.calls.filter((c) => c.method === "listGroups")).toHaveLength(1);
  });

  it("a device unlinked from the phone: logout signature in the log, the account stops", async () => {
    const logs: string[] = [];
    await startSignal({}, { logs });
    fake.loggedOut = true;
    fake.injectException(
      "AuthorizationFailedException",
      "Authorization failed, was the number registered elsewhere?",
    );
    await until(async () => (await status())?.running === false);
    expect((await status())?.lastError).toMatch(/^Signal session logged out/);
    expect(logs.some((l) => l.startsWith("signal logout:"))).toBe(true);
  });

  it("without httpUrl and without signal-cli installed: a clear status error with the install hint", async () => {
    await startSignal({ httpUrl: undefined, cliPath: path.join(stateDir, "no-such-signal-cli") });
    await until(async () => (await status())?.running === false);
    expect((await status())?.lastError).toMatch(/^signal-cli not found .*install signal-cli/);
  });

  it("links a device: the URI signal-cli prints is handed over (QR), the number returned", async () => {
    const cli = path.join(stateDir, "signal-cli");
    await writeFile(
      cli,
      `#!/bin/sh\n[ "$1" = link ] || exit 2\necho "sgnl://linkdevice?uuid=Fake-UUID_1&pub_key=BQAbCdEf%2B"\necho "Associated with: +15550001111"\n`,
    );
    await chmod(cli, 0o755);
    const uris: string[] = [];
    const linked = await linkSignal({ cliPath: cli, onUri: (uri) => uris.push(uri) });
    expect(uris).toEqual(["sgnl://linkdevice?uuid=Fake-UUID_1&pub_key=BQAbCdEf%2B"]);
    expect(linked).toEqual({ account: "+15550001111" });
  });
});
