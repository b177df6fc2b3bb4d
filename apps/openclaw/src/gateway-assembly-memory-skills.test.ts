import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayClient } from "@openclaw/client";
import { type FakeOpenAIServer, openaiChatReply, startFakeOpenAI } from "@openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Assembled, assembleGateway } from "./gateway-assembly.js";

// Memory and skills through the assembled gateway on 127.0.0.1: doctor.memory.status,
// skills.status, skills.bins (nodes only), and memory_search inside a chat with the fake
// OpenAI server's deterministic embeddings.
const TOKEN = "memory-skills-token-0123456789";

let home: string;
let fake: FakeOpenAIServer;
let assembled: Assembled;
let client: GatewayClient;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-memory-skills-"));
  const stateDir = join(home, "state");
  const workspace = join(home, "workspace");
  await mkdir(stateDir, { recursive: true });
  await mkdir(join(workspace, "memory"), { recursive: true });
  await mkdir(join(workspace, "skills", "grocery"), { recursive: true });
  await writeFile(
    join(workspace, "memory", "pets.md"),
    "# Pets\n\nOur puppy Nori sleeps in the blue basket.\n",
  );
  await writeFile(
    join(workspace, "skills", "grocery", "SKILL.md"),
    '---\nname: grocery\ndescription: keep the grocery list\nmetadata: {"openclaw": {"requires": {"bins": ["sh"]}}}\n---\nAppend items to groceries.md.\n',
  );
  fake = await startFakeOpenAI();
  await writeFile(
    join(stateDir, "openclaw.json"),
    JSON.stringify({
      gateway: { auth: { token: TOKEN } },
      agents: {
        defaults: {
          workspace,
          model: { primary: "fake/model-a" },
          memorySearch: { provider: "openai", remote: { baseUrl: fake.baseURL, apiKey: "sk-embed" } },
        },
      },
      models: {
        providers: {
          fake: {
            baseUrl: fake.baseURL,
            api: "openai-completions",
            apiKey: "sk-chat",
            models: [{ id: "model-a" }],
          },
        },
      },
    }),
  );
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
  client?.close();
  await assembled?.gateway.close();
  await assembled?.close();
  await fake?.close();
  await rm(home, { recursive: true, force: true });
});

describe("memory and skills through the gateway", () => {
  it("doctor.memory.status reports the index and probes the embedding provider", async () => {
    const status = await client.request("doctor.memory.status", { probe: true });
    expect(status).toMatchObject({
      agentId: "main",
      provider: "openai",
      embedding: { ok: true, checked: true },
    });
    expect(status.index?.dbPath).toBe(join(home, "state", "memory", "main.sqlite"));
  });

  it("skills.status lists workspace and bundled skills in OpenClaw's shape; skills.bins is for nodes", async () => {
    const report = await client.request("skills.status", {});
    const grocery = report.skills.find((skill) => skill.name === "grocery");
    expect(grocery).toMatchObject({ source: "openclaw-workspace", eligible: true, commandVisible: true });
    expect(report.skills.some((skill) => skill.source === "openclaw-bundled")).toBe(true);
    await expect(client.request("skills.bins", {})).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("memory_search in a chat finds a note by meaning", async () => {
    fake.enqueue(
      openaiChatReply({
        toolCalls: [
          { id: "call-1", name: "memory_search", arguments: ['{"query":"where does the dog sleep"}'] },
        ],
        finishReason: "tool_calls",
      }),
      openaiChatReply({ text: ["In the blue basket."] }),
    );
    const done = new Promise<void>((resolve) => {
      const off = client.on("chat", (payload) => {
        if ((payload as { state: string }).state === "final") {
          off();
          resolve();
        }
      });
    });
    await client.request("chat.send", {
      sessionKey: "main",
      message: "where does Nori sleep?",
      idempotencyKey: "m1",
    });
    await done;
    const second = fake.requests.filter((request) => request.path === "/v1/chat/completions")[1];
    const toolMessage = ((second?.body.messages ?? []) as Array<{ role: string; content: string }>).find(
      (message) => message.role === "tool",
    );
    expect(toolMessage?.content).toContain("memory/pets.md");
    expect(toolMessage?.content).toContain("blue basket");
  });
});
