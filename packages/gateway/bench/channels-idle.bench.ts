import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  FakeDiscordServer,
  FakeSlackServer,
  FakeTelegramServer,
  freePort,
  openaiChatReply,
  startFakeOpenAI,
  telegramUpdate,
} from "@openclaw/testkit";
import { type Benchmark, type BenchResult, currentRss, median } from "../../../bench/harness.js";

// Resident memory of the built gateway (`openclaw gateway`, `pnpm turbo run build --filter=@openclaw/cli...`
// first) with its channels connected to the testkit fakes: idle with 0, 1 (Telegram) and 3
// (Telegram + Discord + Slack) channels, the cost of one more account, and what 1,000 one-turn
// sessions leave behind once the load stopped. Each idle figure is the median of RUNS gateways,
// read SETTLE_MS after every account is connected. docs/gateway.md ("Memory") has the attribution.

/** The built CLI; `OPENCLAW_BENCH_CLI` points at another build (to compare two). */
const cli =
  process.env.OPENCLAW_BENCH_CLI ??
  fileURLToPath(new URL("../../../apps/openclaw/dist/cli.js", import.meta.url));
/** Idle time before reading RSS (the goal is stated after 60 s). */
const SETTLE_MS = Number(process.env.OPENCLAW_BENCH_CHANNELS_SETTLE_MS ?? 60_000);
/** Gateways per idle figure (median). */
const RUNS = Number(process.env.OPENCLAW_BENCH_CHANNELS_RUNS ?? 3);
const SESSIONS = Number(process.env.OPENCLAW_BENCH_CHANNELS_SESSIONS ?? 1_000);
const TOKEN = "bench-channels-token-0123456789";
const MB = 1024 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Fakes {
  telegram: FakeTelegramServer;
  discord: FakeDiscordServer;
  slack: FakeSlackServer;
}

type Channel = "telegram" | "discord" | "slack";

/** `channels.*` for the fakes; `telegramAccounts` > 1 adds accounts (each polls its own bot). */
function channelsConfig(fakes: Fakes, channels: Channel[], telegramAccounts = 1): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (channels.includes("telegram")) {
    const account = {
      botToken: fakes.telegram.token,
      apiRoot: fakes.telegram.url,
      dmPolicy: "open",
      allowFrom: ["*"],
      throttle: false,
    };
    config.telegram =
      telegramAccounts === 1
        ? account
        : {
            accounts: Object.fromEntries(
              Array.from({ length: telegramAccounts }, (_, index) => [`bot${index}`, account]),
            ),
          };
  }
  if (channels.includes("discord"))
    config.discord = { token: fakes.discord.token, apiBaseUrl: `${fakes.discord.url}/api` };
  if (channels.includes("slack"))
    config.slack = {
      botToken: fakes.slack.botToken,
      appToken: fakes.slack.appToken,
      apiUrl: fakes.slack.apiUrl,
    };
  return config;
}

interface Running {
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startGateway(config: Record<string, unknown>): Promise<Running> {
  const home = mkdtempSync(join(tmpdir(), "openclaw-bench-channels-"));
  mkdirSync(join(home, "state"), { recursive: true });
  writeFileSync(join(home, "state", "openclaw.json"), JSON.stringify(config, null, 2));
  const port = await freePort();
  const child = spawn(process.execPath, [cli, "gateway", "--port", String(port)], {
    env: { PATH: process.env.PATH, HOME: home, OPENCLAW_STATE_DIR: join(home, "state"), NO_COLOR: "1" },
    stdio: "ignore",
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`);
    const ready = await fetch(`http://127.0.0.1:${port}/ready`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ready) break;
    await sleep(20);
  }
  return {
    child,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Resolves once every configured account reached its fake (Telegram polls, Discord identified, Slack's socket opened). */
async function connected(
  fakes: Fakes,
  channels: Channel[],
  before: { polls: number; identifies: number; sockets: number },
) {
  const polls = () => fakes.telegram.calls.filter((call) => call.method === "getUpdates").length;
  for (let waited = 0; waited < 30_000; waited += 20) {
    const ok =
      (!channels.includes("telegram") || polls() > before.polls) &&
      (!channels.includes("discord") || fakes.discord.identifies.length > before.identifies) &&
      (!channels.includes("slack") || fakes.slack.connectionsOpened > before.sockets);
    if (ok) return;
    await sleep(20);
  }
  throw new Error(`channels did not connect: ${channels.join(", ")}`);
}

const counters = (fakes: Fakes) => ({
  polls: fakes.telegram.calls.filter((call) => call.method === "getUpdates").length,
  identifies: fakes.discord.identifies.length,
  sockets: fakes.slack.connectionsOpened,
});

/** Idle RSS (MB) of gateways with these channels: RUNS gateways side by side, median. */
async function idleRss(fakes: Fakes, channels: Channel[], telegramAccounts = 1): Promise<number> {
  const gateways: Running[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const before = counters(fakes);
      gateways.push(
        await startGateway({
          gateway: { auth: { token: TOKEN } },
          channels: channelsConfig(fakes, channels, telegramAccounts),
        }),
      );
      if (channels.length) await connected(fakes, channels, before);
    }
    await sleep(SETTLE_MS);
    return median(gateways.map((gateway) => (currentRss(gateway.child.pid ?? 0) ?? 0) / MB));
  } finally {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    fakes.telegram.calls.splice(0);
  }
}

/**
 * Telegram + an instant model: RSS idle (connected, no message yet), right after SESSIONS users
 * each had one turn (one DM → one session, `session.dmScope: per-channel-peer`), and SETTLE_MS later.
 */
async function sessionsRss(fakes: Fakes) {
  const model = await startFakeOpenAI();
  model.route("POST /v1/chat/completions", () => openaiChatReply({ text: ["noted"] }));
  const before = counters(fakes);
  const gateway = await startGateway({
    gateway: { auth: { token: TOKEN } },
    session: { dmScope: "per-channel-peer" },
    agents: { defaults: { model: { primary: "fake/model-a" } } },
    models: {
      providers: {
        fake: {
          baseUrl: model.baseURL,
          api: "openai-completions",
          apiKey: "sk-bench",
          models: [{ id: "model-a", name: "model-a", contextWindow: 128000 }],
        },
      },
    },
    channels: channelsConfig(fakes, ["telegram"]),
  });
  const pid = gateway.child.pid ?? 0;
  try {
    await connected(fakes, ["telegram"], before);
    await sleep(SETTLE_MS);
    const idle = (currentRss(pid) ?? 0) / MB;
    const sentBefore = fakes.telegram.sent.length;
    const started = performance.now();
    for (let user = 0; user < SESSIONS; user++) {
      fakes.telegram.inject(
        telegramUpdate("privateText", {
          text: `hello ${user}`,
          fromId: 7_200_000_000 + user,
          messageId: 10_000 + user,
        }),
      );
      // a steady arrival rate rather than one 1,000-update batch
      if (user % 50 === 49) await sleep(50);
    }
    await fakes.telegram.waitFor(() => fakes.telegram.sent.length >= sentBefore + SESSIONS);
    const seconds = (performance.now() - started) / 1000;
    const loaded = (currentRss(pid) ?? 0) / MB;
    model.requests.splice(0);
    fakes.telegram.calls.splice(0);
    await sleep(SETTLE_MS);
    const after = (currentRss(pid) ?? 0) / MB;
    return { idle, loaded, after, seconds };
  } finally {
    await gateway.stop();
    await model.close();
  }
}

/**
 * A few minutes of settling: runs in the full `pnpm bench` and when a filter names it
 * (`pnpm bench channels`), not when a filter only matches its folder (`pnpm bench gateway`).
 */
function selected(): boolean {
  const argv = process.argv.slice(2);
  const filters = argv.filter((arg, index) => !arg.startsWith("--") && argv[index - 1] !== "--compare");
  return filters.length === 0 || filters.some((filter) => filter.includes("channels"));
}

const benchmark: Benchmark = {
  name: "gateway with channels connected (RSS)",
  async run() {
    if (!selected()) {
      process.stderr.write("bench: channels-idle skipped (run `pnpm bench channels` or the full bench)\n");
      return [];
    }
    const fakes: Fakes = {
      telegram: await new FakeTelegramServer().start(),
      discord: await new FakeDiscordServer().start(),
      slack: await new FakeSlackServer().start(),
    };
    const settle = `${Math.round(SETTLE_MS / 1000)} s`;
    try {
      const none = await idleRss(fakes, []);
      const one = await idleRss(fakes, ["telegram"]);
      const three = await idleRss(fakes, ["telegram", "discord", "slack"]);
      const twoAccounts = await idleRss(fakes, ["telegram"], 2);
      const sessions = await sessionsRss(fakes);
      const results: BenchResult[] = [
        {
          name: `gateway idle RSS after ${settle}, no channel`,
          value: none,
          unit: "MB",
          lowerIsBetter: true,
          note: `median of ${RUNS}`,
        },
        {
          name: `gateway idle RSS after ${settle}, Telegram connected`,
          value: one,
          unit: "MB",
          lowerIsBetter: true,
          note: `median of ${RUNS}; long polling against the fake Bot API; was 160–175 MB`,
        },
        {
          name: `gateway idle RSS after ${settle}, Telegram + Discord + Slack connected`,
          value: three,
          unit: "MB",
          lowerIsBetter: true,
          note: `median of ${RUNS}; goal ≤ 75 MB; was 175 MB`,
        },
        {
          name: "RSS per additional channel account (a second Telegram bot)",
          value: twoAccounts - one,
          unit: "MB",
          lowerIsBetter: true,
          note: `${one.toFixed(1)} → ${twoAccounts.toFixed(1)} MB; goal ≤ +15 MB`,
        },
        {
          name: "RSS per additional channel (Discord, Slack after Telegram: mean)",
          value: (three - one) / 2,
          unit: "MB",
          lowerIsBetter: true,
          note: "goal ≤ +15 MB",
        },
        {
          name: `RSS after ${SESSIONS} sessions × one Telegram turn (instant model)`,
          value: sessions.loaded,
          unit: "MB",
          lowerIsBetter: true,
          note: `idle with the provider configured ${sessions.idle.toFixed(1)} MB; ${SESSIONS} replies in ${sessions.seconds.toFixed(1)} s`,
        },
        {
          name: `RSS ${settle} after the ${SESSIONS} sessions, above idle`,
          value: sessions.after - sessions.idle,
          unit: "MB",
          lowerIsBetter: true,
          note: `${sessions.idle.toFixed(1)} → ${sessions.after.toFixed(1)} MB; goal ≤ 20 MB`,
        },
      ];
      return results.map((result) => ({ ...result, value: Number(result.value.toFixed(1)) }));
    } finally {
      await Promise.all([fakes.telegram.close(), fakes.discord.close(), fakes.slack.close()]);
    }
  },
};
export default benchmark;
