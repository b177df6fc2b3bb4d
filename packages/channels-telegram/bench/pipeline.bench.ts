import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { createChannelManager } from "@openclaw/core";
import {
  createMockChannel,
  FakeDiscordServer,
  FakeSlackServer,
  FakeTelegramServer,
  telegramUpdate,
} from "@openclaw/testkit";
import { type Benchmark, currentRss, percentile } from "../../../bench/harness.js";
import { createTelegramChannel } from "../src/index.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const instant = { enqueue: async (turn: { text: string }) => ({ payloads: [{ text: `re: ${turn.text}` }] }) };

/** Inbound → outbound through grammY and the fake Bot API (long polling, journal fsync, HTTP send). */
async function telegramThroughput(messages: number, senders: number) {
  const fake = await new FakeTelegramServer().start();
  const stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-bench-"));
  const manager = createChannelManager({
    plugins: [createTelegramChannel({ env: {} })],
    getConfig: () => ({
      channels: {
        telegram: {
          botToken: fake.token,
          apiRoot: fake.url,
          pollTimeoutSeconds: 1,
          throttle: false,
          dmPolicy: "open",
          allowFrom: ["*"],
        },
      },
    }),
    stateDir,
    logger: quiet,
    assistant: instant,
  });
  await manager.start();
  // warm up
  fake.inject(telegramUpdate("privateText", { text: "warm", fromId: 1, messageId: 1 }));
  await fake.waitForSent(1);
  const injectedAt = new Map<string, number>();
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < messages; i++) {
    const text = `m${i}`;
    injectedAt.set(`re: ${text}`, performance.now());
    fake.inject(telegramUpdate("privateText", { text, fromId: 1000 + (i % senders), messageId: 10 + i }));
  }
  let seen = 1;
  await fake.waitFor(() => {
    for (; seen < fake.sent.length; seen++) {
      const sent = fake.sent[seen];
      const at = sent ? injectedAt.get(sent.text) : undefined;
      if (at !== undefined) latencies.push(performance.now() - at);
    }
    return fake.sent.length >= messages + 1;
  });
  const elapsed = performance.now() - started;
  // Latency without queueing: one message at a time, inject → reply received by the fake.
  const sequential: number[] = [];
  for (let i = 0; i < 200; i++) {
    const before = fake.sent.length;
    const t0 = performance.now();
    fake.inject(telegramUpdate("privateText", { text: `s${i}`, fromId: 77, messageId: 100_000 + i }));
    await fake.waitForSent(before + 1);
    sequential.push(performance.now() - t0);
  }
  await manager.stop();
  await fake.close();
  await rm(stateDir, { recursive: true, force: true });
  return {
    perSecond: (messages / elapsed) * 1000,
    burstP99: percentile(latencies, 99),
    p50: percentile(sequential, 50),
    p99: percentile(sequential, 99),
  };
}

/** The pipeline alone (journal with fsync, dedupe, access, routing, IR + chunking, idempotency) on an in-memory channel. */
async function pipelineOnly(messages: number) {
  const channel = createMockChannel();
  const stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-bench-"));
  const manager = createChannelManager({
    plugins: [channel.plugin],
    getConfig: () => ({ channels: { mock: { dmPolicy: "open", allowFrom: ["*"] } } }),
    stateDir,
    logger: quiet,
    assistant: instant,
  });
  await manager.start();
  await channel.running();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: messages }, async (_, i) => {
      await channel.inject({
        text: `**m${i}**`,
        messageId: `b${i}`,
        sender: { id: String(i % 50) },
        chat: { type: "direct", id: String(i % 50) },
      });
    }),
  );
  await channel.waitForSent(messages);
  const elapsed = performance.now() - started;
  const latencies: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    await channel.inject({
      text: `s${i}`,
      messageId: `s${i}`,
      sender: { id: "seq" },
      chat: { type: "direct", id: "seq" },
    });
    await channel.waitForSent(messages + i + 1);
    latencies.push(performance.now() - t0);
  }
  await manager.stop();
  await rm(stateDir, { recursive: true, force: true });
  return {
    perSecond: (messages / elapsed) * 1000,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** RSS of a child process with Telegram, Discord and Slack connected (fakes run in this process). */
async function idleRss() {
  const tg = await new FakeTelegramServer().start();
  const dc = await new FakeDiscordServer().start();
  const sl = await new FakeSlackServer().start();
  const stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-bench-"));
  const tsx = createRequire(path.join(import.meta.dirname, "../../../package.json")).resolve("tsx");
  const child = spawn(
    process.execPath,
    ["--conditions=@openclaw/source", "--import", tsx, path.join(import.meta.dirname, "idle-child.ts")],
    {
      env: {
        ...process.env,
        STATE_DIR: stateDir,
        BENCH_FAKES: JSON.stringify({
          tgToken: tg.token,
          tgUrl: tg.url,
          dcToken: dc.token,
          dcApi: `${dc.url}/api`,
          slBot: sl.botToken,
          slApp: sl.appToken,
          slApi: sl.apiUrl,
        }),
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (c: Buffer) => c.toString().includes("connected") && resolve());
    child.once("exit", (code) => reject(new Error(`idle child exited ${code}`)));
  });
  await new Promise((r) => setTimeout(r, 3_000));
  const rss = currentRss(child.pid ?? 0) ?? 0;
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  await Promise.all([tg.close(), dc.close(), sl.close()]);
  await rm(stateDir, { recursive: true, force: true });
  return rss / 1024 / 1024;
}

const benchmark: Benchmark = {
  name: "channels pipeline",
  async run() {
    const telegram = await telegramThroughput(1_000, 50);
    const pipeline = await pipelineOnly(2_000);
    const rss = await idleRss();
    return [
      {
        name: "telegram inbound→reply throughput (grammY + fake Bot API)",
        value: Math.round(telegram.perSecond),
        unit: "msg/s",
        lowerIsBetter: false,
      },
      {
        name: "telegram inbound→reply p50 latency (one at a time)",
        value: Number(telegram.p50.toFixed(1)),
        unit: "ms",
        lowerIsBetter: true,
      },
      {
        name: "telegram inbound→reply p99 latency (one at a time)",
        value: Number(telegram.p99.toFixed(1)),
        unit: "ms",
        lowerIsBetter: true,
      },
      {
        name: "telegram p99 latency in a 1000-message burst",
        value: Math.round(telegram.burstP99),
        unit: "ms",
        lowerIsBetter: true,
      },
      {
        name: "pipeline only (journal+policy+route+format) throughput",
        value: Math.round(pipeline.perSecond),
        unit: "msg/s",
        lowerIsBetter: false,
      },
      {
        name: "pipeline only p50 latency (one at a time)",
        value: Number(pipeline.p50.toFixed(2)),
        unit: "ms",
        lowerIsBetter: true,
      },
      {
        name: "pipeline only p99 latency (one at a time)",
        value: Number(pipeline.p99.toFixed(2)),
        unit: "ms",
        lowerIsBetter: true,
      },
      {
        name: "RSS, 3 channels connected idle (telegram+discord+slack)",
        value: Number(rss.toFixed(1)),
        unit: "MB",
        lowerIsBetter: true,
      },
    ];
  },
};
export default benchmark;
