// The Control UI in Debian's Chromium against the real assembled gateway (core's config store and
// assistant, the fake OpenAI server as the model): sign-in from the URL fragment, a streamed chat,
// every page at desktop and phone widths (screenshots in apps/control-ui/screenshots/), device
// approval, a form edit that keeps the file's comments, a stale edit refused, live logs.
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GatewayClient } from "@openclaw/client";
import { generateDeviceIdentity } from "@openclaw/protocol";
import { FakeTelegramServer, openaiChatReply, sseReply, telegramUpdate } from "@openclaw/testkit";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAGES } from "./routes.js";
import {
  buildUi,
  launchBrowser,
  screenshots,
  startUiGateway,
  UI_TOKEN,
  type UiGateway,
} from "./test-support.js";

let uiRoot: string;
let gw: UiGateway;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
let page: Page;
let telegram: FakeTelegramServer;

beforeAll(async () => {
  [uiRoot, telegram] = await Promise.all([buildUi(), new FakeTelegramServer().start()]);
  const channels = `channels: { telegram: { botToken: "${telegram.token}", apiRoot: "${telegram.url}", pollTimeoutSeconds: 1, throttle: false, dmPolicy: "pairing" } },`;
  [gw, browser] = await Promise.all([startUiGateway(uiRoot, { extra: channels }), launchBrowser()]);
  context = browser.context;
  page = await context.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  await telegram?.close();
  if (uiRoot) await rm(uiRoot, { recursive: true, force: true });
});

async function open(route: string): Promise<void> {
  await page.goto(`${gw.url}#/${route}`);
  await page.locator('[data-link="connected"]').waitFor({ timeout: 15_000 });
}

describe("Control UI against a real gateway", () => {
  it("signs in from the #token= fragment once, keeps it for this origin and clears it from the address bar", async () => {
    await page.goto(`${gw.url}#token=${UI_TOKEN}`);
    await page.locator('[data-link="connected"]').waitFor({ timeout: 15_000 });
    expect(page.url()).not.toContain(UI_TOKEN);
    expect(await page.evaluate(() => localStorage.getItem("openclaw.control.token"))).toBe(UI_TOKEN);
    // a reload signs in again from storage, with the device token the gateway issued
    await page.reload();
    await page.locator('[data-link="connected"]').waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => localStorage.getItem("openclaw.control.deviceToken"))).toBeTruthy();
  });

  it("chats: the streamed reply appears, then stays as the answer", async () => {
    gw.fake.enqueue(openaiChatReply({ text: ["Hello from ", "the fake ", "model."] }));
    await open("chat");
    await page.locator("textarea[name=message]").fill("hi there");
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator('.msg[data-role="user"]', { hasText: "hi there" }).waitFor();
    await page.locator('.msg[data-role="assistant"]', { hasText: "Hello from the fake model." }).waitFor();
    expect(gw.fake.requests.at(-1)?.body.messages.at(-1)).toMatchObject({ role: "user" });
    expect(JSON.stringify(gw.fake.requests.at(-1)?.body.messages.at(-1))).toContain("hi there");
    await screenshots(page, "chat");
  });

  it("chat: tool calls fold under the reply, slash commands show their answer, Stop aborts a reply", async () => {
    await writeFile(join(gw.workspace, "groceries.md"), "- oat milk\n- lemons\n");
    gw.fake.enqueue(
      openaiChatReply({
        toolCalls: [
          {
            id: "call_1",
            name: "read",
            arguments: [JSON.stringify({ path: join(gw.workspace, "groceries.md") })],
          },
        ],
      }),
      openaiChatReply({ text: ["You need oat milk and lemons."] }),
    );
    await open("chat");
    const send = async (text: string) => {
      await page.locator("textarea[name=message]").fill(text);
      await page.getByRole("button", { name: "Send" }).click();
    };
    await send("what is on my list?");
    const answer = page.locator('.msg[data-role="assistant"]', { hasText: "You need oat milk and lemons." });
    await answer.waitFor();
    const tool = answer.locator('details[data-tool="read"]');
    expect(await tool.getAttribute("open")).toBeNull(); // folded
    expect(await tool.locator("summary").textContent()).toContain("done");

    // a text file attached goes to the model with the message
    gw.fake.enqueue(openaiChatReply({ text: ["Noted the plan."] }));
    await page.locator("input[type=file]").setInputFiles({
      name: "plan.md",
      mimeType: "text/markdown",
      buffer: Buffer.from("# Plan\n- ship the dashboard\n"),
    });
    await page.locator("p", { hasText: "Attached: plan.md" }).waitFor();
    await send("read my plan");
    await page.locator('.msg[data-role="assistant"]', { hasText: "Noted the plan." }).waitFor();
    expect(JSON.stringify(gw.fake.requests.at(-1)?.body.messages.at(-1))).toContain("ship the dashboard");

    // a chat command is answered by the gateway itself, visibly, without a model call
    const calls = gw.fake.requests.length;
    const before = await page.locator('.msg[data-role="assistant"]').count();
    await send("/status");
    await expect.poll(() => page.locator('.msg[data-role="assistant"]').count()).toBe(before + 1);
    expect((await page.locator('.msg[data-role="assistant"]').last().textContent())?.trim()).not.toBe("");
    expect(gw.fake.requests.length).toBe(calls);

    // a reply that never ends: Stop aborts it
    const chunk = (content: string) => ({
      data: {
        id: "c",
        object: "chat.completion.chunk",
        model: "gpt-test",
        choices: [{ index: 0, delta: { content }, finish_reason: null }],
      },
    });
    gw.fake.enqueue(sseReply([chunk("Counting: one, "), chunk("two, ")], { end: "hang" }));
    await send("count forever");
    await page.locator(".msg[data-streaming]", { hasText: "Counting: one, two," }).waitFor();
    await page.getByRole("button", { name: "Stop" }).click();
    await page.locator('.msg[data-role="assistant"]', { hasText: "[aborted]" }).waitFor();
    await screenshots(page, "chat-tools-abort");
  });

  it("shows every page at desktop and phone width, light and dark", async () => {
    for (const { id, label } of PAGES) {
      await open(id);
      const main = page.locator("main");
      if (id !== "chat") await main.locator("h2").first().waitFor();
      await page.waitForLoadState("networkidle");
      expect(await main.locator(".error").count(), `${label} shows an error`).toBe(0);
      await screenshots(page, id);
    }
    // the phone layout hides the navigation behind the menu button
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(page.locator("nav").isVisible()).resolves.toBe(false);
    await page.getByRole("button", { name: "Menu" }).click();
    await page.locator("nav a", { hasText: "Logs" }).click();
    await page.locator("main h2", { hasText: "Logs" }).waitFor();
    await page.setViewportSize({ width: 1280, height: 800 });
    // dark mode
    await page.getByRole("button", { name: "Toggle dark mode" }).click();
    const theme = await page.evaluate(() => document.documentElement.dataset.theme);
    await open("health");
    await screenshots(page, `health-${theme}`);
    await page.getByRole("button", { name: "Toggle dark mode" }).click();
  });

  it("approves a device waiting for pairing", async () => {
    const { DevicePairingStore } = await import("@openclaw/core/state/devices");
    const store = new DevicePairingStore(gw.stateDir);
    const identity = await generateDeviceIdentity();
    const pending = await store.request({
      deviceId: identity.deviceId,
      publicKey: identity.publicKey,
      role: "operator",
      scopes: ["operator.read"],
      remoteIp: "192.168.1.20",
      clientId: "openclaw-control-ui",
      clientMode: "webchat",
      displayName: "Laptop in the kitchen",
    });
    await open("devices");
    const row = page.locator(`[data-request="${pending.requestId}"]`);
    await row.waitFor();
    await row.getByRole("button", { name: "Approve" }).click();
    await page.locator(".notice", { hasText: "Approved" }).waitFor();
    await page.locator(`[data-device="${identity.deviceId}"]`).waitFor();
    expect((await new DevicePairingStore(gw.stateDir).get(identity.deviceId))?.roles).toContain("operator");
  });

  it("allows a node's command once from the Approvals page; the node gets the decision", async () => {
    // a node host on this machine asks before running a command (two-phase request)
    const node = new GatewayClient({
      url: gw.url.replace(/^http/, "ws"),
      auth: { token: UI_TOKEN },
      role: "node",
      client: { id: "node-host", mode: "node", displayName: "build box" },
      device: await generateDeviceIdentity(),
      reconnect: false,
    });
    await node.connect();
    try {
      await open("approvals");
      const asked = (await node.request("exec.approval.request", {
        command: "make deploy",
        cwd: "/srv/app",
        twoPhase: true,
      })) as { id: string };
      const card = page.locator(`[data-approval="${asked.id}"]`);
      await card.waitFor(); // the page follows exec.approval.requested live
      expect(await card.locator("pre").textContent()).toBe("make deploy");
      await screenshots(page, "approvals-pending");
      const decision = node.request("exec.approval.waitDecision", { id: asked.id });
      await card.getByRole("button", { name: "Allow once" }).click();
      expect(await decision).toMatchObject({ decision: "allow-once" });
      await expect.poll(() => card.count()).toBe(0);
    } finally {
      await node.close();
    }
  });

  it("approves a channel sender's pairing request (Telegram DM from a stranger)", async () => {
    telegram.inject(telegramUpdate("privateText", { fromId: 5550001, username: "grace", text: "hello bot" }));
    // the stranger gets a pairing code instead of an answer
    await telegram.waitFor(() => telegram.sent.some((message) => String(message.chatId) === "5550001"));
    await open("channels");
    await page.locator('[data-channel="telegram"]').waitFor();
    const row = page.locator("[data-pairing]", { hasText: "@grace" });
    await row.waitFor();
    await screenshots(page, "channels-pairing");
    await row.getByRole("button", { name: "Approve" }).click();
    await page.locator(".notice", { hasText: "Approved telegram sender @grace" }).waitFor();
    const { createFilePairingStore } = await import("@openclaw/core");
    expect(
      await createFilePairingStore({ stateDir: gw.stateDir }).allowFrom("telegram", { fresh: true }),
    ).toContain("5550001");
    expect(await page.locator("[data-pairing]").count()).toBe(0);
  });

  it("acts from the Sessions, Automation and Models pages", async () => {
    // Sessions: search narrows the list, a click previews the session's last messages
    await open("sessions");
    await page.locator('[data-session="agent:main:main"]').waitFor();
    await page.locator("input[type=search]").fill("no-such-session");
    expect(await page.locator("[data-session]").count()).toBe(0);
    await page.locator("input[type=search]").fill("main");
    await page.locator('[data-session="agent:main:main"] a').click();
    await page.locator('[data-preview="agent:main:main"]', { hasText: "hi there" }).waitFor();
    // export a bundle, import it into the same gateway (appended with chat.inject)
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export" }).click();
    const bundle = JSON.parse(await readFile((await (await download).path())!, "utf8")) as {
      sessions: { key: string; messages: unknown[] }[];
    };
    expect(bundle.sessions.map((session) => session.key)).toContain("agent:main:main");
    await page.locator('input[type=file][accept="application/json"]').setInputFiles({
      name: "bundle.json",
      mimeType: "application/json",
      buffer: Buffer.from(
        JSON.stringify({
          sessions: [
            { key: "agent:main:imported", messages: [{ role: "assistant", content: "from the bundle" }] },
          ],
        }),
      ),
    });
    await page.locator(".notice", { hasText: "Imported 1 message(s)" }).waitFor();

    // Automation: add a cron job, it is listed and stored by the gateway
    await open("automation");
    await page.locator("input[name=name]").fill("morning brief");
    await page.locator("input[name=message]").fill("summarise my inbox");
    await page.getByRole("button", { name: "Add job" }).click();
    await page.locator('[data-job="morning brief"]').waitFor();
    const jobs = (await gw.assembled.gateway.call("cron.list", {})) as { jobs: { name: string }[] };
    expect(jobs.jobs.map((job) => job.name)).toContain("morning brief");

    // Models: the default model and a fallback, written to the file
    await open("models");
    await page.locator("input[name=fallbacks]").fill("fake/gpt-test-mini");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator(".notice", { hasText: "Saved the default model" }).waitFor();
    expect(await readFile(gw.configPath, "utf8")).toContain("gpt-test-mini");
  });

  it("chat: an image attachment reaches the model; after a reload the history shows it, the command and its reply", async () => {
    await open("chat");
    const send = async (text: string) => {
      await page.locator("textarea[name=message]").fill(text);
      await page.getByRole("button", { name: "Send" }).click();
    };
    // a 1×1 PNG
    const png = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
      "base64",
    );
    gw.fake.enqueue(openaiChatReply({ text: ["A tiny picture."] }));
    await page
      .locator("input[type=file]")
      .setInputFiles({ name: "pixel.png", mimeType: "image/png", buffer: png });
    await page.locator("p", { hasText: "Attached: pixel.png" }).waitFor();
    await send("what is in this picture?");
    await page.locator('.msg[data-role="assistant"]', { hasText: "A tiny picture." }).waitFor();
    expect(gw.fake.requests.at(-1)?.body.messages.at(-1)).toEqual({
      role: "user",
      content: [
        { type: "text", text: "what is in this picture?" },
        { type: "image_url", image_url: { url: `data:image/png;base64,${png.toString("base64")}` } },
      ],
    });

    const before = await page.locator('.msg[data-role="assistant"]').count();
    await send("/status");
    await expect.poll(() => page.locator('.msg[data-role="assistant"]').count()).toBe(before + 1);
    const reply = (await page.locator('.msg[data-role="assistant"]').last().textContent())?.trim() ?? "";
    expect(reply).toMatch(/model/i);

    await page.reload();
    await page.locator('[data-link="connected"]').waitFor({ timeout: 15_000 });
    await page
      .locator('.msg[data-role="user"]', { hasText: /what is in this picture\?\s*\[image\]/ })
      .waitFor();
    await page.locator('.msg[data-role="user"][data-command]', { hasText: "/status" }).last().waitFor();
    const replyAfterReload = page.locator('.msg[data-role="assistant"][data-command]').last();
    expect((await replyAfterReload.textContent())?.trim()).toBe(reply);
  });

  it("edits a key in the form: the file gets it and keeps its comments; a stale edit is refused", async () => {
    await open("config");
    await page.locator("select[name=section]").selectOption("logging");
    await page.locator('select[name="logging.level"]').selectOption("debug");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.locator(".notice", { hasText: "Saved" }).waitFor();
    const text = await readFile(gw.configPath, "utf8");
    expect(text).toMatch(/level: "debug"|"level": "debug"/);
    expect(text).toContain("// my gateway, written by hand");
    expect(text).toContain("// keep this secret");

    // someone else edits the file after the page read it: the page's next save is refused
    await page.locator('select[name="logging.level"]').waitFor();
    await writeFile(gw.configPath, `${await readFile(gw.configPath, "utf8")}\n// edited elsewhere\n`);
    await page.locator('select[name="logging.level"]').selectOption("warn");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.locator(".error", { hasText: "changed since" }).waitFor();
    const after = await readFile(gw.configPath, "utf8");
    expect(after).toContain("// edited elsewhere");
    expect(after).not.toMatch(/level: "warn"|"level": "warn"/);
    await screenshots(page, "config-stale");
  });

  it("follows the gateway log live", async () => {
    await open("logs");
    await page.locator(".logs").waitFor();
    gw.assembled.gateway.logger.info({ marker: "ui-live-1" }, "live log line from the test");
    await page.locator(".logs", { hasText: "ui-live-1" }).waitFor({ timeout: 15_000 });
    await page.locator("input[name=filter]").fill("ui-live-1");
    expect(await page.locator(".logs > div").count()).toBe(1);
  });
});
