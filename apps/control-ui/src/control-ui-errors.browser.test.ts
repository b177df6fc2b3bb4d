// The Control UI's bad-input paths in Chromium: gateway down (says so, retries with backoff,
// reconnects when it is back), wrong token, a config the form cannot represent (raw editor with the
// reason), and plain HTTP from another host (no WebCrypto: a clear explanation).
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { createGateway, createMemoryAssistant, type Gateway, type GatewayOptions } from "@openclaw/gateway";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { testConfigStore } from "../../../packages/gateway/src/__tests__/helpers.js";
import { buildUi, launchBrowser, screenshots, UI_TOKEN } from "./test-support.js";

let uiRoot: string;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  [uiRoot, browser] = await Promise.all([buildUi(), launchBrowser()]);
}, 60_000);

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await browser?.close();
  if (uiRoot) await rm(uiRoot, { recursive: true, force: true });
});

async function gatewayOn(
  stateDir: string,
  port = 0,
  autoApproveLoopback = true,
  capabilities: GatewayOptions["capabilities"] = [],
): Promise<{ gateway: Gateway; port: number }> {
  const configPath = join(stateDir, "openclaw.json");
  const store = testConfigStore(configPath);
  const gateway = createGateway({
    config: store,
    stateDir,
    port,
    assistant: createMemoryAssistant({ reply: (message) => `echo: ${message}` }),
    logFile: join(stateDir, "gateway.log"),
    controlUiRoot: uiRoot,
    autoApproveLoopback,
    capabilities,
    version: "ui-errors",
  });
  const address = await gateway.listen();
  cleanups.push(async () => {
    await gateway.close();
    store.close?.();
  });
  return { gateway, port: address.port };
}

async function stateDirWithConfig(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "openclaw-ui-errors-"));
  await writeFile(
    join(dir, "openclaw.json"),
    `{\n  // hand-written\n  gateway: { auth: { mode: "token", token: "${UI_TOKEN}" } },\n}\n`,
  );
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function newPage(): Promise<Page> {
  const page = await browser.context.newPage();
  cleanups.push(() => page.close());
  return page;
}

describe("Control UI bad input", () => {
  it("gateway down: says so and retries with growing delays; a lost gateway is reconnected when it is back", async () => {
    // a server with the UI's files but no gateway behind it
    const files: Server = createServer(async (req, res) => {
      const path = req.url?.split(/[?#]/)[0] ?? "/";
      const file = path === "/" ? "index.html" : path.slice(1);
      const body = await readFile(join(uiRoot, file)).catch(() => undefined);
      const types: Record<string, string> = { ".js": "text/javascript", ".css": "text/css" };
      res.writeHead(body ? 200 : 404, { "content-type": types[extname(file)] ?? "text/html" });
      res.end(body);
    });
    await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => files.close(resolve)));
    const page = await newPage();
    await page.goto(`http://127.0.0.1:${(files.address() as AddressInfo).port}/#token=${UI_TOKEN}`);
    const down = page.locator('[data-state="down"]');
    await down.waitFor();
    expect(await down.textContent()).toMatch(/Gateway unreachable[\s\S]*Retrying in \d+ s \(attempt 1\)/);
    // the delay doubles with each attempt (1 s, 2 s, 4 s … plus up to 25 % jitter)
    const delayOf = async (attempt: number) => {
      const shown = page.locator(`[data-state="down"][data-attempt="${attempt}"]`);
      await shown.waitFor({ timeout: 10_000 });
      return Number(await shown.getAttribute("data-delay-ms"));
    };
    const delay1 = await delayOf(1);
    expect(delay1).toBeGreaterThanOrEqual(1000);
    expect(delay1).toBeLessThanOrEqual(1250);
    const delay2 = await delayOf(2);
    expect(delay2).toBeGreaterThanOrEqual(2000);
    expect(delay2).toBeLessThanOrEqual(2500);
    await screenshots(page, "error-gateway-down");
    // "Retry now" does not wait for the countdown; the next delay is longer still
    await down.getByRole("button", { name: "Retry now" }).click();
    const delay3 = await delayOf(3);
    expect(delay3).toBeGreaterThanOrEqual(4000);
    expect(delay3).toBeLessThanOrEqual(5000);

    // a gateway that goes away while the page is open, and comes back on the same port
    const stateDir = await stateDirWithConfig();
    const first = await gatewayOn(stateDir);
    const live = await newPage();
    await live.goto(`http://127.0.0.1:${first.port}/#token=${UI_TOKEN}`);
    await live.locator('[data-link="connected"]').waitFor();
    await first.gateway.close();
    await live.locator('[data-link="down"]').waitFor();
    await gatewayOn(stateDir, first.port);
    await live.locator('[data-link="connected"]').waitFor({ timeout: 15_000 });
  });

  it("a capability the gateway lacks shows 'not available yet', and lights up when a gateway that has it connects", async () => {
    // the bare gateway library has no cron methods …
    const stateDir = await stateDirWithConfig();
    const bare = await gatewayOn(stateDir);
    const page = await newPage();
    await page.goto(`http://127.0.0.1:${bare.port}/#token=${UI_TOKEN}`);
    await page.locator('[data-link="connected"]').waitFor();
    await page.goto(`http://127.0.0.1:${bare.port}/#/automation`);
    const panel = page.locator('[data-unavailable="Cron"]');
    await panel.waitFor();
    expect(await panel.textContent()).toContain("cron.list");
    await screenshots(page, "unavailable-cron");
    // … restarted on the same port with core's methods (cron included): the page reconnects and
    // the panel lights up
    await bare.gateway.close();
    await gatewayOn(stateDir, bare.port, true, [
      () => import("@openclaw/core/methods").then((m) => m.coreMethods),
    ]);
    await page.locator('[data-section="cron"]').waitFor({ timeout: 15_000 });
    expect(await panel.count()).toBe(0);
  });

  it("wrong token: the sign-in form shows the gateway's answer; the right one connects", async () => {
    const { port } = await gatewayOn(await stateDirWithConfig());
    const page = await newPage();
    await page.goto(`http://127.0.0.1:${port}/#token=not-the-token`);
    const form = page.locator('[data-state="need-token"]');
    await form.locator(".error", { hasText: "unauthorized: gateway token mismatch" }).waitFor();
    await screenshots(page, "error-wrong-token");
    await form.locator("input[name=token]").fill(UI_TOKEN);
    await form.getByRole("button", { name: "Connect" }).click();
    await page.locator('[data-link="connected"]').waitFor();
  });

  it("a gateway on password auth: the sign-in form takes the password", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "openclaw-ui-errors-"));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    await writeFile(
      join(stateDir, "openclaw.json"),
      `{ gateway: { auth: { mode: "password", password: "correct horse battery" } } }`,
    );
    const { port } = await gatewayOn(stateDir);
    const page = await newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    const form = page.locator('[data-state="need-token"]');
    await form.locator("select[name=kind]").selectOption("password");
    await form.locator("input[name=token]").fill("correct horse battery");
    await form.getByRole("button", { name: "Connect" }).click();
    await page.locator('[data-link="connected"]').waitFor();
  });

  it("a config the form cannot represent opens the raw editor with the reason; fixing it there saves", async () => {
    const stateDir = await stateDirWithConfig();
    const { gateway, port } = await gatewayOn(stateDir);
    const configPath = join(stateDir, "openclaw.json");
    await writeFile(
      configPath,
      `{\n  // hand-written\n  gateway: { port: "eighteen", auth: { mode: "token", token: "${UI_TOKEN}" } },\n}\n`,
    );
    // the running gateway keeps its last good config and reports the file as invalid
    await expect
      .poll(async () => ((await gateway.call("config.get", {})) as { valid: boolean }).valid, {
        timeout: 10_000,
      })
      .toBe(false);
    const page = await newPage();
    await page.goto(`http://127.0.0.1:${port}/#token=${UI_TOKEN}`);
    await page.locator('[data-link="connected"]').waitFor();
    await page.goto(`http://127.0.0.1:${port}/#/config`);
    const fallback = page.locator("[data-form-fallback]");
    await fallback.waitFor();
    expect(await fallback.textContent()).toContain("gateway.port");
    await screenshots(page, "error-config-fallback");
    const raw = page.locator('form[data-mode="raw"] textarea');
    expect(await raw.inputValue()).toContain('"eighteen"');
    await raw.fill((await raw.inputValue()).replace('port: "eighteen", ', "port: 18789, "));
    await page.getByRole("button", { name: "Save file" }).click();
    await page.locator(".notice", { hasText: "Saved" }).waitFor();
    const text = await readFile(configPath, "utf8");
    expect(text).toContain("port: 18789");
    expect(text).toContain("// hand-written");
    await page.locator('form[data-mode="form"]').waitFor();
  });

  it("a browser the gateway has not approved: 'pairing required' with the command; approved, it connects", async () => {
    // what a browser on another machine meets (here: loopback auto-approval switched off)
    const { gateway, port } = await gatewayOn(await stateDirWithConfig(), 0, false);
    const page = await newPage();
    await page.goto(`http://127.0.0.1:${port}/#token=${UI_TOKEN}`);
    const box = page.locator('[data-state="pairing"]');
    await box.waitFor();
    const text = (await box.textContent()) ?? "";
    expect(text).toContain("pairing required");
    const requestId = /openclaw devices approve ([0-9a-f-]{36})/.exec(text)?.[1];
    expect(requestId).toBeTruthy();
    await screenshots(page, "error-pairing-required");
    await gateway.call("device.pair.approve", { requestId: requestId! });
    await box.getByRole("button", { name: "I approved it: retry" }).click();
    await page.locator('[data-link="connected"]').waitFor();
  });

  it("plain HTTP from another host (no WebCrypto): explains why and what to do instead", async () => {
    const { port } = await gatewayOn(await stateDirWithConfig());
    const page = await newPage();
    await page.goto(`http://ui.openclaw.test:${port}/#token=${UI_TOKEN}`);
    const box = page.locator('[data-state="insecure"]');
    await box.waitFor();
    const text = (await box.textContent()) ?? "";
    expect(text).toContain("device identity required");
    expect(text).toMatch(/HTTPS|SSH tunnel/);
    await screenshots(page, "error-insecure");
  });
});
