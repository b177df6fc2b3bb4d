import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayClient } from "@openclaw/client";
import { type FakeOpenAIServer, openaiChatReply, startFakeOpenAI } from "@openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Assembled, assembleGateway } from "./gateway-assembly.js";

// A hot-applicable edit (agents.*) must reach the running assistant: the user switches the
// default model in openclaw.json and the very next chat uses it, with no gateway restart.
const TOKEN = "hot-reload-token-0123456789";

let home: string;
let stateDir: string;
let fake: FakeOpenAIServer;
let assembled: Assembled;
let client: GatewayClient;

function configWithPrimary(model: string): string {
  return JSON.stringify(
    {
      gateway: { auth: { token: TOKEN } },
      agents: { defaults: { workspace: join(home, "workspace"), model: { primary: model } } },
      models: {
        providers: {
          fake: {
            baseUrl: fake.baseURL,
            api: "openai-completions",
            apiKey: "sk-hot",
            models: [
              { id: "model-a", name: "model-a", contextWindow: 128000 },
              { id: "model-b", name: "model-b", contextWindow: 128000 },
            ],
          },
        },
      },
    },
    null,
    2,
  );
}

/** The model id the fake OpenAI server was last asked for. */
function lastRequestedModel(): string | undefined {
  const last = fake.requests.at(-1);
  return (last?.body as { model?: string } | undefined)?.model;
}

async function chat(text: string): Promise<{ state: string; errorMessage?: string }> {
  const done = new Promise<{ state: string; errorMessage?: string }>((resolve) => {
    const off = client.on("chat", (payload) => {
      const event = payload as { state: string; errorMessage?: string };
      if (event.state === "final" || event.state === "error") {
        off();
        resolve(event);
      }
    });
  });
  await client.request("chat.send", { sessionKey: "main", message: text, idempotencyKey: text });
  return done;
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-hot-reload-"));
  stateDir = join(home, "state");
  await mkdir(stateDir, { recursive: true });
  await mkdir(join(home, "workspace"), { recursive: true });
  fake = await startFakeOpenAI();
  await writeFile(join(stateDir, "openclaw.json"), configWithPrimary("fake/model-a"));
  assembled = await assembleGateway({
    env: { PATH: process.env.PATH ?? "", HOME: home, OPENCLAW_STATE_DIR: stateDir },
    port: 0,
    console: false,
  });
  const address = await assembled.gateway.listen();
  client = new GatewayClient({ url: address.url, auth: { token: TOKEN }, reconnect: false });
  await client.connect();
});

afterAll(async () => {
  await client?.close();
  await assembled?.gateway.close();
  await assembled?.close();
  await fake?.close();
  await rm(home, { recursive: true, force: true });
});

describe("config hot reload reaches the running assistant", () => {
  it("switching agents.defaults.model.primary in the file changes the model of the next chat", async () => {
    fake.enqueue(openaiChatReply({ text: ["first answer"] }));
    expect((await chat("before the edit")).state).toBe("final");
    expect(lastRequestedModel()).toBe("model-a");

    const applied = new Promise<void>((resolve) => {
      const off = assembled.onConfigChange((config) => {
        const model = (config.agents as { defaults?: { model?: { primary?: string } } }).defaults?.model;
        if (model?.primary === "fake/model-b") {
          off();
          resolve();
        }
      });
    });
    await writeFile(join(stateDir, "openclaw.json"), configWithPrimary("fake/model-b"));
    await applied;

    fake.enqueue(openaiChatReply({ text: ["second answer"] }));
    const second = await chat("after the edit");
    expect(second.errorMessage).toBeUndefined();
    expect(second.state).toBe("final");
    expect(lastRequestedModel()).toBe("model-b");
  });
});
