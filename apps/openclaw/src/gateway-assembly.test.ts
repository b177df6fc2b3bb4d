import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import vm from "node:vm";
import { GatewayClient } from "@openclaw/client";
import { openaiChatReply, startFakeOpenAI } from "@openclaw/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { type Assembled, assembleGateway } from "./gateway-assembly.js";

// The real assembly (core's config store + core's assistant + the OpenAI provider package)
// against the fake OpenAI server, driven through the gateway with @openclaw/client.
let assembled: Assembled | undefined;
let cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  await assembled?.gateway.close();
  await assembled?.close();
  assembled = undefined;
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function setup(config: Record<string, unknown>, extraEnv: Record<string, string> = {}) {
  const home = await mkdtemp(join(tmpdir(), "openclaw-assembly-"));
  cleanup.push(() => rm(home, { recursive: true, force: true }));
  const stateDir = join(home, "state");
  const env = { PATH: process.env.PATH ?? "", HOME: home, OPENCLAW_STATE_DIR: stateDir, ...extraEnv };
  const { mkdir } = await import("node:fs/promises");
  await mkdir(stateDir, { recursive: true });
  await writeFile(join(stateDir, "openclaw.json"), JSON.stringify(config));
  assembled = await assembleGateway({ env, port: 0, console: false });
  const address = await assembled.gateway.listen();
  const client = new GatewayClient({
    url: address.url,
    auth: { token: "assembly-token-0123456789" },
    reconnect: false,
  });
  cleanup.push(() => client.close());
  await client.connect();
  return client;
}

function finalText(client: GatewayClient, sessionKey: string): Promise<string> {
  return new Promise((resolve) => {
    client.on("chat", (payload) => {
      const event = payload as {
        sessionKey: string;
        state: string;
        message?: { content?: { text?: string }[] };
        errorMessage?: string;
      };
      if (event.sessionKey !== sessionKey) return;
      if (event.state === "final")
        resolve(event.message?.content?.map((part) => part.text ?? "").join("") ?? "");
      if (event.state === "error") resolve(`error: ${event.errorMessage}`);
    });
  });
}

describe("gateway assembly", () => {
  it("with no provider, a chat gets a reply naming the missing provider and the command", async () => {
    const client = await setup({ gateway: { auth: { token: "assembly-token-0123456789" } } });
    expect(assembled!.provider).toBeUndefined();
    const reply = finalText(client, "agent:main:main");
    await client.request("chat.send", { sessionKey: "agent:main:main", message: "hello" });
    expect(await reply).toMatch(
      /No model provider is configured.*openclaw models auth paste-token --provider anthropic/s,
    );
  });

  it("with an OpenAI-compatible provider, chat.send streams the model's reply from core's assistant", async () => {
    const fake = await startFakeOpenAI();
    cleanup.push(() => fake.close());
    fake.enqueue(openaiChatReply({ text: ["Hello ", "from the model"] }));
    const client = await setup(
      {
        gateway: { auth: { token: "assembly-token-0123456789" } },
        models: {
          providers: {
            openai: {
              baseUrl: fake.baseURL,
              api: "openai-completions",
              models: [{ id: "gpt-test", name: "gpt-test" }],
            },
          },
        },
        agents: { defaults: { model: "openai/gpt-test" } },
      },
      { OPENAI_API_KEY: "sk-test" },
    );
    expect(assembled!.provider).toBe("openai");
    const reply = finalText(client, "agent:main:main");
    await client.request("chat.send", { sessionKey: "agent:main:main", message: "hi" });
    expect(await reply).toBe("Hello from the model");
    const history = (await client.request("chat.history", { sessionKey: "agent:main:main" })) as {
      messages: unknown[];
    };
    expect(history.messages.length).toBeGreaterThanOrEqual(2);
  });

  it("POST /hooks/wake with a provider: now runs a turn in the main session; next-heartbeat reaches its next turn", async () => {
    const fake = await startFakeOpenAI();
    cleanup.push(() => fake.close());
    fake.enqueue(openaiChatReply({ text: ["Noted: Bob wrote."] }));
    const client = await setup(
      {
        gateway: { auth: { token: "assembly-token-0123456789" } },
        hooks: { enabled: true, token: "hooks-token-abcdef123456" },
        models: {
          providers: {
            openai: {
              baseUrl: fake.baseURL,
              api: "openai-completions",
              models: [{ id: "gpt-test", name: "gpt-test" }],
            },
          },
        },
        agents: { defaults: { model: "openai/gpt-test" } },
      },
      { OPENAI_API_KEY: "sk-test" },
    );
    const base = assembled!.gateway.address!.httpUrl.replace(/\/$/, "");
    const reply = finalText(client, "agent:main:main");
    const wake = await fetch(`${base}/hooks/wake`, {
      method: "POST",
      headers: { authorization: "Bearer hooks-token-abcdef123456" },
      body: JSON.stringify({ text: "new mail from Bob", mode: "now" }),
    });
    expect(wake.status).toBe(200);
    expect(await wake.json()).toMatchObject({ ok: true, mode: "now", sessionKey: "agent:main:main" });
    expect(await reply).toBe("Noted: Bob wrote.");
    // a wake `now` queues the event and runs a heartbeat for it at once (OpenClaw's semantics)
    const woke = JSON.stringify(fake.requests[0]!.body.messages.at(-1));
    expect(woke).toContain("System: new mail from Bob");
    expect(woke).toContain("HEARTBEAT_OK");

    const later = await fetch(`${base}/hooks/wake`, {
      method: "POST",
      headers: { authorization: "Bearer hooks-token-abcdef123456" },
      body: JSON.stringify({ text: "later", mode: "next-heartbeat" }),
    });
    expect(later.status).toBe(200);
    expect(await later.json()).toMatchObject({ ok: true, mode: "next-heartbeat", queued: 1 });
    expect(fake.requests).toHaveLength(1); // queued, no run
    fake.enqueue(openaiChatReply({ text: ["Will do."] }));
    const next = finalText(client, "agent:main:main");
    await client.request("chat.send", { sessionKey: "agent:main:main", message: "anything new?" });
    expect(await next).toBe("Will do.");
    const sent = JSON.stringify(fake.requests[1]!.body.messages.at(-1));
    expect(sent).toContain("System: later");
    expect(sent).toContain("anything new?");
    // delivered once
    fake.enqueue(openaiChatReply({ text: ["Ok."] }));
    const third = finalText(client, "agent:main:main");
    await client.request("chat.send", { sessionKey: "agent:main:main", message: "thanks" });
    await third;
    expect(JSON.stringify(fake.requests[2]!.body.messages.at(-1))).not.toContain("System: later");
  });

  it("the built-in WebChat page at /chat chats with core's assistant (same-origin browser socket)", async () => {
    const fake = await startFakeOpenAI();
    cleanup.push(() => fake.close());
    fake.enqueue(openaiChatReply({ text: ["Hi from ", "the browser chat"] }));
    await setup(
      {
        gateway: { auth: { token: "assembly-token-0123456789" } },
        models: {
          providers: {
            openai: {
              baseUrl: fake.baseURL,
              api: "openai-completions",
              models: [{ id: "gpt-test", name: "gpt-test" }],
            },
          },
        },
        agents: { defaults: { model: "openai/gpt-test" } },
      },
      { OPENAI_API_KEY: "sk-test" },
    );
    const address = assembled!.gateway.address!;
    const origin = address.httpUrl.replace(/\/$/, "");
    const page = await fetch(`${origin}/chat`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/chat/webchat.js"></script>');
    const source = await (await fetch(`${origin}/chat/webchat.js`)).text();
    const storage = new Map<string, string>();
    // Node's WebSocket (undici) with the Origin header a browser page on the gateway would send
    class BrowserWebSocket extends WebSocket {
      constructor(url: string) {
        super(url, { headers: { origin } } as unknown as string[]);
      }
    }
    const context = vm.createContext({
      WebSocket: BrowserWebSocket,
      crypto,
      URLSearchParams,
      localStorage: {
        getItem: (key: string) => storage.get(key) ?? null,
        setItem: (key: string, value: string) => storage.set(key, value),
      },
    });
    vm.runInContext(source, context);
    const chat = (await context.OpenClawWebChat.connect({
      url: address.url,
      token: "assembly-token-0123456789",
    })) as {
      sessionKey: string;
      onEvent(listener: (event: { type: string; text?: string }) => void): void;
      send(text: string): Promise<unknown>;
      history(): Promise<{ role: string; text: string }[]>;
      close(): void;
    };
    cleanup.push(async () => chat.close());
    const final = new Promise<string | undefined>((resolve) =>
      chat.onEvent((event) => {
        if (event.type === "final" || event.type === "error") resolve(event.text);
      }),
    );
    await chat.send("hello?");
    expect(await final).toBe("Hi from the browser chat");
    expect(await chat.history()).toEqual([
      { role: "user", text: "hello?" },
      { role: "assistant", text: "Hi from the browser chat" },
    ]);
  });
});
