// Linking WhatsApp from the Control UI's Channels page, in Chromium against a real gateway whose
// channel manager runs the WhatsApp plugin over the fake WhatsApp socket (the Baileys event and
// send boundary the channel tests use): web.login.start's QR shown as an image, the phone's scan
// reported by web.login.wait, the account connected; an expired QR offers a new one.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ChannelManager, channelGatewayMethods, createChannelManager } from "@openclaw/core";
import { createGateway, createMemoryAssistant, type Gateway } from "@openclaw/gateway";
import { FakeWhatsAppServer, whatsappSocketFactory } from "@openclaw/testkit";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createWhatsAppChannel } from "../../../packages/channels-whatsapp/src/index.js";
import { testConfigStore } from "../../../packages/gateway/src/__tests__/helpers.js";
import { buildUi, launchBrowser, screenshots, UI_TOKEN } from "./test-support.js";

let uiRoot: string;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let fake: FakeWhatsAppServer;
let stateDir: string;
let manager: ChannelManager;
let gateway: Gateway;
let store: ReturnType<typeof testConfigStore>;
let url: string;

beforeAll(async () => {
  [uiRoot, browser, fake] = await Promise.all([buildUi(), launchBrowser(), new FakeWhatsAppServer().start()]);
  stateDir = await mkdtemp(join(tmpdir(), "openclaw-ui-whatsapp-"));
  const configPath = join(stateDir, "openclaw.json");
  await writeFile(configPath, `{ gateway: { auth: { mode: "token", token: "${UI_TOKEN}" } } }\n`);
  store = testConfigStore(configPath);
  manager = createChannelManager({
    plugins: [createWhatsAppChannel({ stateDir, socketFactory: whatsappSocketFactory(fake.url) as never })],
    getConfig: () => ({ channels: { whatsapp: { allowFrom: ["+15551234567"], sendPacingMs: 0 } } }),
    stateDir,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    assistant: { enqueue: async () => ({ payloads: [{ text: "ok" }] }) },
  });
  gateway = createGateway({
    config: store,
    stateDir,
    port: 0,
    assistant: createMemoryAssistant({ reply: (message) => `echo: ${message}` }),
    logFile: join(stateDir, "gateway.log"),
    controlUiRoot: uiRoot,
    channels: channelGatewayMethods(manager),
    version: "ui-whatsapp",
  });
  url = `http://127.0.0.1:${(await gateway.listen()).port}/`;
  await manager.start();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await manager?.stop();
  store?.close?.();
  await fake?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
  if (uiRoot) await rm(uiRoot, { recursive: true, force: true });
});

/** What WhatsApp answers when no QR was scanned in time (Baileys' 408 "QR refs attempts ended"). */
const qrRefsEnded = {
  connection: "close",
  lastDisconnect: {
    error: {
      message: "QR refs attempts ended",
      isBoom: true,
      output: {
        statusCode: 408,
        payload: { statusCode: 408, error: "Request Time-out", message: "QR refs attempts ended" },
        headers: {},
      },
    },
    date: "2026-12-06T06:00:00.000Z",
  },
};

async function channelsPage(): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(`${url}#token=${UI_TOKEN}`);
  await page.locator('[data-link="connected"]').waitFor({ timeout: 15_000 });
  await page.goto(`${url}#/channels`);
  await page.locator('[data-channel="whatsapp"]').waitFor();
  return page;
}

it("links WhatsApp from the Channels page: an expired QR offers a new one, the scan links and connects the account", async () => {
  const page = await channelsPage();
  const section = page.locator('[data-channel="whatsapp"]');
  // not linked yet: the account stopped with the hint, and offers the QR login
  await section.locator(".error", { hasText: "WhatsApp not linked" }).waitFor();
  const link = section.getByRole("button", { name: "Link WhatsApp" });

  // WhatsApp gives up on the QR: the panel says it expired and offers a new one
  fake.fault({ kind: "refuse-connection", update: qrRefsEnded });
  await link.click();
  const panel = section.locator("oc-qr-login");
  await panel.locator('[data-login-state="expired"]').waitFor({ timeout: 15_000 });
  expect(await panel.textContent()).toContain("The QR expired before it was scanned");
  await screenshots(page, "channels-whatsapp-expired");

  // a new QR: shown as an image the browser decodes
  fake.clearFaults();
  await panel.getByRole("button", { name: "Get a new QR" }).click();
  const qr = panel.locator("img.qr");
  await qr.waitFor({ timeout: 15_000 });
  expect(await qr.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
  await expect
    .poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(100);
  expect(await panel.textContent()).toContain("Linked devices");
  expect(await link.count()).toBe(0); // one login at a time: the button waits behind the open panel
  await qr.scrollIntoViewIfNeeded();
  await screenshots(page, "channels-whatsapp-qr");

  // the phone scans it: linked, and the account connects without a gateway restart
  fake.scanQr();
  await panel.locator('[data-login-state="linked"]', { hasText: "Linked as +159876543210" }).waitFor({
    timeout: 15_000,
  });
  const row = section.locator("tbody tr").first();
  await row.locator(".pill", { hasText: "connected" }).waitFor({ timeout: 15_000 });
  await screenshots(page, "channels-whatsapp-linked");
  await section.getByRole("button", { name: "Close" }).click();
  expect(await link.count()).toBe(0); // a connected account is not offered a new link
  expect(await manager.status()).toMatchObject({
    channels: { whatsapp: { accounts: [{ connected: true, self: { id: "+159876543210" } }] } },
  });
  await page.close();
});

it("a failed login says why and offers to try again", async () => {
  // the linked account is logged out; WhatsApp then refuses the account (403)
  await manager.logout({ channel: "whatsapp" });
  const forbidden = structuredClone(qrRefsEnded);
  forbidden.lastDisconnect.error.message = "forbidden";
  forbidden.lastDisconnect.error.output.statusCode = 403;
  fake.fault({ kind: "refuse-connection", update: forbidden });
  const page = await channelsPage();
  const section = page.locator('[data-channel="whatsapp"]');
  await section.getByRole("button", { name: "Link WhatsApp" }).click();
  const failed = section.locator('oc-qr-login [data-login-state="error"]');
  await failed.waitFor({ timeout: 15_000 });
  expect(await failed.textContent()).toContain("403");
  fake.clearFaults();
  await failed.getByRole("button", { name: "Try again" }).click();
  await section.locator("oc-qr-login img.qr").waitFor({ timeout: 15_000 });
  // closing the panel leaves the page as it was
  await section.getByRole("button", { name: "Close" }).click();
  expect(await section.locator("oc-qr-login").count()).toBe(0);
  await page.close();
});
