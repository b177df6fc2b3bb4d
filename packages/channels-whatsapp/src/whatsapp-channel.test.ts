import fs from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { format } from "node:util";
import { type ChannelManager, createChannelManager, type InboundTurn } from "@openclaw/core";
import {
  FakeWhatsAppServer,
  fakeMediaBytes,
  whatsappFixtures,
  whatsappSocketFactory,
  whatsappUpsert,
} from "@openclaw/testkit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { whatsappAuthDir } from "./auth-store.js";
import { loginWhatsApp } from "./login.js";
import { createWhatsAppChannel } from "./whatsapp-channel.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** What reaches the process console (the gateway's stdout/stderr) during this file. */
const consoleLines: string[] = [];
const consoleOriginals = { log: console.log, info: console.info, warn: console.warn, error: console.error };
beforeAll(() => {
  for (const level of ["log", "info", "warn", "error"] as const)
    console[level] = (...args: unknown[]) => {
      consoleLines.push(format(...args));
      consoleOriginals[level](...args);
    };
});
afterAll(() => Object.assign(console, consoleOriginals));
const ALICE = "15551234567@s.whatsapp.net";
const GROUP = "120363041234567890@g.us";

let fake: FakeWhatsAppServer;
let stateDir: string;
let manager: ChannelManager | undefined;
beforeEach(async () => {
  fake = await new FakeWhatsAppServer().start();
  stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-wa-"));
});
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
  await fake.close();
  await rm(stateDir, { recursive: true, force: true });
});

/** Link the default account the way `channels login` does: QR shown, scanned, restart, open. */
async function link(accountId = "default") {
  const qrs: string[] = [];
  const done = loginWhatsApp({
    authDir: whatsappAuthDir(stateDir, accountId),
    socketFactory: whatsappSocketFactory(fake.url) as never,
    onQr: (qr) => {
      qrs.push(qr);
      fake.scanQr();
    },
  });
  const result = await done;
  return { qrs, result };
}

async function startWhatsApp(
  extra: Record<string, unknown> = {},
  options: {
    reply?: (turn: InboundTurn) => string;
    sleeps?: number[];
    logs?: string[];
    debugLogs?: string[];
  } = {},
) {
  const turns: InboundTurn[] = [];
  const logger = process.env.WA_DEBUG
    ? { ...console, debug() {} }
    : options.logs
      ? {
          debug: (m: string) => options.debugLogs?.push(m),
          info: (m: string) => options.logs?.push(m),
          warn: (m: string) => options.logs?.push(m),
          error: (m: string) => options.logs?.push(m),
        }
      : quiet;
  manager = createChannelManager({
    plugins: [
      createWhatsAppChannel({
        stateDir,
        env: {},
        socketFactory: whatsappSocketFactory(fake.url) as never,
        ...(options.sleeps ? { sleep: async (ms: number) => void options.sleeps?.push(ms) } : {}),
      }),
    ],
    getConfig: () => ({
      channels: {
        whatsapp: { allowFrom: ["+15551234567"], groupAllowFrom: ["*"], sendPacingMs: 0, ...extra },
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
  return { turns };
}

const status = async () => (await manager?.status())?.channels.whatsapp?.accounts[0];
const until = async (check: () => Promise<boolean>) => {
  while (!(await check())) await new Promise((r) => setTimeout(r, 5));
};

describe("whatsapp channel through Baileys' socket boundary against the fake", () => {
  it("links by QR (credentials 0600 in credentials/whatsapp/default), then answers a DM with WhatsApp markup", async () => {
    const { qrs, result } = await link();
    expect(qrs[0]).toMatch(/^2@/);
    expect(result).toMatchObject({ self: "+159876543210", alreadyLinked: false });
    const dir = path.join(stateDir, "credentials", "whatsapp", "default");
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const file of await readdir(dir))
      expect((await stat(path.join(dir, file))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path.join(dir, "creds.json"), "utf8")).me.id).toBe(fake.self.id);

    const { turns } = await startWhatsApp(
      {},
      {
        reply: () =>
          "**Bonjour** _Alice_, ~non~ voir `ls -la` et [docs](https://example.test/a)\n\n```sh\necho hi\n```",
      },
    );
    fake.inject(whatsappFixtures.dmText);
    const [reply] = await fake.waitForSent(1);
    expect(reply).toMatchObject({ jid: ALICE });
    expect(reply?.text).toBe(
      "*Bonjour* _Alice_, ~non~ voir `ls -la` et docs (https://example.test/a)\n\n```echo hi```",
    );
    expect(turns[0]).toMatchObject({ text: "Salut, tu peux m'aider ?" });
    expect(turns[0]?.message.sender).toMatchObject({ id: "+15551234567", displayName: "Alice" });
    await fake.waitFor(() => fake.reads.includes("3EB0C431D5E2F4A7B9E1A2"));
    expect(fake.presences.some((p) => p.type === "composing" && p.jid === ALICE)).toBe(true);
    expect(await status()).toMatchObject({ connected: true, self: { id: "+159876543210" }, received: 1 });
  });

  it("touches the credentials only through asynchronous calls (no synchronous fs call on the session path)", async () => {
    const names = [
      "openSync",
      "readFileSync",
      "writeFileSync",
      "renameSync",
      "mkdirSync",
      "existsSync",
      "statSync",
      "readdirSync",
      "unlinkSync",
      "fsyncSync",
    ] as const;
    const originals = new Map(names.map((name) => [name, fs[name]]));
    const syncCalls: string[] = [];
    const credentials = path.join(stateDir, "credentials");
    for (const name of names)
      (fs as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        if (String(args[0]).startsWith(credentials)) syncCalls.push(`${name} ${String(args[0])}`);
        return (originals.get(name) as (...a: unknown[]) => unknown)(...args);
      };
    syncBuiltinESMExports();
    try {
      await link();
      await startWhatsApp();
      fake.inject(whatsappFixtures.dmText);
      await fake.waitForSent(1);
      await manager?.stop();
      manager = undefined;
    } finally {
      for (const [name, original] of originals) (fs as unknown as Record<string, unknown>)[name] = original;
      syncBuiltinESMExports();
    }
    expect(syncCalls).toEqual([]);
    expect((await readdir(path.join(credentials, "whatsapp", "default"))).sort()).toContain("creds.json");
  });

  it("ignores a group message without a mention (counted), answers a mention by JID and by name pattern", async () => {
    await link();
    await startWhatsApp({}, {});
    fake.inject(whatsappUpsert("groupText", { text: "on mange quoi ce soir ?" }));
    fake.inject(whatsappUpsert("groupMention", { id: "3A9F0000000000000000M1" }));
    const [reply] = await fake.waitForSent(1);
    expect(reply).toMatchObject({ jid: GROUP, quotedId: "3A9F0000000000000000M1" });
    await manager?.pipeline.idle();
    expect(fake.sent).toHaveLength(1);
    expect((await status())?.dropped).toEqual({ "mention required": 1 });
  });

  it("answers a group message that matches a mention pattern (by name)", async () => {
    await link();
    manager = undefined;
    const turns: InboundTurn[] = [];
    manager = createChannelManager({
      plugins: [createWhatsAppChannel({ stateDir, socketFactory: whatsappSocketFactory(fake.url) as never })],
      getConfig: () => ({
        messages: { groupChat: { mentionPatterns: ["\\bclawd\\b"] } },
        channels: { whatsapp: { allowFrom: ["+15551234567"], groupAllowFrom: ["*"], sendPacingMs: 0 } },
      }),
      stateDir,
      logger: quiet,
      assistant: {
        enqueue: async (turn: InboundTurn) => {
          turns.push(turn);
          return { payloads: [{ text: "oui" }] };
        },
      },
    });
    await manager.start();
    fake.inject(whatsappUpsert("groupText", { text: "Clawd, un résumé ?" }));
    const [reply] = await fake.waitForSent(1);
    expect(reply).toMatchObject({ jid: GROUP, text: "oui" });
    expect(turns[0]?.message.mentioned).toBe(false);
  });

  it("pairs an unknown number: code on WhatsApp, approve, then the reply", async () => {
    await link();
    await startWhatsApp({ allowFrom: [] });
    fake.inject(whatsappUpsert("dmText", { from: "+33612345678", text: "bonjour" }));
    const [challenge] = await fake.waitForSent(1);
    const code = /Pairing code: ([A-Z2-9]{8})/.exec(challenge?.text ?? "")?.[1] ?? "";
    expect(challenge?.text).toContain("Your WhatsApp number: +33612345678");
    expect(await manager?.pairing.approve("whatsapp", code)).toMatchObject({ id: "+33612345678" });
    fake.inject(whatsappUpsert("dmText", { from: "+33612345678", text: "merci" }));
    const sent = await fake.waitForSent(2);
    expect(sent[1]).toMatchObject({ jid: "33612345678@s.whatsapp.net", text: "echo: merci" });
  });

  it("splits a long reply into ordered chunks of at most 4000 characters, paced apart", async () => {
    const paragraph = (i: number) => `Paragraphe ${i}: ${"le renard brun saute. ".repeat(20)}`;
    const long = Array.from({ length: 30 }, (_, i) => paragraph(i)).join("\n\n");
    const sleeps: number[] = [];
    await link();
    await startWhatsApp({ sendPacingMs: 1500 }, { reply: () => long, sleeps });
    fake.inject(whatsappFixtures.dmText);
    await fake.waitFor(() => fake.sent.length >= Math.ceil(long.length / 4000));
    await manager?.pipeline.idle();
    expect(fake.sent.length).toBeGreaterThanOrEqual(Math.ceil(long.length / 4000));
    for (const s of fake.sent) {
      expect(s.text.length).toBeLessThanOrEqual(4000);
      expect(s.text.startsWith("Paragraphe ")).toBe(true);
    }
    expect(fake.sent.map((s) => s.text).join("\n\n")).toBe(long.replace(/ +(\n|$)/g, "$1"));
    // every send after the first waited for the pacing interval
    expect(sleeps.length).toBeGreaterThanOrEqual(fake.sent.length - 1);
    expect(sleeps.every((ms) => ms > 0 && ms <= 1500)).toBe(true);
  });

  it("exactly once across a connection dropped mid-send: recorded uncertain, never re-sent; reconnects", async () => {
    await link();
    await startWhatsApp();
    await until(async () => (await status())?.connected === true);
    const before = fake.connections;
    fake.fault({ kind: "drop-after-send" });
    fake.inject(whatsappUpsert("dmText", { id: "3EB0DROP00000000000001", text: "un" }));
    await fake.waitForSent(1);
    // the channel reconnects (backoff) and keeps answering
    await fake.waitFor(() => fake.connections === before + 1 && fake.openSessions === 1);
    fake.inject(whatsappUpsert("dmText", { id: "3EB0DROP00000000000002", text: "deux" }));
    // WhatsApp redelivers the first message after the reconnect: a duplicate
    fake.inject(whatsappUpsert("dmText", { id: "3EB0DROP00000000000001", text: "un" }));
    await fake.waitFor(() => fake.sent.some((s) => s.text === "echo: deux"));
    await manager?.pipeline.idle();
    const replies = fake
      .repliesTo(ALICE)
      .map((s) => s.text)
      .sort();
    expect(replies).toEqual(["echo: deux", "echo: un"]);
    expect((await status())?.dropped.duplicate).toBe(1);
  });

  it("survives malformed events, ignores own/status messages, answers a huge message in chunks, notes media over mediaMaxMb", async () => {
    await link();
    const { turns } = await startWhatsApp({ mediaMaxMb: 1 });
    fake.injectRaw({
      type: "notify",
      messages: [null, { key: {} }, { key: { id: "x" } }, { message: { conversation: "no key" } }],
    });
    fake.injectRaw({ type: "notify", messages: "not a list" });
    fake.injectRaw(null);
    fake.inject({
      type: "notify",
      messages: [
        {
          key: { remoteJid: "status@broadcast", id: "S1", participant: ALICE },
          message: { conversation: "story" },
        },
      ],
    });
    fake.inject({
      type: "notify",
      messages: [{ key: { remoteJid: ALICE, id: "OWN1", fromMe: true }, message: { conversation: "me" } }],
    });
    fake.inject({
      type: "append",
      messages: [{ key: { remoteJid: ALICE, id: "OLD1" }, message: { conversation: "history" } }],
    });
    fake.inject({
      type: "notify",
      messages: [{ key: { remoteJid: ALICE, id: "PROTO1" }, message: { protocolMessage: { type: 0 } } }],
    });
    fake.inject(whatsappUpsert("image", { fileLength: 5 * 1024 * 1024, text: "trop gros" }));
    const huge = "x".repeat(20_000);
    fake.inject(whatsappUpsert("dmText", { text: huge }));
    fake.inject(whatsappUpsert("dmText", { text: "encore là ?" }));
    await fake.waitFor(() => fake.sent.some((s) => s.text === "echo: encore là ?"));
    await manager?.pipeline.idle();
    expect(turns.map((t) => t.text.slice(0, 20))).toEqual([
      "trop gros\n[image omi",
      `${"x".repeat(20)}`,
      "encore là ?",
    ]);
    expect(turns[0]?.text).toContain("5.0 MB is over the 1.0 MB limit (mediaMaxMb)");
    expect(turns[0]?.message.media).toEqual([]);
    const hugeReply = fake.sent.filter((s) => /^(echo: )?x+$/.test(s.text));
    expect(hugeReply.map((s) => s.text).join("")).toBe(`echo: ${huge}`);
    for (const s of hugeReply) expect(s.text.length).toBeLessThanOrEqual(4000);
    expect((await status())?.connected).toBe(true);
  });

  it("inbound images are downloaded and decrypted by Baileys and reach the turn as images; a bad media key or a file over agents.defaults.mediaMaxMb is a note; reply media over mediaMaxMb is refused", async () => {
    await link();
    const turns: InboundTurn[] = [];
    const big = new Uint8Array(2 * 1024 * 1024);
    manager = createChannelManager({
      plugins: [createWhatsAppChannel({ stateDir, socketFactory: whatsappSocketFactory(fake.url) as never })],
      getConfig: () => ({
        agents: { defaults: { mediaMaxMb: 0.02 } },
        channels: { whatsapp: { allowFrom: ["+15551234567"], sendPacingMs: 0, mediaMaxMb: 1 } },
      }),
      stateDir,
      logger: quiet,
      assistant: {
        enqueue: async (turn: InboundTurn) => {
          turns.push(turn);
          return { payloads: [{ text: "Joli !" }] };
        },
      },
    });
    await manager.start();
    const photo = fakeMediaBytes("image/jpeg", 6000);
    fake.inject(whatsappUpsert("image", { media: fake.uploadMedia(photo) }));
    await fake.waitForSent(1);
    const wrongKey = { ...fake.uploadMedia(photo), mediaKey: Buffer.alloc(32, 7).toString("base64") };
    fake.inject(whatsappUpsert("image", { media: wrongKey, text: "et celle-ci" }));
    await fake.waitForSent(2);
    // declared small, really 40 KB: the download stops at the 20 KB cap
    const large = { ...fake.uploadMedia(fakeMediaBytes("image/jpeg", 40 * 1024)), fileLength: "1000" };
    fake.inject(whatsappUpsert("image", { media: large, text: "la grande" }));
    await fake.waitForSent(3);
    await manager.pipeline.idle();
    expect(turns[0]?.message).toMatchObject({
      text: "regarde ça",
      media: [{ kind: "image", mimeType: "image/jpeg" }],
    });
    expect(turns[0]?.images).toEqual([
      { data: Buffer.from(photo).toString("base64"), mimeType: "image/jpeg" },
    ]);
    expect(turns[0]?.text).toBe("regarde ça");
    expect(turns[1]?.images).toBeUndefined();
    expect(turns[1]?.text).toMatch(
      /^et celle-ci\n\[image: image\/jpeg, 6 KB — could not be downloaded: .+\]$/,
    );
    expect(turns[2]?.text).toBe("la grande\n[image omitted: larger than the 20 KB limit (mediaMaxMb)]");
    expect(fake.mediaDownloads).toHaveLength(3);
    const plugin = createWhatsAppChannel({
      stateDir,
      socketFactory: whatsappSocketFactory(fake.url) as never,
    });
    const account = plugin.config.resolveAccount({ mediaMaxMb: 1 }, "default");
    await expect(
      plugin.outbound.sendMedia?.({
        accountId: "default",
        account,
        to: ALICE,
        media: { data: big, mimeType: "image/png" },
        idempotencyKey: "k1",
      }),
    ).rejects.toMatchObject({
      code: "REJECTED",
      message: expect.stringContaining("media too large: 2.0 MB"),
    });
  });

  it("console lines of Baileys' Signal library (whole session records, keys included) go to the channel's debug log without their objects", async () => {
    await link();
    const debugLogs: string[] = [];
    await startWhatsApp({}, { logs: [], debugLogs });
    await until(async () => (await status())?.connected === true);
    // libsignal as Baileys loads it: its SessionRecord logs "Closing session:" with the record
    const libsignal = createRequire(fileURLToPath(import.meta.resolve("baileys")))("libsignal") as {
      SessionRecord: new () => { closeSession(session: unknown): void };
    };
    consoleLines.length = 0;
    new libsignal.SessionRecord().closeSession({ indexInfo: { closed: -1 }, privKey: "SECRET-KEY" });
    expect(debugLogs).toContain("whatsapp library: Closing session: […]");
    expect(debugLogs.join("\n")).not.toContain("SECRET-KEY");
    expect(consoleLines).toEqual([]);
  });

  it("a logged-out session: one clear status error with the logout signature in the log, no reconnect storm", async () => {
    await link();
    const before = fake.connections;
    fake.fault({ kind: "refuse-connection", update: whatsappFixtures.loggedOut });
    const logs: string[] = [];
    await startWhatsApp({}, { logs });
    await until(async () => (await status())?.running === false);
    expect(await status()).toMatchObject({
      running: false,
      connected: false,
      lastError: expect.stringContaining("WhatsApp session logged out (401)"),
    });
    expect(fake.connections - before).toBe(1);
    expect(logs.some((l) => /whatsapp logout/.test(l) && /channels login --channel whatsapp/.test(l))).toBe(
      true,
    );
  });

  it("an account that was never linked: 'not linked' status error, no QR in the gateway, no reconnect", async () => {
    await startWhatsApp();
    await until(async () => (await status())?.running === false);
    expect((await status())?.lastError).toBe(
      "WhatsApp not linked: run openclaw channels login --channel whatsapp",
    );
    expect(fake.qrs).toBe(0);
    const probe = (await manager?.status({ probe: true }))?.channels.whatsapp?.accounts[0]?.probe;
    expect(probe).toMatchObject({ ok: false, error: expect.stringContaining("not linked") });
  });

  it("channels login (the plugin's auth.login) prints the QR as terminal text and links the account", async () => {
    const plugin = createWhatsAppChannel({
      stateDir,
      socketFactory: whatsappSocketFactory(fake.url) as never,
    });
    const printed: string[] = [];
    const scanWhenShown = setInterval(() => {
      if (fake.qrs > 0) {
        clearInterval(scanWhenShown);
        fake.scanQr();
      }
    }, 5);
    const result = await plugin.auth?.login({
      accountId: "default",
      account: plugin.config.resolveAccount({}, "default"),
      print: (text) => printed.push(text),
    });
    expect(result).toEqual({ self: "+159876543210" });
    await until(async () => printed.length > 0);
    expect(printed[0]).toMatch(/[▄▀█]/);
    expect(printed[0]).toContain("Linked devices");
  });

  it("channels logout unlinks the device and removes the credentials", async () => {
    await link();
    await startWhatsApp();
    await until(async () => (await status())?.connected === true);
    const probe = (await manager?.status({ probe: true }))?.channels.whatsapp?.accounts[0]?.probe;
    expect(probe).toMatchObject({ ok: true, self: { id: "+159876543210" } });
    const plugin = createWhatsAppChannel({
      stateDir,
      socketFactory: whatsappSocketFactory(fake.url) as never,
    });
    await manager?.stop();
    manager = undefined;
    await plugin.gateway.logoutAccount?.({
      accountId: "default",
      account: plugin.config.resolveAccount({}, "default"),
    });
    await expect(stat(path.join(stateDir, "credentials", "whatsapp", "default"))).rejects.toMatchObject({
      code: "ENOENT",
    });
  });
});
