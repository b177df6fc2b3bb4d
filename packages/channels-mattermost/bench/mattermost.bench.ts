import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createChannelManager } from "@openclaw/core";
import { FakeMattermostServer, measureChannelThroughput, measureRssAdded } from "@openclaw/testkit";
import type { Benchmark } from "../../../bench/harness.js";
import { createMattermostChannel } from "../src/index.js";

// Inbound → reply through @mattermost/client and the fake server (WebSocket events, REST posts),
// journal fsync included; and the RSS one connected Mattermost account adds to a gateway-like process.
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const repo = path.join(import.meta.dirname, "../../..");
const child = path.join(import.meta.dirname, "../src/__fixtures__/crash-child.ts");

const benchmark: Benchmark = {
  name: "mattermost channel",
  async run() {
    const fake = await new FakeMattermostServer().start();
    const stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-bench-mm-"));
    const manager = createChannelManager({
      plugins: [createMattermostChannel({ env: {} })],
      getConfig: () => ({
        channels: {
          mattermost: { baseUrl: fake.url, botToken: fake.botToken, dmPolicy: "open", allowFrom: ["*"] },
        },
      }),
      stateDir,
      logger: quiet,
      assistant: { enqueue: async (turn) => ({ payloads: [{ text: `echo: ${turn.text}` }] }) },
    });
    await manager.start();
    const figures = await measureChannelThroughput({
      inject: (text, i) =>
        fake.inject(
          fake.posted("postedDm", { text, userId: `user${String((i + 1) % 20).padStart(22, "0")}` }),
        ),
      replies: () => fake.sent.map((s) => s.text),
      waitFor: (check, ms) => fake.waitFor(check, ms),
      messages: 500,
    });
    await manager.stop();
    const env = { MM_URL: fake.url, MM_TOKEN: fake.botToken, STATE_DIR: stateDir, HANG: "0" };
    const rss = await measureRssAdded(child, env, repo);
    await fake.close();
    await rm(stateDir, { recursive: true, force: true });
    return [
      {
        name: "mattermost inbound → reply",
        value: figures.perSecond,
        unit: "msgs/s",
        lowerIsBetter: false,
        note: "500-message burst, 20 senders in one DM channel",
      },
      {
        name: "mattermost inbound → reply p99 (burst)",
        value: figures.burstP99,
        unit: "ms",
        lowerIsBetter: true,
      },
      {
        name: "mattermost inbound → reply p99 (one at a time)",
        value: figures.p99,
        unit: "ms",
        lowerIsBetter: true,
        note: `p50 ${figures.p50.toFixed(1)} ms`,
      },
      {
        name: "mattermost RSS added per connected account",
        value: rss.addedBytes / 1048576,
        unit: "MB",
        lowerIsBetter: true,
        note: `median of 3; ${(rss.baselineBytes / 1048576).toFixed(0)} MB without the channel`,
      },
    ];
  },
};
export default benchmark;
