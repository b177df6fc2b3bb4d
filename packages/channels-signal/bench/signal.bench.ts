import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createChannelManager } from "@openclaw/core";
import { FakeSignalDaemon, measureChannelThroughput, measureRssAdded } from "@openclaw/testkit";
import type { Benchmark } from "../../../bench/harness.js";
import { createSignalChannel } from "../src/index.js";

// Inbound → reply through the fake signal-cli daemon (SSE events, JSON-RPC send), journal fsync
// included; and the RSS one connected Signal account adds to a gateway-like process (the
// signal-cli JVM itself is not counted: it is a separate process, external here).
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const repo = path.join(import.meta.dirname, "../../..");
const child = path.join(import.meta.dirname, "../src/__fixtures__/crash-child.ts");

const benchmark: Benchmark = {
  name: "signal channel",
  async run() {
    const fake = await new FakeSignalDaemon().start();
    const stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-bench-signal-"));
    const manager = createChannelManager({
      plugins: [createSignalChannel()],
      getConfig: () => ({
        channels: {
          signal: { account: fake.account, httpUrl: fake.url, dmPolicy: "open", allowFrom: ["*"] },
        },
      }),
      stateDir,
      logger: quiet,
      assistant: { enqueue: async (turn) => ({ payloads: [{ text: `echo: ${turn.text}` }] }) },
    });
    await manager.start();
    const figures = await measureChannelThroughput({
      inject: (text, i) =>
        fake.inject(fake.receive("receiveDm", { text, from: `+1555000${String(1000 + ((i + 1) % 20))}` })),
      replies: () => fake.sent.map((s) => s.text),
      waitFor: (check, ms) => fake.waitFor(check, ms),
      messages: 500,
    });
    await manager.stop();
    const env = { SIGNAL_URL: fake.url, SIGNAL_ACCOUNT: fake.account, STATE_DIR: stateDir, HANG: "0" };
    const rss = await measureRssAdded(child, env, repo);
    await fake.close();
    await rm(stateDir, { recursive: true, force: true });
    return [
      {
        name: "signal inbound → reply",
        value: figures.perSecond,
        unit: "msgs/s",
        lowerIsBetter: false,
        note: "500-message burst, 20 senders",
      },
      {
        name: "signal inbound → reply p99 (burst)",
        value: figures.burstP99,
        unit: "ms",
        lowerIsBetter: true,
      },
      {
        name: "signal inbound → reply p99 (one at a time)",
        value: figures.p99,
        unit: "ms",
        lowerIsBetter: true,
        note: `p50 ${figures.p50.toFixed(1)} ms`,
      },
      {
        name: "signal RSS added per connected account",
        value: rss.addedBytes / 1048576,
        unit: "MB",
        lowerIsBetter: true,
        note: `median of 3; ${(rss.baselineBytes / 1048576).toFixed(0)} MB without the channel (signal-cli not counted)`,
      },
    ];
  },
};
export default benchmark;
