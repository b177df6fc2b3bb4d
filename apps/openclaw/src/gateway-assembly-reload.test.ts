import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayClient } from "@openclaw/client";
import { FakeTelegramServer, telegramUpdate } from "@openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Assembled, assembleGateway } from "./gateway-assembly.js";
import { channelSettingsChanged } from "./gateway-assembly-channels.js";

// Hot reload of `channels.*`: the real assembly with core's config store watching a real file;
// each edit of the file is applied to the channels without restarting the gateway (the same
// client connection stays up the whole time and never sees a `shutdown` event).
const TOKEN = "reload-token-0123456789";

let home: string;
let configPath: string;
let fake: FakeTelegramServer;
let assembled: Assembled;
let client: GatewayClient;
const shutdowns: unknown[] = [];

const base = { gateway: { auth: { token: TOKEN }, reload: { debounceMs: 50 } } };
const telegram = (extra: Record<string, unknown> = {}) => ({
  botToken: fake.token,
  apiRoot: fake.url,
  pollTimeoutSeconds: 1,
  throttle: false,
  allowFrom: ["7012345678"],
  ...extra,
});

/** Write the config file and wait until the assembly applied the edit to the channels. */
async function edit(config: Record<string, unknown>): Promise<string> {
  const applied = new Promise<string>((resolve) => {
    const off = assembled.onChannelsApplied((outcome) => {
      if (outcome === "unchanged") return;
      off();
      resolve(outcome);
    });
  });
  await writeFile(configPath, JSON.stringify(config, null, 2));
  return applied;
}

type Status = { channels: Record<string, { accounts: { running: boolean; connected?: boolean }[] }> };
const status = async () => (await client.request("channels.status", {})) as Status;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-reload-"));
  const stateDir = join(home, "state");
  await mkdir(stateDir, { recursive: true });
  configPath = join(stateDir, "openclaw.json");
  await writeFile(configPath, JSON.stringify(base));
  fake = await new FakeTelegramServer().start();
  assembled = await assembleGateway({
    env: { PATH: process.env.PATH ?? "", HOME: home, OPENCLAW_STATE_DIR: stateDir },
    port: 0,
    console: false,
  });
  const address = await assembled.gateway.listen();
  await assembled.start();
  client = new GatewayClient({ url: address.url, auth: { token: TOKEN }, reconnect: false });
  client.on("shutdown", (payload) => shutdowns.push(payload));
  await client.connect();
});

afterAll(async () => {
  await client?.close();
  await assembled?.gateway.close();
  await assembled?.close();
  await fake?.close();
  await rm(home, { recursive: true, force: true });
});

describe("channels.* edits apply to a running gateway", () => {
  it("adding, disabling, re-enabling, changing and removing Telegram in the config file", async () => {
    expect((await status()).channels).toEqual({});

    // added: the plugin loads and the account starts; an inbound DM is answered
    expect(await edit({ ...base, channels: { telegram: telegram() } })).toBe("started");
    fake.inject(telegramUpdate("privateText"));
    const [first] = await fake.waitForSent(1);
    expect(first!.chatId).toBe("7012345678");
    expect(first!.text).toContain("No model provider is configured");
    expect((await status()).channels.telegram?.accounts[0]?.running).toBe(true);

    // disabled: core's reload() stops the account
    expect(await edit({ ...base, channels: { telegram: telegram({ enabled: false }) } })).toBe("reloaded");
    expect((await status()).channels.telegram?.accounts[0]?.running).toBe(false);

    // enabled again: reload() starts it; messages are answered again
    expect(await edit({ ...base, channels: { telegram: telegram() } })).toBe("reloaded");
    expect((await status()).channels.telegram?.accounts[0]?.running).toBe(true);
    fake.inject(telegramUpdate("privateText", { messageId: 513, text: "still there?" }));
    await fake.waitForSent(2);

    // a changed setting restarts the channel with the new settings
    expect(await edit({ ...base, channels: { telegram: telegram({ allowFrom: ["42"] }) } })).toBe(
      "restarted",
    );
    expect((await status()).channels.telegram?.accounts[0]?.running).toBe(true);

    // removed: the channels stop
    expect(await edit(base)).toBe("stopped");
    expect((await status()).channels).toEqual({});

    // one gateway, one connection throughout
    expect(shutdowns).toEqual([]);
    expect((await client.request("health", {})) as { ok: boolean }).toMatchObject({ ok: true });
  });
});

describe("channelSettingsChanged", () => {
  it("treats enable toggles and added/removed accounts as reloads, anything else as a restart", () => {
    const one = { telegram: { botToken: "a", accounts: { work: { botToken: "w" } } } };
    expect(channelSettingsChanged(one, { telegram: { ...one.telegram, enabled: false } })).toBe(false);
    expect(
      channelSettingsChanged(one, {
        telegram: { botToken: "a", accounts: { work: { botToken: "w" }, home: { botToken: "h" } } },
      }),
    ).toBe(false);
    expect(channelSettingsChanged(one, { telegram: { botToken: "a", accounts: {} } })).toBe(false);
    expect(channelSettingsChanged(one, {})).toBe(false);
    expect(
      channelSettingsChanged(one, { telegram: { botToken: "b", accounts: one.telegram.accounts } }),
    ).toBe(true);
    expect(
      channelSettingsChanged(one, { telegram: { botToken: "a", accounts: { work: { botToken: "x" } } } }),
    ).toBe(true);
    expect(
      channelSettingsChanged({ defaults: { dmPolicy: "pairing" } }, { defaults: { dmPolicy: "open" } }),
    ).toBe(true);
  });
});
