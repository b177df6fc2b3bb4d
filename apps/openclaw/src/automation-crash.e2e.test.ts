import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { GatewayClient } from "@openclaw/client";
import { FakeTelegramServer, freePort, openaiChatReply, startFakeOpenAI } from "@openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The BUILT CLI's gateway killed with SIGKILL while a cron job's reply is on its way to Telegram,
// then started again: the chat gets the reply exactly once (the send is not repeated).
const cli = path.join(import.meta.dirname, "../dist/cli.js");
const TOKEN = "automation-crash-token-0123456789";
const CHAT = "7012345678";

let home: string;
let port: number;
let telegram: FakeTelegramServer;
let openai: Awaited<ReturnType<typeof startFakeOpenAI>>;
const children: ChildProcess[] = [];

/** Start the gateway; resolves once it listens. */
function startGateway(): Promise<ChildProcess> {
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    OPENCLAW_STATE_DIR: path.join(home, "state"),
    OPENAI_API_KEY: "sk-test",
    NO_COLOR: "1",
  };
  const child = spawn(process.execPath, [cli, "gateway", "--port", String(port)], { env });
  children.push(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("OpenClaw gateway listening")) resolve(child);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`gateway exited ${code}: ${output}`)));
  });
}

async function client(): Promise<GatewayClient> {
  const connected = new GatewayClient({
    url: `ws://127.0.0.1:${port}`,
    auth: { token: TOKEN },
    reconnect: false,
  });
  await connected.connect();
  return connected;
}

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`build the CLI first: ${cli} is missing`);
  home = await mkdtemp(path.join(tmpdir(), "openclaw-cron-crash-"));
  await mkdir(path.join(home, "state"), { recursive: true });
  port = await freePort();
  telegram = await new FakeTelegramServer().start();
  openai = await startFakeOpenAI();
  await writeFile(
    path.join(home, "state", "openclaw.json"),
    JSON.stringify({
      gateway: { auth: { token: TOKEN } },
      models: {
        providers: {
          openai: {
            baseUrl: openai.baseURL,
            api: "openai-completions",
            models: [{ id: "gpt-test", name: "gpt-test" }],
          },
        },
      },
      agents: { defaults: { model: "openai/gpt-test", heartbeat: { every: "0" } } },
      channels: {
        telegram: { botToken: telegram.token, apiRoot: telegram.url, pollTimeoutSeconds: 1, throttle: false },
      },
    }),
  );
});

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await telegram?.close();
  await openai?.close();
  await rm(home, { recursive: true, force: true });
});

describe("a gateway killed during a cron job's delivery", () => {
  it("sends the reply to the chat once, not again after the restart", async () => {
    const first = await startGateway();
    openai.enqueue(openaiChatReply({ text: ["Your 10:00 meeting moved to 11:00."] }));
    // Telegram receives the message but answers only after the gateway is gone
    telegram.fault({ kind: "delay", method: "sendMessage", ms: 1_500 });
    const rpc = await client();
    const job = (await rpc.request("cron.add", {
      name: "meeting",
      schedule: { kind: "at", at: new Date(Date.now() + 500).toISOString() },
      sessionTarget: "isolated",
      wakeMode: "now",
      payload: {
        kind: "agentTurn",
        message: "Any calendar change?",
        deliver: true,
        channel: "telegram",
        to: CHAT,
      },
    })) as { id: string };
    await rpc.close().catch(() => undefined);
    await telegram.waitFor(() => telegram.calls.some((call) => call.method === "sendMessage"));
    const exited = new Promise((resolve) => first.once("exit", resolve));
    first.kill("SIGKILL");
    await exited;

    await startGateway();
    const again = await client();
    let state: { lastDeliveryStatus?: string } = {};
    for (let attempt = 0; attempt < 200 && !state.lastDeliveryStatus; attempt++) {
      const { jobs } = (await again.request("cron.list", { includeDisabled: true })) as {
        jobs: { id: string; state: { lastDeliveryStatus?: string } }[];
      };
      state = jobs.find((entry) => entry.id === job.id)?.state ?? {};
      if (!state.lastDeliveryStatus) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await again.close().catch(() => undefined);
    expect(state.lastDeliveryStatus).toBe("unknown");
    // Telegram got the message once (before the crash); the restarted gateway did not send it again
    const sends = telegram.calls.filter((call) => call.method === "sendMessage");
    expect(sends).toHaveLength(1);
    expect(sends[0]!.params).toMatchObject({ chat_id: CHAT, text: "Your 10:00 meeting moved to 11:00." });
    expect(openai.requests).toHaveLength(1);
  }, 20_000);
});
