import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayClient } from "@openclaw/client";
import { FakeTelegramServer, telegramUpdate } from "@openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Assembled, assembleGateway } from "../gateway-assembly.js";

// The real gateway assembly with plugins from `plugins.load.paths`: one good third-party channel,
// the bundled Telegram, and one plugin for each way a plugin can be broken. The broken ones are
// reported in `channels.status` and the gateway log; the good channel and Telegram answer.
const TOKEN = "plugins-gateway-token-0123456789";

type Hook = {
  start(ctx: { inbound(message: unknown): Promise<unknown>; accountId: string }): void;
  sent: { to: string; text: string }[];
  onSend?: () => void;
};
const hook = globalThis as unknown as { __openclawGoodChat?: Hook };

const GOOD = `
const hook = globalThis.__openclawGoodChat;
export default {
  specificationVersion: "v1",
  id: "good-chat",
  meta: { label: "Good chat" },
  capabilities: { chatTypes: ["direct"], threads: false, reactions: false, media: false, edits: false, maxTextLength: 1000 },
  config: { listAccountIds: () => ["default"], resolveAccount: (block) => block ?? {} },
  gateway: {
    startAccount(ctx) {
      ctx.setStatus({ connected: true });
      hook.start(ctx);
      return new Promise((resolve) => ctx.abortSignal.addEventListener("abort", resolve));
    },
  },
  outbound: {
    render: (ir) => ({ ir, text: ir.text, parseMode: "plain" }),
    async sendText(request) {
      hook.sent.push({ to: request.to, text: request.chunk.text });
      hook.onSend?.();
      return { messageId: String(hook.sent.length) };
    },
  },
};
`;

let home: string;
let fake: FakeTelegramServer;
let assembled: Assembled;
let client: GatewayClient;
let logFile: string;
let started: Promise<Parameters<Hook["start"]>[0]>;

async function plugin(id: string, manifest: Record<string, unknown>, code: string): Promise<void> {
  const dir = join(home, "plugins", id);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "openclaw.plugin.json"), JSON.stringify({ id, kind: "channel", ...manifest }));
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({ name: id, version: "1.0.0", type: "module", openclaw: { extensions: ["./index.js"] } }),
  );
  await writeFile(join(dir, "index.js"), code);
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-plugins-gateway-"));
  const stateDir = join(home, "state");
  await mkdir(stateDir, { recursive: true });
  logFile = join(home, "gateway.log");
  started = new Promise((resolve) => {
    hook.__openclawGoodChat = { start: resolve, sent: [] };
  });
  await plugin("good-chat", {}, GOOD);
  await plugin("a-throws", {}, 'throw new Error("cannot import me");');
  await plugin("b-future", {}, GOOD.replace('"v1"', '"v2"').replace('"good-chat"', '"b-future"'));
  // sorted after good-chat in the same load path: it loses the channel id
  await plugin("z-clash", { channels: ["good-chat"] }, GOOD);
  await plugin(
    "c-config",
    { configSchema: { type: "object", properties: { level: { type: "integer" } }, required: ["level"] } },
    'throw new Error("must not be imported");',
  );
  fake = await new FakeTelegramServer().start();
  const config = {
    gateway: { auth: { token: TOKEN } },
    logging: { file: logFile },
    plugins: { load: { paths: ["../plugins"] }, entries: { "c-config": { config: { level: "high" } } } },
    channels: {
      "good-chat": { allowFrom: ["u1"] },
      "a-throws": {},
      "b-future": {},
      "c-config": {},
      "nobody-serves-this": {},
      telegram: {
        botToken: fake.token,
        apiRoot: fake.url,
        pollTimeoutSeconds: 1,
        throttle: false,
        allowFrom: ["7012345678"],
      },
    },
  };
  await writeFile(join(stateDir, "openclaw.json"), JSON.stringify(config));
  assembled = await assembleGateway({
    env: { PATH: process.env.PATH ?? "", HOME: home, OPENCLAW_STATE_DIR: stateDir },
    port: 0,
    console: false,
  });
  const address = await assembled.gateway.listen();
  await assembled.start();
  client = new GatewayClient({ url: address.url, auth: { token: TOKEN }, reconnect: false });
  await client.connect();
});

afterAll(async () => {
  await client?.close();
  await assembled?.gateway.close();
  await assembled?.close();
  await fake?.close();
  delete hook.__openclawGoodChat;
  await rm(home, { recursive: true, force: true });
});

describe("broken plugins next to working channels", () => {
  it("the good plugin and Telegram answer messages", async () => {
    const ctx = await started;
    const sent = new Promise<void>((resolve) => {
      hook.__openclawGoodChat!.onSend = resolve;
    });
    await ctx.inbound({
      channel: "good-chat",
      accountId: ctx.accountId,
      messageId: "m1",
      chat: { type: "direct", id: "u1" },
      sender: { id: "u1" },
      text: "hello",
      timestamp: Date.now(),
    });
    await sent;
    expect(hook.__openclawGoodChat!.sent[0]).toMatchObject({
      to: "u1",
      text: expect.stringContaining("No model provider"),
    });
    fake.inject(telegramUpdate("privateText"));
    const [reply] = await fake.waitForSent(1);
    expect(reply!.text).toContain("No model provider");
  });

  it("channels.status names each broken plugin's code; the log has them too", async () => {
    const status = (await client.request("channels.status", {})) as {
      channels: Record<
        string,
        { accounts: { running: boolean; connected?: boolean; lastError: string | null }[] }
      >;
      pluginIssues?: { id: string; code: string }[];
    };
    const error = (id: string) => status.channels[id]?.accounts[0]?.lastError;
    expect(status.channels["good-chat"]?.accounts[0]).toMatchObject({ running: true, connected: true });
    expect(status.channels.telegram?.accounts[0]?.running).toBe(true);
    expect(error("a-throws")).toMatch(
      /^plugin "a-throws" not loaded: PLUGIN_IMPORT_FAILED: .*cannot import me/,
    );
    expect(error("b-future")).toBe(
      'plugin "b-future" not loaded: PLUGIN_SPEC_UNSUPPORTED: plugin "b-future" exports a channel plugin with specificationVersion "v2"; this OpenClaw supports "v1"',
    );
    expect(error("c-config")).toMatch(
      /^plugin "c-config" not loaded: PLUGIN_CONFIG_INVALID: plugins\.entries\.c-config\.config\.level: /,
    );
    expect(error("nobody-serves-this")).toMatch(/^no plugin provides channel "nobody-serves-this"/);
    expect(Object.fromEntries((status.pluginIssues ?? []).map((issue) => [issue.id, issue.code]))).toEqual({
      "a-throws": "PLUGIN_IMPORT_FAILED",
      "b-future": "PLUGIN_SPEC_UNSUPPORTED",
      "c-config": "PLUGIN_CONFIG_INVALID",
      "z-clash": "PLUGIN_ID_CONFLICT",
    });
    const log = await readFile(logFile, "utf8");
    for (const id of ["a-throws", "b-future", "c-config", "z-clash"])
      expect(log).toContain(`plugin ${id} not loaded`);
  });
});
