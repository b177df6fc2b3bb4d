import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
});
