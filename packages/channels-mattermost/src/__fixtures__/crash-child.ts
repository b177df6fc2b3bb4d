// A gateway-like process for the kill -9 test: the Mattermost channel against the fake server at
// MM_URL + the inbound pipeline + a model that answers at once, or never with HANG=1.
import { createChannelManager, type InboundTurn } from "@openclaw/core";
import { createMattermostChannel } from "../mattermost-channel.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const stateDir = process.env.STATE_DIR ?? "";
const manager = createChannelManager({
  plugins: [createMattermostChannel({ env: {}, websocket: { minRetryMs: 10, maxRetryMs: 50 } })],
  getConfig: () => ({
    channels: { mattermost: { baseUrl: process.env.MM_URL, botToken: process.env.MM_TOKEN, allowFrom: ["*"], dmPolicy: "open" } },
  }),
  stateDir,
  logger: quiet,
  assistant: {
    async enqueue(turn: InboundTurn) {
      process.stdout.write(`turn:${turn.text}\n`);
      if (process.env.HANG === "1") await new Promise(() => undefined);
      return { payloads: [{ text: `echo: ${turn.text}` }] };
    },
  },
});
await manager.start();
while (!(await manager.status()).channels.mattermost?.accounts[0]?.connected) await new Promise((r) => setTimeout(r, 10));
process.stdout.write("ready\n");
process.on("SIGTERM", () => void manager.stop().then(() => process.exit(0)));
