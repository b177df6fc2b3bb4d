// Gateway-like process with Telegram, Discord and Slack connected to fakes (run by pipeline.bench.ts
// to measure idle RSS). Prints `connected` once all three accounts are connected.
import { createDiscordChannel } from "@openclaw/channels-discord";
import { createSlackChannel } from "@openclaw/channels-slack";
import { createChannelManager } from "@openclaw/core";
import { createTelegramChannel } from "../src/index.js";

const env = JSON.parse(process.env.BENCH_FAKES ?? "{}") as Record<string, string>;
const manager = createChannelManager({
  plugins: [
    createTelegramChannel({ env: {} }),
    createDiscordChannel({ env: {} }),
    createSlackChannel({ env: {} }),
  ],
  getConfig: () => ({
    channels: {
      telegram: { botToken: env.tgToken, apiRoot: env.tgUrl, pollTimeoutSeconds: 1 },
      discord: { token: env.dcToken, apiBaseUrl: env.dcApi },
      slack: { botToken: env.slBot, appToken: env.slApp, apiUrl: env.slApi },
    },
  }),
  stateDir: process.env.STATE_DIR ?? "",
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  assistant: { enqueue: async (turn) => ({ payloads: [{ text: turn.text }] }) },
});
await manager.start();
for (;;) {
  const status = await manager.status();
  const accounts = Object.values(status.channels).flatMap((c) => c.accounts);
  if (accounts.length === 3 && accounts.every((a) => a.connected)) break;
  await new Promise((r) => setTimeout(r, 20));
}
process.stdout.write("connected\n");
process.on("SIGTERM", () => void manager.stop().then(() => process.exit(0)));
