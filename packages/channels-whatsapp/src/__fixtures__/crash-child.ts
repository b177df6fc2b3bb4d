// A gateway-like process for the kill -9 test and the bench (BASELINE=1: no channel): the WhatsApp channel (linked session in STATE_DIR)
// against the fake at WA_URL + the inbound pipeline + a model that answers at once, or never with
// HANG=1. Prints `ready` once connected, `turn:<text>` when a turn starts and `image:<type>:<base64>`
// for each of its images.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createChannelManager, type InboundTurn } from "@openclaw/core";
import { whatsappSocketFactory } from "@openclaw/testkit";
import { createWhatsAppChannel } from "../whatsapp-channel.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const stateDir = process.env.STATE_DIR ?? "";
const manager = createChannelManager({
  plugins: process.env.BASELINE === "1" ? [] : [createWhatsAppChannel({ stateDir, socketFactory: whatsappSocketFactory(process.env.WA_URL ?? "") as never })],
  getConfig: () => ({ channels: { whatsapp: { allowFrom: ["*"], dmPolicy: "open", sendPacingMs: 0 } } }),
  stateDir,
  logger: quiet,
  assistant: {
    async enqueue(turn: InboundTurn) {
      process.stdout.write(`turn:${turn.text}\n`);
      for (const image of turn.images ?? []) process.stdout.write(`image:${image.mimeType}:${image.data}\n`);
      if (process.env.HANG === "1") await new Promise(() => undefined);
      return { payloads: [{ text: `echo: ${turn.text}` }] };
    },
  },
});
await manager.start();
while (process.env.BASELINE !== "1" && !(await manager.status()).channels.whatsapp?.accounts[0]?.connected) await new Promise((r) => setTimeout(r, 10));
// a full collection before saying ready, so the bench's RSS reading is not a GC-timing accident
setFlagsFromString("--expose-gc");
(runInNewContext("gc") as () => void)();
process.stdout.write("ready\n");
process.on("SIGTERM", () => void manager.stop().then(() => process.exit(0)));
if (process.env.BASELINE === "1") setInterval(() => undefined, 60_000); // nothing else keeps it alive
