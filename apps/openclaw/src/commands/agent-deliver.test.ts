import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type FakeOpenAIServer,
  FakeTelegramServer,
  openaiChatReply,
  startFakeOpenAI,
} from "@openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Assembled, assembleGateway } from "../gateway-assembly.js";
import { openclaw } from "./cli-test-helpers.js";

// The FAQ's bridge: `openclaw agent --message … --deliver --channel telegram --reply-to <chat-id>`
// runs a turn and sends the reply to that Telegram chat (fake Bot API and fake model on loopback).
const TOKEN = "agent-deliver-token-0123456789";
const savedEnv = { ...process.env };
let home: string;
let model: FakeOpenAIServer;
let telegram: FakeTelegramServer;
let assembled: Assembled;
let url: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-agent-deliver-"));
  const stateDir = join(home, "state");
  await mkdir(stateDir, { recursive: true });
  model = await startFakeOpenAI();
  telegram = await new FakeTelegramServer().start();
  await writeFile(
    join(stateDir, "openclaw.json"),
    JSON.stringify({
      gateway: { auth: { token: TOKEN } },
      agents: { defaults: { workspace: join(home, "workspace"), model: "fake/m" } },
      models: {
        providers: {
          fake: { baseUrl: model.baseURL, api: "openai-completions", apiKey: "sk-x", models: [{ id: "m" }] },
        },
      },
      channels: {
        telegram: { botToken: telegram.token, apiRoot: telegram.url, pollTimeoutSeconds: 1, throttle: false },
      },
    }),
  );
  assembled = await assembleGateway({
    env: { PATH: process.env.PATH ?? "", HOME: home, OPENCLAW_STATE_DIR: stateDir },
    port: 0,
    console: false,
  });
  url = (await assembled.gateway.listen()).url;
  await assembled.start();
  // channels start in the background: wait until Telegram runs
  const { GatewayClient } = await import("@openclaw/client");
  const client = new GatewayClient({ url, auth: { token: TOKEN }, reconnect: false });
  await client.connect();
  const deadline = Date.now() + 15_000;
  for (;;) {
    const status = (await client.request("channels.status", {})) as {
      channels: Record<string, { accounts: { running: boolean }[] }>;
    };
    if (status.channels.telegram?.accounts[0]?.running) break;
    if (Date.now() > deadline) throw new Error(`telegram never started: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await client.close();
  process.env.HOME = join(home, "cli");
  process.env.OPENCLAW_STATE_DIR = join(home, "cli", ".openclaw");
  delete process.env.OPENCLAW_GATEWAY_TOKEN;
});
afterAll(async () => {
  process.env = { ...savedEnv };
  await assembled?.gateway.close();
  await assembled?.close();
  await telegram?.close();
  await model?.close();
  await rm(home, { recursive: true, force: true });
});

describe("openclaw agent --deliver", () => {
  it("sends the reply to the given Telegram chat", async () => {
    model.enqueue(openaiChatReply({ text: ["Bonjour depuis le bot local"] }));
    const result = await openclaw(
      "agent",
      "--url",
      url,
      "--token",
      TOKEN,
      "--message",
      "Bonjour",
      "--deliver",
      "--channel",
      "telegram",
      "--reply-to",
      "7012345678",
    );
    expect(result.stderr).toContain("delivered to telegram:7012345678");
    expect(result.stdout).toBe("Bonjour depuis le bot local\n");
    const [sent] = await telegram.waitForSent(1);
    expect(sent).toMatchObject({ chatId: "7012345678", text: "Bonjour depuis le bot local" });
  });
});
