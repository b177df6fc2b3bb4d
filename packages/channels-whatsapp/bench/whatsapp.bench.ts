import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createChannelManager } from "@openclaw/core";
import {
  FakeWhatsAppServer,
  measureChannelThroughput,
  measureRssAdded,
  whatsappSocketFactory,
  whatsappUpsert,
} from "@openclaw/testkit";
import type { Benchmark } from "../../../bench/harness.js";
import { createWhatsAppChannel, loginWhatsApp, whatsappAuthDir } from "../src/index.js";

// Inbound → reply through the WhatsApp channel at the Baileys socket boundary (fake over loopback
// WebSocket), journal fsync included, pacing off; and the RSS one connected WhatsApp account adds
// to a gateway-like process (Baileys loaded, session open).
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const repo = path.join(import.meta.dirname, "../../..");
const child = path.join(import.meta.dirname, "../src/__fixtures__/crash-child.ts");

const benchmark: Benchmark = {
  name: "whatsapp channel",
  async run() {
    const fake = await new FakeWhatsAppServer().start();
    const stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-bench-wa-"));
    const factory = whatsappSocketFactory(fake.url) as never;
    await loginWhatsApp({
      authDir: whatsappAuthDir(stateDir, "default"),
      socketFactory: factory,
      onQr: () => fake.scanQr(),
    });
    const manager = createChannelManager({
      plugins: [createWhatsAppChannel({ stateDir, socketFactory: factory })],
      getConfig: () => ({
        channels: {
          whatsapp: { dmPolicy: "open", allowFrom: ["*"], sendPacingMs: 0, sendReadReceipts: false },
        },
      }),
      stateDir,
      logger: quiet,
      assistant: { enqueue: async (turn) => ({ payloads: [{ text: `echo: ${turn.text}` }] }) },
    });
    await manager.start();
    const figures = await measureChannelThroughput({
      inject: (text, i) =>
        fake.inject(whatsappUpsert("dmText", { text, from: `+1555000${String(1000 + ((i + 1) % 20))}` })),
      replies: () => fake.sent.map((s) => s.text),
      waitFor: (check, ms) => fake.waitFor(check, ms),
      messages: 500,
    });
    await manager.stop();
    const env = { WA_URL: fake.url, STATE_DIR: stateDir, HANG: "0" };
    const rss = await measureRssAdded(child, env, repo);
    await fake.close();
    await rm(stateDir, { recursive: true, force: true });
    return [
      {
        name: "whatsapp inbound → reply",
        value: figures.perSecond,
        unit: "msgs/s",
        lowerIsBetter: false,
        note: "500-message burst, 20 senders",
      },
      {
        name: "whatsapp inbound → reply p99 (burst)",
        value: figures.burstP99,
        unit: "ms",
        lowerIsBetter: true,
      },
      {
        name: "whatsapp inbound → reply p99 (one at a time)",
        value: figures.p99,
        unit: "ms",
        lowerIsBetter: true,
        note: `p50 ${figures.p50.toFixed(1)} ms`,
      },
      {
        name: "whatsapp RSS added per connected account",
        value: rss.addedBytes / 1048576,
        unit: "MB",
        lowerIsBetter: true,
        note: `median of 3; ${(rss.baselineBytes / 1048576).toFixed(0)} MB without the channel`,
      },
    ];
  },
};
export default benchmark;
