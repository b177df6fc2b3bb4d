// A gateway-like process for the kill -9 tests: Telegram channel (DEFAULT throttling) + inbound
// pipeline + a model that answers instantly, except that with HANG=1 it never answers (so the
// parent can kill it between receipt and reply). Prints `turn:<text>` when a turn starts.
import { createChannelManager, type InboundTurn } from "@openclaw/core";
import { createTelegramChannel } from "../telegram-channel.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const manager = createChannelManager({
  plugins: [createTelegramChannel({ env: {} })],
  getConfig: () => ({
    channels: {
      telegram: {
        botToken: process.env.TG_TOKEN,
        apiRoot: process.env.TG_API_ROOT,
        pollTimeoutSeconds: 1,
        allowFrom: ["*"],
        dmPolicy: "open",
      },
    },
  }),
  stateDir: process.env.STATE_DIR ?? "",
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
process.stdout.write("ready\n");
process.on("SIGTERM", () => void manager.stop().then(() => process.exit(0)));
