import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createChannelManager } from "@openclaw/core";
import { FakeMatrixServer, measureChannelThroughput, measureRssAdded } from "@openclaw/testkit";
import type { Benchmark } from "../../../bench/harness.js";
import { createMatrixChannel } from "../src/index.js";

// Inbound → reply through matrix-js-sdk and the fake homeserver (/sync long poll, PUT /send),
// journal fsync included; and the RSS one connected Matrix account adds to a gateway-like process.
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const repo = path.join(import.meta.dirname, "../../..");
const child = path.join(import.meta.dirname, "../src/__fixtures__/crash-child.ts");

const benchmark: Benchmark = {
  name: "matrix channel",
  async run() {
    const fake = await new FakeMatrixServer().start();
    const stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-bench-matrix-"));
    const manager = createChannelManager({
      plugins: [createMatrixChannel({ stateDir, env: {} })],
      getConfig: () => ({
        channels: {
          matrix: {
            homeserver: fake.url,
            accessToken: fake.accessToken,
            syncTimeoutMs: 1000,
            dmPolicy: "open",
            allowFrom: ["*"],
          },
        },
      }),
      stateDir,
      logger: quiet,
      assistant: { enqueue: async (turn) => ({ payloads: [{ text: `echo: ${turn.text}` }] }) },
    });
    await manager.start();
    while (!(await manager.status()).channels.matrix?.accounts[0]?.connected)
      await new Promise((r) => setTimeout(r, 10));
    const figures = await measureChannelThroughput({
      inject: (text, i) =>
        fake.inject(fake.event("dmText", { text, sender: `@user${(i + 1) % 20}:fake.test` })),
      replies: () => fake.messages().map((s) => s.text),
      waitFor: (check, ms) => fake.waitFor(check, ms),
      messages: 500,
    });
    await manager.stop();
    const env = { HS_URL: fake.url, HS_TOKEN: fake.accessToken, STATE_DIR: stateDir, HANG: "0" };
    const rss = await measureRssAdded(child, env, repo);
    await fake.close();
    await rm(stateDir, { recursive: true, force: true });
    return [
      {
        name: "matrix inbound → reply",
        value: figures.perSecond,
        unit: "msgs/s",
        lowerIsBetter: false,
        note: "500-message burst, one DM room",
      },
      {
        name: "matrix inbound → reply p99 (burst)",
        value: figures.burstP99,
        unit: "ms",
        lowerIsBetter: true,
      },
      {
        name: "matrix inbound → reply p99 (one at a time)",
        value: figures.p99,
        unit: "ms",
        lowerIsBetter: true,
        note: `p50 ${figures.p50.toFixed(1)} ms`,
      },
      {
        name: "matrix RSS added per connected account",
        value: rss.addedBytes / 1048576,
        unit: "MB",
        lowerIsBetter: true,
        note: `median of 3; ${(rss.baselineBytes / 1048576).toFixed(0)} MB without the channel`,
      },
    ];
  },
};
export default benchmark;
