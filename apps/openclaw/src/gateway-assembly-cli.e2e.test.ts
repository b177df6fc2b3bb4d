import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayClient } from "@openclaw/client";
import { FakeTelegramServer, freePort, telegramUpdate } from "@openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The BUILT CLI (`pnpm turbo run build --filter=@openclaw/cli...`) starting a gateway with no
// config and no API key, then chatting with it: through `openclaw agent` and through
// @openclaw/client's chat.send / chat.history.
const cli = join(import.meta.dirname, "../dist/cli.js");
const FIX_COMMAND = "openclaw models auth paste-token --provider anthropic";

let home: string;
let env: NodeJS.ProcessEnv;
let port: number;
let gateway: ChildProcess;
let output = "";

function openclaw(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env, timeout: 15_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`build the CLI first: ${cli} is missing`);
  home = await mkdtemp(join(tmpdir(), "openclaw-unconfigured-"));
  port = await freePort();
  // no OPENCLAW_STATE_DIR / config path: the default ~/.openclaw under a fresh HOME, no API keys
  env = { PATH: process.env.PATH, HOME: home, NO_COLOR: "1" };
  gateway = spawn(process.execPath, [cli, "gateway", "--port", String(port)], { env });
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/No model provider configured yet/.test(output)) resolve();
    };
    gateway.stdout?.on("data", onData);
    gateway.stderr?.on("data", onData);
    gateway.once("exit", (code) => reject(new Error(`gateway exited ${code}: ${output}`)));
  });
});

afterAll(async () => {
  if (gateway && gateway.exitCode === null) {
    const exited = new Promise((resolve) => gateway.once("exit", resolve));
    gateway.kill("SIGTERM");
    await exited;
  }
  await rm(home, { recursive: true, force: true });
});

describe("a gateway with no config and no API key", () => {
  it("`openclaw agent --message` prints the missing-provider reply with the fix command", async () => {
    const result = await openclaw(["agent", "--message", "hello"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("No model provider is configured");
    expect(result.stdout).toContain(FIX_COMMAND);
  });

  it("`openclaw agent --message --json` carries the reply text and the canonical session key", async () => {
    const result = await openclaw(["agent", "--message", "hello again", "--json"]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { status: string; sessionKey: string; text: string };
    expect(json.status).toBe("ok");
    expect(json.sessionKey).toBe("agent:main:main");
    expect(json.text).toContain(FIX_COMMAND);
  });

  it("a short or mixed-case `--session-id` key is canonicalized like the gateway does", async () => {
    const result = await openclaw(["agent", "--message", "hi", "--session-id", "agent:Ops:Main", "--json"]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { sessionKey: string; text: string };
    expect(json.sessionKey).toBe("agent:ops:main");
    expect(json.text).toContain(FIX_COMMAND);
  });

  it("chat.send + chat.history through @openclaw/client: short and canonical keys are one session", async () => {
    const config = await readFile(join(home, ".openclaw", "openclaw.json"), "utf8");
    const token = /"?token"?\s*:\s*"([^"]+)"/.exec(config)?.[1];
    expect(token).toBeTruthy();
    const client = new GatewayClient({
      url: `ws://127.0.0.1:${port}`,
      auth: { token: token! },
      reconnect: false,
    });
    try {
      await client.connect();
      const deltas: string[] = [];
      const final = new Promise<{ sessionKey: string; text: string }>((resolve) => {
        client.on("chat", (payload) => {
          const event = payload as {
            sessionKey: string;
            state: string;
            deltaText?: string;
            message?: { content?: { text?: string }[] };
          };
          if (event.state === "delta" && event.deltaText) deltas.push(event.deltaText);
          if (event.state === "final")
            resolve({
              sessionKey: event.sessionKey,
              text: event.message?.content?.map((part) => part.text ?? "").join("") ?? "",
            });
        });
      });
      const accepted = (await client.request("chat.send", {
        sessionKey: "main",
        message: "are you there?",
      })) as { status: string; runId: string };
      expect(accepted.status).toBe("started");
      const done = await final;
      expect(done.sessionKey).toBe("agent:main:main");
      expect(done.text).toContain(FIX_COMMAND);
      expect(deltas.join("")).toBe(done.text);

      // the agent runs above and this chat are one conversation, whichever spelling is used
      const short = (await client.request("chat.history", { sessionKey: "main" })) as {
        sessionKey: string;
        messages: { role: string; content: { text: string }[] }[];
      };
      const canonical = (await client.request("chat.history", { sessionKey: "agent:main:main" })) as {
        messages: unknown[];
      };
      expect(short.sessionKey).toBe("agent:main:main");
      expect(canonical.messages).toEqual(short.messages);
      const users = short.messages.filter((m) => m.role === "user").map((m) => m.content[0]!.text);
      expect(users).toEqual(["hello", "hello again", "are you there?"]);
      const last = short.messages.at(-1)!;
      expect(last.role).toBe("assistant");
      expect(last.content[0]!.text).toContain(FIX_COMMAND);
    } finally {
      await client.close();
    }
  });

  it("adding Telegram to the config file starts the channel live: no gateway restart, DMs answered", async () => {
    const configPath = join(home, ".openclaw", "openclaw.json");
    const token = /"?token"?\s*:\s*"([^"]+)"/.exec(await readFile(configPath, "utf8"))?.[1];
    const fake = await new FakeTelegramServer().start();
    const client = new GatewayClient({
      url: `ws://127.0.0.1:${port}`,
      auth: { token: token! },
      reconnect: false,
    });
    const shutdowns: unknown[] = [];
    client.on("shutdown", (payload) => shutdowns.push(payload));
    try {
      await client.connect();
      const config = {
        gateway: { auth: { token } },
        channels: {
          telegram: {
            botToken: fake.token,
            apiRoot: fake.url,
            pollTimeoutSeconds: 1,
            throttle: false,
            allowFrom: ["7012345678"],
          },
        },
      };
      await writeFile(configPath, JSON.stringify(config, null, 2));
      // the channel comes up from the edit alone, and answers a DM
      fake.inject(telegramUpdate("privateText"));
      const [reply] = await fake.waitForSent(1);
      expect(reply!.chatId).toBe("7012345678");
      expect(reply!.text).toContain("No model provider is configured");
      // same process, same connection: no restart happened
      expect(shutdowns).toEqual([]);
      expect(gateway.exitCode).toBeNull();
      const status = (await client.request("channels.status", {})) as {
        channels: Record<string, { accounts: { running: boolean }[] }>;
      };
      expect(status.channels.telegram?.accounts[0]?.running).toBe(true);
    } finally {
      await client.close();
      await fake.close();
    }
  });
});
