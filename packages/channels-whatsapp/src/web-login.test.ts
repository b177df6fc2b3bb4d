import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ChannelManager, channelGatewayMethods, createChannelManager } from "@openclaw/core";
import { FakeWhatsAppServer, whatsappSocketFactory } from "@openclaw/testkit";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createWhatsAppChannel } from "./whatsapp-channel.js";

// web.login.start / web.login.wait as the gateway answers them (core's channel adapter over the
// channel manager): the QR as a data URL, the scan, then the account connects without a restart.
let fake: FakeWhatsAppServer;
let stateDir: string;
let manager: ChannelManager | undefined;
beforeEach(async () => {
  fake = await new FakeWhatsAppServer().start();
  stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-wa-web-"));
});
afterEach(async () => {
  await manager?.stop();
  await fake.close();
  await rm(stateDir, { recursive: true, force: true });
});

it("web.login.start hands out the QR as a data URL; after the scan web.login.wait says linked and the account connects", async () => {
  manager = createChannelManager({
    plugins: [createWhatsAppChannel({ stateDir, socketFactory: whatsappSocketFactory(fake.url) as never })],
    getConfig: () => ({ channels: { whatsapp: { allowFrom: ["+15551234567"], sendPacingMs: 0 } } }),
    stateDir,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    assistant: { enqueue: async () => ({ payloads: [{ text: "ok" }] }) },
    reconnect: { initialDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 },
  });
  await manager.start();
  const methods = channelGatewayMethods(manager);
  const status = async () => (await manager?.status())?.channels.whatsapp?.accounts[0];
  // not linked yet: the account stopped with the hint
  while ((await status())?.running !== false) await new Promise((r) => setTimeout(r, 5));

  expect(await methods.loginWait({})).toEqual({
    connected: false,
    message: "no login in progress; call web.login.start",
  });
  const started = await methods.loginStart({ timeoutMs: 10_000 });
  expect(started.qrDataUrl).toMatch(/^data:image\/png;base64,/);
  expect(started.message).toContain("Linked devices");
  expect(await methods.loginWait({ timeoutMs: 50 })).toEqual({
    connected: false,
    message: "still waiting for the QR to be scanned",
  });
  fake.scanQr();
  expect(await methods.loginWait({ timeoutMs: 10_000 })).toEqual({
    connected: true,
    message: "linked as +159876543210",
  });
  while (!(await status())?.connected) await new Promise((r) => setTimeout(r, 5));
  expect(await status()).toMatchObject({ running: true, connected: true, self: { id: "+159876543210" } });
});
