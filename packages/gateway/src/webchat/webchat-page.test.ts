import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import vm from "node:vm";
import { afterEach, beforeEach, expect, it } from "vitest";
import { testConfigStore } from "../__tests__/helpers.js";
import { createGateway, createMemoryAssistant, type Gateway } from "../index.js";
import { handleWebChatRequest, WEBCHAT_HTML, WEBCHAT_JS } from "./webchat-page.js";

const TOKEN = "webchat-test-token-0123456789";
let dir: string;
let gateway: Gateway | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "openclaw-webchat-"));
});
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  await rm(dir, { recursive: true, force: true });
});

interface WebChatClient {
  sessionKey: string;
  onEvent(listener: (event: { type: string; runId?: string; text?: string }) => void): void;
  send(text: string): Promise<unknown>;
  history(): Promise<{ role: string; text: string }[]>;
  close(): void;
}

function loadClient() {
  const storage = new Map<string, string>();
  const context = vm.createContext({
    WebSocket,
    crypto,
    URLSearchParams,
    console,
    localStorage: {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => storage.set(k, v),
    },
  });
  vm.runInContext(WEBCHAT_JS, context);
  return context.OpenClawWebChat as {
    connect(options: { url: string; token?: string }): Promise<WebChatClient>;
  };
}

it("the page script chats with the agent through the real gateway: history, send, streamed reply", async () => {
  const configPath = join(dir, "openclaw.json");
  await writeFile(configPath, JSON.stringify({ gateway: { auth: { mode: "token", token: TOKEN } } }));
  gateway = createGateway({
    config: testConfigStore(configPath),
    stateDir: dir,
    port: 0,
    assistant: createMemoryAssistant({ reply: (message) => `echo: ${message}`, chunks: 2 }),
    logFile: join(dir, "gateway.log"),
    version: "test",
  });
  const address = await gateway.listen();
  const url = `ws://127.0.0.1:${address.port}`;
  const client = loadClient();

  await expect(client.connect({ url, token: "wrong" })).rejects.toThrow(/unauthorized/);
  const chat = await client.connect({ url, token: TOKEN });
  expect(chat.sessionKey).toMatch(/^webchat:[0-9a-f]{24}$/);
  const final = new Promise<{ text?: string }>((resolve) =>
    chat.onEvent((e) => e.type === "final" && resolve(e)),
  );
  await chat.send("bonjour");
  expect((await final).text).toBe("echo: bonjour");
  const history = await chat.history();
  expect(history.map((m) => m.text)).toEqual(["bonjour", "echo: bonjour"]);
  chat.close();
});

it("serves /chat and /chat/webchat.js with a strict CSP and leaves other paths to the router", async () => {
  const server = createServer((req, res) => {
    if (!handleWebChatRequest(req, res)) res.writeHead(404).end("router");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const page = await fetch(`${base}/chat`);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toBe(WEBCHAT_HTML);
    expect(html).toContain('<script src="/chat/webchat.js"></script>');
    expect(html).not.toMatch(/<script>(?!<)/);
    const script = await fetch(`${base}/chat/webchat.js`);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    const source = await script.text();
    expect(() => new vm.Script(source)).not.toThrow();
    expect((await fetch(`${base}/other`)).status).toBe(404);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
