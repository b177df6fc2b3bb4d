import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createTelegramChannel } from "@openclaw/channels-telegram";
import { type ChannelManager, createChannelManager } from "@openclaw/core";
import { FakeTelegramServer, telegramUpdate } from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
const cli = path.join(import.meta.dirname, "../cli.ts");
const tsx = createRequire(path.join(import.meta.dirname, "../../../../package.json")).resolve("tsx");

let home: string;
async function openclaw(...args: string[]) {
  return openclawWith({}, ...args);
}

async function openclawWith(extraEnv: NodeJS.ProcessEnv, ...args: string[]) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    OPENCLAW_STATE_DIR: path.join(home, "state"),
    OPENCLAW_GATEWAY_PORT: "1",
    NO_COLOR: "1",
    ...extraEnv,
  };
  delete env.OPENCLAW_CONFIG_PATH;
  try {
    const result = await run(
      process.execPath,
      ["--conditions=@openclaw/source", "--import", tsx, cli, ...args],
      { env },
    );
    return { code: 0, stdout: result.stdout, stderr: result.stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

beforeEach(async () => {
  home = await mkdtemp(path.join(tmpdir(), "openclaw-cli-channels-"));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe("openclaw channels / pairing / message", () => {
  it("adds, lists and removes channel accounts in the config, keeping other keys", async () => {
    expect((await openclaw("channels", "add", "--channel", "telegram", "--token", "123:abc")).code).toBe(0);
    expect(
      (
        await openclaw(
          "channels",
          "add",
          "--channel",
          "slack",
          "--account",
          "work",
          "--token",
          "xoxb-1",
          "--app-token",
          "xapp-1",
        )
      ).code,
    ).toBe(0);
    const list = await openclaw("channels", "list", "--json");
    expect(JSON.parse(list.stdout).accounts).toEqual([
      {
        channel: "telegram",
        accountId: "default",
        enabled: true,
        configured: true,
        dmPolicy: "pairing",
        groupPolicy: "allowlist",
      },
      {
        channel: "slack",
        accountId: "work",
        enabled: true,
        configured: true,
        dmPolicy: "pairing",
        groupPolicy: "allowlist",
      },
    ]);
    expect((await openclaw("channels", "remove", "--channel", "telegram")).stdout).toContain(
      "channels.telegram: disabled",
    );
    const config = await readFile(path.join(home, "state", "openclaw.json"), "utf8");
    expect(config).toMatch(/enabled: false/);
    expect(config).toMatch(/xoxb-1/);
  });

  it("explains bad input: unknown channel, unknown pairing code, no gateway for message send", async () => {
    const unknown = await openclaw("channels", "add", "--channel", "fax");
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr.trim()).toBe(
      'unknown channel "fax" (known: telegram, discord, slack, whatsapp, matrix, mattermost, signal)',
    );
    const code = await openclaw("pairing", "approve", "telegram", "ZZZZZZZZ");
    expect(code.code).toBe(1);
    expect(code.stderr).toMatch(/no pending pairing request with code ZZZZZZZZ for telegram/);
    const send = await openclaw("message", "send", "--channel", "telegram", "--to", "1", "--message", "hi");
    expect(send.code).toBe(1);
    expect(send.stderr).toMatch(/^gateway connection failed: ws:\/\/127\.0\.0\.1:1/);
  });

  it("status --probe, message send and logout go through a running gateway", async () => {
    const { createGateway, createMemoryAssistant } = await import("@openclaw/gateway");
    const { createConfigStore } = await import("@openclaw/core/config");
    const { writeFile } = await import("node:fs/promises");
    const { startGatewayChannels } = await import("./channels-runtime.js");
    const fake = await new FakeTelegramServer().start();
    const token = "cli-channels-token-0123456789";
    const config = {
      gateway: { auth: { mode: "token", token } },
      channels: {
        telegram: { botToken: fake.token, apiRoot: fake.url, pollTimeoutSeconds: 1, throttle: false },
      },
    };
    const stateDir = path.join(home, "gw");
    await rm(stateDir, { recursive: true, force: true });
    await (await import("node:fs/promises")).mkdir(stateDir, { recursive: true });
    await writeFile(path.join(stateDir, "openclaw.json"), JSON.stringify(config));
    const channels = await startGatewayChannels({
      getConfig: () => config,
      stateDir,
      assistant: { enqueue: async () => ({ payloads: [] }) },
      plugins: [createTelegramChannel({ env: {} })],
    });
    const gateway = createGateway({
      config: createConfigStore({
        path: path.join(stateDir, "openclaw.json"),
        env: { HOME: stateDir, OPENCLAW_STATE_DIR: stateDir },
        cwd: stateDir,
        applyEnv: false,
        debounceMs: 20,
      }),
      stateDir,
      port: 0,
      assistant: createMemoryAssistant(),
      channels: channels.methods as never,
      logFile: path.join(stateDir, "gateway.log"),
      version: "test",
    });
    const address = await gateway.listen();
    const env = { OPENCLAW_GATEWAY_PORT: String(address.port), OPENCLAW_GATEWAY_TOKEN: token };
    await fake.waitFor(() => fake.calls.some((c) => c.method === "deleteWebhook"));
    for (;;) {
      const current = (await channels.methods.status({})) as {
        channels: { telegram?: { accounts: { connected: boolean }[] } };
      };
      if (current.channels.telegram?.accounts[0]?.connected) break;
      await new Promise((r) => setImmediate(r));
    }
    try {
      const status = await openclawWith(env, "channels", "status", "--probe", "--json");
      expect(status.code).toBe(0);
      const account = JSON.parse(status.stdout).channels.telegram.accounts[0];
      expect(account).toMatchObject({
        accountId: "default",
        running: true,
        probe: { ok: true, self: { username: "openclaw_test_bot" } },
      });
      const human = await openclawWith(env, "channels", "status");
      expect(human.stdout).toMatch(/telegram\/default: connected; as @openclaw_test_bot/);
      const sent = await openclawWith(
        env,
        "message",
        "send",
        "--channel",
        "telegram",
        "--to",
        "7012345678",
        "--message",
        "**Rappel** : réunion",
      );
      expect(sent.stdout).toMatch(/^Sent to telegram:7012345678 \(1 message: \d+\)/);
      expect(fake.sent[0]).toMatchObject({ chatId: "7012345678", text: "<b>Rappel</b> : réunion" });
      const logout = await openclawWith(env, "channels", "logout", "--channel", "telegram");
      expect(logout.stdout.trim()).toBe("telegram: stopped default and logged out");
    } finally {
      await gateway.close();
      await channels.close();
      await fake.close();
    }
  });

  it("unknown Telegram sender gets a code; `openclaw pairing approve` lets them in", async () => {
    const fake = await new FakeTelegramServer().start();
    let manager: ChannelManager | undefined;
    try {
      manager = createChannelManager({
        plugins: [createTelegramChannel({ env: {} })],
        getConfig: () => ({
          channels: {
            telegram: { botToken: fake.token, apiRoot: fake.url, pollTimeoutSeconds: 1, throttle: false },
          },
        }),
        stateDir: path.join(home, "state"),
        assistant: { enqueue: async (turn) => ({ payloads: [{ text: `echo: ${turn.text}` }] }) },
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      });
      await manager.start();
      fake.inject(telegramUpdate("privateText", { fromId: 4242, username: "newcomer" }));
      const [challenge] = await fake.waitForSent(1);
      const code = /Pairing code: ([A-Z2-9]{8})/.exec(challenge?.text ?? "")?.[1] ?? "";
      const list = await openclaw("pairing", "list", "telegram");
      expect(list.stdout).toContain(`${code}  sender 4242 (@newcomer)`);
      const approve = await openclaw("pairing", "approve", "telegram", code.toLowerCase());
      expect(approve.stdout).toContain("Approved telegram sender 4242 (@newcomer).");
      fake.inject(telegramUpdate("privateText", { fromId: 4242, text: "me voilà", messageId: 77 }));
      const sent = await fake.waitForSent(2);
      expect(sent[1]).toMatchObject({ chatId: "4242", text: "echo: me voilà" });
    } finally {
      await manager?.stop();
      await fake.close();
    }
  });
});
