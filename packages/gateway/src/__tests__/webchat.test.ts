import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { WEBCHAT_HTML, WEBCHAT_JS } from "../index.js";
import { type Started, startGateway, TOKEN } from "./helpers.js";

// The built-in WebChat page served by the gateway's own HTTP router, and a chat through it the way
// a browser does it: the page's script, a WebSocket that sends the page's Origin.
let gw: Started;
let base: string;
beforeAll(async () => {
  gw = await startGateway();
  base = gw.address.httpUrl.replace(/\/$/, "");
});
afterAll(async () => {
  await gw.stop();
});

interface WebChatClient {
  sessionKey: string;
  onEvent(listener: (event: { type: string; runId?: string; text?: string }) => void): void;
  send(text: string): Promise<{ runId: string; status: string }>;
  history(): Promise<{ role: string; text: string }[]>;
  close(): void;
}

/** Run the served script in a sandbox whose WebSocket sends `origin` like a browser page would. */
async function loadPageScript(origin: string) {
  const source = await (await fetch(`${base}/chat/webchat.js`)).text();
  const storage = new Map<string, string>();
  class BrowserWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, { origin });
    }
  }
  const context = vm.createContext({
    WebSocket: BrowserWebSocket,
    crypto,
    URLSearchParams,
    console,
    localStorage: {
      getItem: (key: string) => storage.get(key) ?? null,
      setItem: (key: string, value: string) => storage.set(key, value),
    },
  });
  vm.runInContext(source, context);
  return context.OpenClawWebChat as {
    connect(options: { url: string; token?: string }): Promise<WebChatClient>;
  };
}

describe("WebChat on the gateway port", () => {
  it("GET /chat serves the page and /chat/webchat.js its script, with the security headers", async () => {
    const page = await fetch(`${base}/chat`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(await page.text()).toBe(WEBCHAT_HTML);

    const script = await fetch(`${base}/chat/webchat.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect(script.headers.get("x-frame-options")).toBe("DENY");
    expect(await script.text()).toBe(WEBCHAT_JS);

    const head = await fetch(`${base}/chat`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("the placeholder at / links to the chat page; unknown /chat paths and writes are refused", async () => {
    expect(await (await fetch(`${base}/`)).text()).toContain('href="/chat"');
    expect((await fetch(`${base}/chat/missing.js`)).status).toBe(404);
    const post = await fetch(`${base}/chat`, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
  });

  it("the page's script chats through chat.send / chat.history with a same-origin WebSocket", async () => {
    const webchat = await loadPageScript(base);
    const chat = await webchat.connect({ url: gw.address.url, token: TOKEN });
    try {
      expect(chat.sessionKey).toMatch(/^webchat:[0-9a-f]{24}$/);
      const seen: string[] = [];
      const final = new Promise<{ text?: string }>((resolve) =>
        chat.onEvent((event) => {
          seen.push(event.type);
          if (event.type === "final") resolve(event);
        }),
      );
      const accepted = await chat.send("hello from the browser");
      expect(accepted.status).toBe("started");
      expect((await final).text).toBe("echo: hello from the browser");
      expect(seen).toContain("delta");
      expect(await chat.history()).toEqual([
        { role: "user", text: "hello from the browser" },
        { role: "assistant", text: "echo: hello from the browser" },
      ]);
      // the session the page created is listed under its canonical key
      const listed = await gw.gateway.call("sessions.list", {});
      const keys = listed.sessions.map((row) => row.key);
      expect(keys).toContain(`agent:main:${chat.sessionKey}`);
    } finally {
      chat.close();
    }
  });

  it("a page from another origin cannot use the gateway's WebSocket", async () => {
    const webchat = await loadPageScript("https://evil.example");
    await expect(webchat.connect({ url: gw.address.url, token: TOKEN })).rejects.toThrow(
      /origin not allowed/,
    );
  });

  it("a wrong token is refused with an unauthorized message", async () => {
    const webchat = await loadPageScript(base);
    await expect(webchat.connect({ url: gw.address.url, token: "wrong-token" })).rejects.toThrow(
      /unauthorized/,
    );
  });
});
