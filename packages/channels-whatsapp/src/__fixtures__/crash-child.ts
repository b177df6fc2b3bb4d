// A gateway-like process for the kill -9 test: the WhatsApp channel (linked session in STATE_DIR)
// against the fake at WA_URL + the inbound pipeline + a model that answers at once, or never with
// HANG=1. Prints `ready` once connected and `turn:<text>` when a turn starts.
import { createChannelManager, type InboundTurn } from "@openclaw/core";
import { whatsappSocketFactory } from "@openclaw/testkit";
import { createWhatsAppChannel } from "../whatsapp-channel.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const stateDir = process.env.STATE_DIR ?? "";
const manager = createChannelManager({
  plugins: [createWhatsAppChannel({ stateDir, socketFactory: whatsappSocketFactory(process.env.WA_URL ?? "") as never })],
  getConfig: () => ({ channels: { whatsapp: { allowFrom: ["*"], dmPolicy: "open", sendPacingMs: 0 } } }),
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
while (!(await manager.status()).channels.whatsapp?.accounts[0]?.connected) await new Promise((r) => setTimeout(r, 10));
process.stdout.write("ready\n");
process.on("SIGTERM", () => void manager.stop().then(() => process.exit(0)));
