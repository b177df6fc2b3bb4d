import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeOpenAIServer, openaiChatReply, startFakeOpenAI } from "@openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Assembled, assembleGateway } from "../gateway-assembly.js";
import { openclaw } from "./cli-test-helpers.js";

// `openclaw agent` through a running gateway (the real assembly, a fake OpenAI-compatible model):
// the CLI waits for `agent`'s final answer and prints its reply.
const TOKEN = "agent-cli-token-0123456789";
const savedEnv = { ...process.env };
let home: string;
let fake: FakeOpenAIServer;
let assembled: Assembled;
let url: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-agent-cli-"));
  const stateDir = join(home, "state");
  await mkdir(stateDir, { recursive: true });
  fake = await startFakeOpenAI();
  await writeFile(
    join(stateDir, "openclaw.json"),
    JSON.stringify({
      gateway: { auth: { token: TOKEN } },
      agents: {
        defaults: {
          workspace: join(home, "workspace"),
          model: "fake/first",
          models: { "fake/first": {}, "fake/second": { alias: "second" } },
        },
      },
      models: {
        providers: {
          fake: {
            baseUrl: fake.baseURL,
            api: "openai-completions",
            apiKey: "sk-agent-cli",
            models: [{ id: "first" }, { id: "second" }],
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
  url = (await assembled.gateway.listen()).url;
  // the CLI's own state stays apart from the gateway's
  process.env.HOME = join(home, "cli");
  process.env.OPENCLAW_STATE_DIR = join(home, "cli", ".openclaw");
  delete process.env.OPENCLAW_GATEWAY_TOKEN;
});
afterAll(async () => {
  process.env = { ...savedEnv };
  await assembled?.gateway.close();
  await assembled?.close();
  await fake?.close();
  await rm(home, { recursive: true, force: true });
});

const agent = (...args: string[]) => openclaw("agent", "--url", url, "--token", TOKEN, ...args);

describe("openclaw agent through the gateway", () => {
  it("prints the reply of agent's final answer", async () => {
    fake.enqueue(openaiChatReply({ text: ["Hello ", "over the wire."] }));
    const result = await agent("--message", "hi");
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("Hello over the wire.\n");
    expect(result.code).toBe(0);
  });

  it("--model works without --local: this turn goes to that model", async () => {
    fake.enqueue(openaiChatReply({ text: ["from the second model"] }));
    const result = await agent("--message", "which model?", "--model", "fake/second", "--json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: "ok", text: "from the second model" });
    expect(fake.requests.at(-1)?.body.model).toBe("second");
  });

  it("/status answers with the status, not the previous reply", async () => {
    const result = await agent("--message", "/status");
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("from the second model");
    expect(result.stdout.trim().length).toBeGreaterThan(0);
  });

  it("chat commands answer visibly: /status's reply is the chat final event of its run", async () => {
    const { GatewayClient } = await import("@openclaw/client");
    const client = new GatewayClient({ url, auth: { token: TOKEN }, reconnect: false });
    await client.connect();
    try {
      const final = new Promise<{ runId?: string; message?: { content?: { text?: string }[] } }>((resolve) =>
        client.on("chat", (raw) => {
          const payload = raw as { runId?: string; state?: string };
          if (payload.runId === "webchat-status-1" && payload.state === "final") resolve(payload);
        }),
      );
      await client.request("chat.send", {
        sessionKey: "agent:main:webchat",
        message: "/status",
        idempotencyKey: "webchat-status-1",
      });
      const text = (await final).message?.content?.[0]?.text ?? "";
      expect(text).toMatch(/model/i);
    } finally {
      await client.close();
    }
  });

  it("--attach puts a text file into the message; a binary that is not an image is refused", async () => {
    const notes = join(home, "notes.txt");
    await writeFile(notes, "buy oat milk\n");
    fake.enqueue(openaiChatReply({ text: ["Noted."] }));
    const result = await agent("--message", "read this", "--attach", notes);
    expect(result.stdout).toBe("Noted.\n");
    expect(JSON.stringify(fake.requests.at(-1)?.body.messages)).toContain("buy oat milk");
    const archive = join(home, "notes.zip");
    await writeFile(archive, Buffer.from([0x50, 0x4b, 3, 4, 0, 0]));
    const refused = await agent("--message", "look", "--attach", archive);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/neither a text file nor an image \(png, jpeg, gif, webp\)/);
  });

  it("--deliver without a chat to deliver to says which flags to give", async () => {
    fake.enqueue(openaiChatReply({ text: ["to deliver"] }));
    const result = await agent(
      "--message",
      "send it",
      "--session-key",
      "agent:main:cli-deliver",
      "--deliver",
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/has no last chat; give --channel <id> --reply-to <target>/);
  });

  it("--deliver --channel --reply-to sends the reply through the gateway's send", async () => {
    fake.enqueue(openaiChatReply({ text: ["bonjour"] }));
    const result = await agent(
      "--message",
      "hi",
      "--deliver",
      "--channel",
      "telegram",
      "--reply-to",
      "12345",
    );
    // no Telegram account is configured here: the send is attempted and its refusal reported
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/send failed/);
  });
});
