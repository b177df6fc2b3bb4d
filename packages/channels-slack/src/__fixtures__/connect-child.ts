// A gateway-like process for connect-path.test.ts: core's channel side with the Slack channel,
// connected to the fake given in the environment (Socket Mode), no message yet. Once the account
// is connected it prints the packages Node has loaded (CommonJS cache: the Slack SDK, axios, ws,
// express and undici are all CommonJS) as `loaded:<json>`, then stops.
import { createRequire } from "node:module";
import { createChannelManager } from "@openclaw/core/channels";
import { createSlackChannel } from "../slack-channel.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let connected: () => void = () => undefined;
const ready = new Promise<void>((resolve) => (connected = resolve));
const manager = createChannelManager({
  plugins: [createSlackChannel({ env: {} })],
  getConfig: () => ({
    channels: {
      slack: {
        botToken: process.env.SLACK_BOT_TOKEN,
        appToken: process.env.SLACK_APP_TOKEN,
        apiUrl: process.env.SLACK_API_URL,
        mode: process.env.SLACK_MODE ?? "socket",
        signingSecret: "connect-path-secret",
        webhookPort: 0,
      },
    },
  }),
  stateDir: process.env.STATE_DIR ?? "",
  logger: quiet,
  onStatus: () => {
    void manager.status().then((status) => {
      if (status.channels.slack?.accounts[0]?.connected) connected();
    });
  },
  assistant: {
    async enqueue() {
      return { payloads: [] };
    },
  },
});
await manager.start();
await ready;
const packages = new Set<string>();
for (const file of Object.keys(createRequire(import.meta.url).cache)) {
  const match = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
  if (match?.[1]) packages.add(match[1]);
}
process.stdout.write(`loaded:${JSON.stringify([...packages].sort())}\n`);
await manager.stop();
process.exit(0);
