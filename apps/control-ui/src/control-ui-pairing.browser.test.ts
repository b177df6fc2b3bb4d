// Device and node pairing approved from the Control UI's Devices page, in Chromium against a real
// gateway that does not approve loopback devices by itself (what a `lan`/`tailnet` gateway does for
// another machine): a second operator device and a node host (`openclaw node run`'s NodeHost) ask
// to pair, the page shows each request live, a click approves it, and the device connects with
// the scopes it asked for; the node then lists its capabilities and commands.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayClient } from "@openclaw/client";
import { createGateway, createMemoryAssistant, type Gateway } from "@openclaw/gateway";
import { generateDeviceIdentity, OpenClawError } from "@openclaw/protocol";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { testConfigStore } from "../../../packages/gateway/src/__tests__/helpers.js";
import { NodeHost } from "../../../packages/node-host/src/index.js";
import { buildUi, launchBrowser, screenshots, UI_TOKEN } from "./test-support.js";

let uiRoot: string;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let stateDir: string;
let gateway: Gateway;
let store: ReturnType<typeof testConfigStore>;
let port: number;
let page: Page;

beforeAll(async () => {
  [uiRoot, browser] = await Promise.all([buildUi(), launchBrowser()]);
  stateDir = await mkdtemp(join(tmpdir(), "openclaw-ui-pairing-"));
  const configPath = join(stateDir, "openclaw.json");
  await writeFile(configPath, `{ gateway: { auth: { mode: "token", token: "${UI_TOKEN}" } } }\n`);
  store = testConfigStore(configPath);
  gateway = createGateway({
    config: store,
    stateDir,
    port: 0,
    assistant: createMemoryAssistant({ reply: (message) => `echo: ${message}` }),
    logFile: join(stateDir, "gateway.log"),
    controlUiRoot: uiRoot,
    autoApproveLoopback: false,
    version: "ui-pairing",
  });
  port = (await gateway.listen()).port;
  // the first browser is approved on the gateway's own machine (`openclaw devices approve <id>`)
  page = await browser.context.newPage();
  await page.goto(`http://127.0.0.1:${port}/#token=${UI_TOKEN}`);
  const box = page.locator('[data-state="pairing"]');
  await box.waitFor();
  const requestId = /openclaw devices approve ([0-9a-f-]{36})/.exec((await box.textContent()) ?? "")?.[1];
  await gateway.call("device.pair.approve", { requestId: requestId! });
  await box.getByRole("button", { name: "I approved it: retry" }).click();
  await page.locator('[data-link="connected"]').waitFor();
  await page.goto(`http://127.0.0.1:${port}/#/devices`);
  await page.locator('[data-section="device-requests"]').waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  store?.close?.();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
  if (uiRoot) await rm(uiRoot, { recursive: true, force: true });
});

const wsUrl = () => `ws://127.0.0.1:${port}`;

it("a second device asks to pair: the page shows it live, Approve lets it connect with the scopes it asked for", async () => {
  const device = await generateDeviceIdentity();
  const laptop = () =>
    new GatewayClient({
      url: wsUrl(),
      auth: { token: UI_TOKEN },
      role: "operator",
      scopes: ["operator.read"],
      client: { id: "cli", mode: "cli", displayName: "laptop in the kitchen" },
      device,
      reconnect: false,
    });
  const first = laptop();
  const refused = await first.connect().then(
    () => undefined,
    (error: unknown) => error,
  );
  await first.close();
  expect(OpenClawError.isInstance(refused)).toBe(true);
  const details = (refused as OpenClawError).details as { code?: string; requestId?: string };
  expect(details.code).toBe("PAIRING_REQUIRED");

  // the page follows device.pair.requested: the request appears without a reload
  const row = page.locator(`[data-request="${details.requestId}"]`);
  await row.waitFor();
  expect(await row.textContent()).toContain("laptop in the kitchen");
  expect(await row.textContent()).toContain("operator.read");
  await screenshots(page, "devices-pairing-request");
  await row.getByRole("button", { name: "Approve" }).click();
  await page.locator(".notice", { hasText: "Approved laptop in the kitchen" }).waitFor();
  await page.locator(`[data-device="${device.deviceId}"]`, { hasText: "operator.read" }).waitFor();

  // the device connects now, with what it asked for and no more
  const again = laptop();
  try {
    const hello = await again.connect();
    expect(hello.auth).toMatchObject({ role: "operator", scopes: ["operator.read"] });
    expect(hello.auth?.deviceToken).toBeTruthy();
    await expect(again.request("health", {})).resolves.toBeTruthy();
    await expect(again.request("config.set", { raw: "{}" })).rejects.toThrow(/operator\.admin/);
  } finally {
    await again.close();
  }
});

it("a node host asks to pair: its device, then the node, approved from the page; the node list shows its caps and commands", async () => {
  const nodeState = await mkdtemp(join(tmpdir(), "openclaw-ui-node-"));
  const lines: string[] = [];
  const host = new NodeHost({
    url: wsUrl(),
    auth: { token: UI_TOKEN },
    stateDir: nodeState,
    displayName: "build box",
    caps: ["system", "screen"],
    commands: { "screen.record": async () => ({ format: "mp4", base64: "" }) },
    log: (line) => lines.push(line),
    reconnect: { minDelayMs: 100, maxDelayMs: 300 },
  });
  const started = host.start();
  try {
    // first the node's device (role node) …
    const deviceRow = page.locator("[data-request]", { hasText: "build box" });
    await deviceRow.waitFor({ timeout: 15_000 });
    expect(await deviceRow.textContent()).toContain("node");
    await deviceRow.getByRole("button", { name: "Approve" }).click();
    await started; // it connects on its next try
    // … then the node itself, with what it declares
    const nodeRequest = page.locator("[data-node-request]", { hasText: "build box" });
    await nodeRequest.waitFor({ timeout: 15_000 });
    expect(await nodeRequest.textContent()).toMatch(/caps: system, screen[\s\S]*commands: .*screen\.record/);
    // connected, not paired yet: the gateway will not invoke it until it is approved
    const node = page.locator(`[data-node="${host.nodeId}"]`);
    await node.locator(".pill", { hasText: "not paired" }).waitFor();
    await screenshots(page, "devices-node-request");
    await nodeRequest.getByRole("button", { name: "Approve" }).click();
    await page.locator(".notice", { hasText: "Node approved." }).waitFor();
    await node.locator(".pill", { hasText: "connected" }).waitFor();
    await expect.poll(() => node.locator(".pill", { hasText: "not paired" }).count()).toBe(0);
    const listed = (await node.textContent()) ?? "";
    for (const name of ["system", "screen", "system.run", "screen.record"]) expect(listed).toContain(name);
    expect(await page.locator("[data-node-request]").count()).toBe(0);
    await screenshots(page, "devices-node-paired");
    expect(lines.some((line) => line.includes("pairing required"))).toBe(true);
  } finally {
    await host.stop();
    await rm(nodeState, { recursive: true, force: true });
  }
});
