// A gateway-like process for the kill -9 test: the Signal channel against the fake signal-cli
// daemon at SIGNAL_URL + the inbound pipeline + a model that answers at once, or never with HANG=1.
import { createChannelManager, type InboundTurn } from "@openclaw/core";
import { createSignalChannel } from "../signal-channel.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const stateDir = process.env.STATE_DIR ?? "";
const manager = createChannelManager({
  plugins: [createSignalChannel()],
  getConfig: () => ({
    channels: { signal: { account: process.env.SIGNAL_ACCOUNT, httpUrl: process.env.SIGNAL_URL, allowFrom: ["*"], dmPolicy: "open" } },
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
while (!(await manager.status()).channels.signal?.accounts[0]?.connected) await new Promise((r) => setTimeout(r, 10));
process.stdout.write("ready\n");
process.on("SIGTERM", () => void manager.stop().then(() => process.exit(0)));
