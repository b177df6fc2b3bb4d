import { readFileSync, statSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { GatewayClient } from "@openclaw/client";
import { type FakeOpenAIServer, openaiChatReply, startFakeOpenAI } from "@openclaw/testkit";
import JSON5 from "json5";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assembleGateway } from "../gateway-assembly.js";
import { openclaw, useTempState } from "./cli-test-helpers.js";

// `openclaw onboard --non-interactive` and `openclaw setup` in-process, against a temp state dir.
const savedEnv = { ...process.env };
let state = "";
let root = "";
let fake: FakeOpenAIServer;

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => {
  ({ root, state } = useTempState("openclaw-onboard-"));
  delete process.env.ANTHROPIC_API_KEY;
  delete process.env.OPENAI_API_KEY;
});
afterEach(() => {
  process.env = { ...savedEnv };
});

describe("openclaw onboard --non-interactive", () => {
  it("from an empty state dir writes a config on which the gateway starts and answers a chat through the model", async () => {
    const result = await openclaw(
      "onboard",
      "--non-interactive",
      "--accept-risk",
      "--mode",
      "local",
      "--auth-choice",
      "custom-api-key",
      "--custom-base-url",
      fake.baseURL,
      "--custom-model-id",
      "gpt-test",
      "--custom-api-key",
      "sk-onboard",
      "--gateway-port",
      "28789",
      "--gateway-bind",
      "loopback",
      "--gateway-auth",
      "token",
      "--skip-channels",
      "--skip-health",
      "--json",
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      model: string;
      workspace: string;
      dashboardUrl: string;
    };
    expect(report).toMatchObject({ ok: true, model: "custom/gpt-test", workspace: join(state, "workspace") });
    const config = JSON5.parse(readFileSync(join(state, "openclaw.json"), "utf8"));
    expect(config.gateway).toMatchObject({
      mode: "local",
      port: 28789,
      bind: "loopback",
      auth: { mode: "token" },
    });
    const token = config.gateway.auth.token as string;
    expect(token).toMatch(/^[0-9a-f]{48}$/);
    // printed output never carries the token (`openclaw dashboard` opens the browser signed in)
    expect(report.dashboardUrl).toBe("http://127.0.0.1:28789/");
    expect(result.stdout).not.toContain(token);
    expect(await readdir(join(state, "workspace"))).toEqual(expect.arrayContaining(["AGENTS.md", "SOUL.md"]));

    // the gateway starts on that config and answers through the model
    fake.enqueue(openaiChatReply({ text: ["Hi, I am ", "set up."] }));
    const assembled = await assembleGateway({
      env: { PATH: process.env.PATH ?? "", HOME: root, OPENCLAW_STATE_DIR: state },
      port: 0,
      console: false,
    });
    const address = await assembled.gateway.listen();
    const client = new GatewayClient({ url: address.url, auth: { token }, reconnect: false });
    try {
      await client.connect();
      const final = new Promise<string>((resolve) => {
        client.on("chat", (event) => {
          if (event.state === "final")
            resolve(JSON.stringify((event as { message?: unknown }).message ?? ""));
        });
      });
      await client.request("chat.send", { sessionKey: "main", message: "hello" });
      expect(await final).toContain("Hi, I am set up.");
      expect(fake.requests.at(-1)?.headers.authorization).toBe("Bearer sk-onboard");
    } finally {
      await client.close();
      await assembled.gateway.close();
      await assembled.close();
    }
  });

  it("stores an API key in the agent's auth profiles (0600) and names it in the config", async () => {
    const result = await openclaw(
      "onboard",
      "--non-interactive",
      "--accept-risk",
      "--anthropic-api-key",
      "sk-ant-api03-test",
      "--skip-health",
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Model: anthropic/");
    const config = JSON5.parse(readFileSync(join(state, "openclaw.json"), "utf8"));
    expect(config.auth.profiles["anthropic:default"]).toEqual({ provider: "anthropic", mode: "api_key" });
    expect(JSON.stringify(config)).not.toContain("sk-ant-api03-test");
    const profiles = join(state, "agents", "main", "agent", "auth-profiles.json");
    expect(readFileSync(profiles, "utf8")).toContain("sk-ant-api03-test");
    expect(statSync(profiles).mode & 0o777).toBe(0o600);
  });

  it("edits an existing config key by key: comments, other keys and the gateway token stay", async () => {
    const path = join(state, "openclaw.json");
    writeFileSync(
      path,
      `// my notes about this gateway\n{\n  gateway: { auth: { mode: "token", token: "kept-token-0123456789" } }, // do not lose\n  logging: { level: "debug" },\n}\n`,
    );
    const result = await openclaw(
      "onboard",
      "--non-interactive",
      "--accept-risk",
      "--auth-choice",
      "skip",
      "--gateway-port",
      "19999",
      "--skip-health",
    );
    expect(result.code).toBe(0);
    const text = readFileSync(path, "utf8");
    expect(text).toContain("// my notes about this gateway");
    expect(text).toContain("// do not lose");
    const config = JSON5.parse(text);
    expect(config.gateway.auth.token).toBe("kept-token-0123456789");
    expect(config.gateway.port).toBe(19999);
    expect(config.logging.level).toBe("debug");
  });

  it("refuses bad input with the flag to fix, and writes nothing", async () => {
    const cases: [string[], RegExp][] = [
      [[], /needs --accept-risk/],
      [["--accept-risk", "--auth-choice", "anthropic-api-key"], /needs --anthropic-api-key <key>/],
      [["--accept-risk", "--gateway-bind", "everywhere"], /--gateway-bind must be one of loopback, lan/],
      [["--accept-risk", "--gateway-port", "99999"], /--gateway-port must be a port number/],
      [["--accept-risk", "--mode", "remote"], /--mode remote needs --remote-url/],
    ];
    for (const [flags, message] of cases) {
      const result = await openclaw("onboard", "--non-interactive", ...flags);
      expect(result.code, flags.join(" ")).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(await readdir(state)).toEqual([]);
  });

  it("without a terminal and without --non-interactive says how to run it", async () => {
    const result = await openclaw("onboard");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--non-interactive --accept-risk");
  });
});

describe("openclaw setup", () => {
  it("writes the workspace templates once and records the workspace in the config", async () => {
    const workspace = join(root, "ws");
    const first = await openclaw("setup", "--workspace", workspace);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("AGENTS.md");
    writeFileSync(join(workspace, "AGENTS.md"), "mine\n");
    const second = await openclaw("setup", "--workspace", workspace);
    expect(second.stdout).toContain("already set up");
    expect(readFileSync(join(workspace, "AGENTS.md"), "utf8")).toBe("mine\n");
    expect(JSON5.parse(readFileSync(join(state, "openclaw.json"), "utf8")).agents.defaults.workspace).toBe(
      workspace,
    );
  });
});
