import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  FakeTelegramServer,
  freePort,
  openaiChatReply,
  startFakeOpenAI,
  telegramUpdate,
} from "@openclaw/testkit";
import WebSocket from "ws";
import { type Benchmark, currentRss, median } from "../../../bench/harness.js";
import { connectFrame } from "./connect-frame.mjs";

// Soak: the built gateway (`pnpm turbo run build --filter=openclaw...` first) with 50 operator
// clients calling `health` once a second and Telegram traffic (fake Bot API, fake OpenAI model,
// default throttling) for OPENCLAW_BENCH_SOAK_SECONDS (default 600; e.g. 60 while developing,
// 3600 for the documented hour). Reports RSS drift (goal < 10 %), event-loop p99 delay inside the
// gateway (goal < 20 ms) and the reply accounting (every message answered exactly once).

const cli = fileURLToPath(new URL("../../../apps/openclaw/dist/cli.js", import.meta.url));
const monitor = new URL("./loop-monitor.mjs", import.meta.url).href;
const SOAK_SECONDS = Number(process.env.OPENCLAW_BENCH_SOAK_SECONDS ?? 600);
const CLIENTS = 50;
/** Telegram messages per second, spread over CHATS chats (each chat's replies throttled to 1/s). */
const MESSAGES_PER_SECOND = 4;
const CHATS = 20;
const TOKEN = "soak-token-0123456789abcdef";
/** The monitor's sampling interval, subtracted from its figures: what is left is the delay. */
const RESOLUTION_MS = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One operator client: connects, then calls `health` every second until `stop()`. */
function client(port: number): Promise<{ stop(): void; calls: () => number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    let calls = 0;
    let timer: NodeJS.Timeout | undefined;
    ws.on("error", reject);
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as {
        type: string;
        event?: string;
        id?: string;
        ok?: boolean;
      };
      if (frame.event === "connect.challenge") ws.send(connectFrame(TOKEN, "soak", ["operator.read"]));
      else if (frame.type === "res" && frame.id === "c") {
        if (!frame.ok) return reject(new Error("connect refused"));
        timer = setInterval(
          () => ws.send(JSON.stringify({ type: "req", id: String(++calls), method: "health" })),
          1_000,
        );
        resolve({
          stop: () => {
            clearInterval(timer);
            ws.close();
          },
          calls: () => calls,
        });
      }
    });
  });
}

async function startGateway(
  config: unknown,
  loopFile: string,
): Promise<{ child: ChildProcess; port: number; home: string }> {
  const home = mkdtempSync(join(tmpdir(), "openclaw-soak-"));
  mkdirSync(join(home, "state"), { recursive: true });
  writeFileSync(join(home, "state", "openclaw.json"), JSON.stringify(config, null, 2));
  const port = await freePort();
  const child = spawn(process.execPath, [cli, "gateway", "--port", String(port)], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      OPENCLAW_STATE_DIR: join(home, "state"),
      NO_COLOR: "1",
      NODE_OPTIONS: `--import ${monitor}`,
      OPENCLAW_BENCH_LOOP_FILE: loopFile,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`);
    const ready = await fetch(`http://127.0.0.1:${port}/ready`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ready) return { child, port, home };
    await sleep(20);
  }
}

async function soak() {
  const telegram = await new FakeTelegramServer().start();
  const model = await startFakeOpenAI();
  model.route("POST /v1/chat/completions", () => openaiChatReply({ text: ["noted"] }));
  const loopDir = mkdtempSync(join(tmpdir(), "openclaw-soak-loop-"));
  let gateway: { child: ChildProcess; port: number; home: string } | undefined;
  const clients: { stop(): void; calls: () => number }[] = [];
  try {
    gateway = await startGateway(soakConfig(telegram, model.baseURL), join(loopDir, "loop.jsonl"));
    for (let i = 0; i < CLIENTS; i += 10)
      clients.push(...(await Promise.all(Array.from({ length: 10 }, () => client(gateway!.port)))));
    return await drive({ telegram, model }, gateway.child.pid ?? 0, join(loopDir, "loop.jsonl"), clients);
  } finally {
    for (const c of clients) c.stop();
    if (gateway && gateway.child.exitCode === null) {
      const child = gateway.child;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    }
    await telegram.close();
    await model.close();
    if (gateway) rmSync(gateway.home, { recursive: true, force: true });
    rmSync(loopDir, { recursive: true, force: true });
  }
}

function soakConfig(telegram: FakeTelegramServer, modelUrl: string) {
  return {
    gateway: { auth: { token: TOKEN } },
    // each message its own turn and reply (the default `collect` merges messages that arrive
    // during a running turn into one reply), so replies can be counted against messages
    messages: { queue: { mode: "followup" } },
    // one session per chat, as for several users: under the default `dmScope: "main"` every
    // private chat shares the agent's main session, so one chat's `/new` stops the turn another
    // chat's message (or the previous `/new` greeting) is running, and that message gets no reply
    session: { dmScope: "per-channel-peer" },
    agents: { defaults: { model: { primary: "fake/model-a" } } },
    models: {
      providers: {
        fake: {
          baseUrl: modelUrl,
          api: "openai-completions",
          apiKey: "sk-soak",
          models: [{ id: "model-a", name: "model-a", contextWindow: 128000 }],
        },
      },
    },
    channels: {
      telegram: {
        botToken: telegram.token,
        apiRoot: telegram.url,
        pollTimeoutSeconds: 1,
        dmPolicy: "open",
        allowFrom: ["*"],
      },
    },
  };
}

/** Traffic for the soak's duration; RSS sampled every 5 s, the loop figures read at the end. */
async function drive(
  fakes: { telegram: FakeTelegramServer; model: { requests: unknown[] } },
  pid: number,
  loopFile: string,
  clients: { calls: () => number }[],
) {
  const { telegram, model } = fakes;
  let injected = 0;
  // every chat starts a new session now and then (`/new`, as a user would), so the sessions'
  // size stays steady and drift measures the gateway, not ever-growing transcripts
  /** Messages sent per chat id: each gets exactly one reply in its own chat. */
  const perChat = new Map<string, number>();
  const inject = () => {
    injected++;
    const reset = injected % (CHATS * 25) < CHATS && injected > CHATS;
    const fromId = 7_100_000_000 + (injected % CHATS);
    perChat.set(String(fromId), (perChat.get(String(fromId)) ?? 0) + 1);
    telegram.inject(
      telegramUpdate("privateText", {
        text: reset ? "/new" : `soak ${injected}`,
        fromId,
        messageId: injected,
      }),
    );
  };
  const replies = () => telegram.sent.filter((sent) => sent.method === "sendMessage");
  // warm-up: the first turn loads the assistant, the provider and the channel path
  inject();
  await telegram.waitForSent(1);
  const traffic = setInterval(inject, 1_000 / MESSAGES_PER_SECOND);
  // warm-up: V8 grows its heap to the working set during the first minutes
  await sleep(Math.max(Math.min(60_000, (SOAK_SECONDS * 1000) / 5), (SOAK_SECONDS * 1000) / 10));
  writeFileSync(`${loopFile}.start`, "");
  const rss: number[] = [];
  const startedAt = Date.now();
  while (Date.now() - startedAt < SOAK_SECONDS * 1000) {
    await sleep(5_000);
    rss.push(currentRss(pid) ?? 0);
    // the fakes record every request; keep the bench process's own memory flat
    model.requests.splice(0);
    telegram.calls.splice(0);
  }
  clearInterval(traffic);
  const loop = existsSync(loopFile)
    ? readFileSync(loopFile, "utf8")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { p99: number; max: number })
        .at(-1)
    : undefined;
  // drain: every injected message answered, none twice
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    telegram.waitFor(() => replies().length >= injected),
    new Promise((resolve) => {
      timer = setTimeout(resolve, 60_000);
    }),
  ]);
  clearTimeout(timer);
  await sleep(2_000);
  // drift = the second half of the run (a leak keeps growing; V8's heap reaching its working
  // set in the first minutes does not); the whole-run growth is reported beside it
  const window = Math.max(1, Math.min(12, Math.floor(rss.length / 10)));
  const firstRss = median(rss.slice(0, window));
  const half = Math.floor(rss.length / 2);
  const startRss = median(rss.slice(half, half + window));
  const endRss = median(rss.slice(-window));
  return {
    driftPercent: ((endRss - startRss) / startRss) * 100,
    firstMb: firstRss / 1024 / 1024,
    startMb: startRss / 1024 / 1024,
    endMb: endRss / 1024 / 1024,
    loopP99: Math.max(0, (loop?.p99 ?? Number.NaN) - RESOLUTION_MS),
    loopMax: Math.max(0, (loop?.max ?? Number.NaN) - RESOLUTION_MS),
    injected,
    ...accounting(perChat, replies()),
    calls: clients.reduce((sum, c) => sum + c.calls(), 0),
  };
}

/** Replies against messages per chat: the messages left unanswered and the extra replies. */
function accounting(perChat: Map<string, number>, replies: { chatId: string }[]) {
  const got = new Map<string, number>();
  for (const reply of replies) got.set(reply.chatId, (got.get(reply.chatId) ?? 0) + 1);
  let missing = 0;
  let extra = 0;
  for (const chat of new Set([...perChat.keys(), ...got.keys()])) {
    const difference = (got.get(chat) ?? 0) - (perChat.get(chat) ?? 0);
    if (difference < 0) missing -= difference;
    else extra += difference;
  }
  return { answered: replies.length, missing, extra };
}

/**
 * Long benches run in the full `pnpm bench` and when a filter names them, not when a filter only
 * matches their folder (`pnpm bench gateway` stays quick).
 */
function selected(word: string): boolean {
  const argv = process.argv.slice(2);
  const filters = argv.filter((arg, index) => !arg.startsWith("--") && argv[index - 1] !== "--compare");
  return filters.length === 0 || filters.some((filter) => filter.includes(word));
}

const benchmark: Benchmark = {
  name: "gateway soak (50 clients + telegram traffic)",
  async run() {
    if (!selected("soak")) {
      process.stderr.write("bench: soak skipped (run `pnpm bench soak` or the full bench)\n");
      return [];
    }
    const result = await soak();
    const span = `${SOAK_SECONDS} s, ${CLIENTS} clients, ${MESSAGES_PER_SECOND} telegram msg/s`;
    return [
      {
        name: "soak: RSS drift (second half of the run)",
        value: Number(result.driftPercent.toFixed(1)),
        unit: "%",
        lowerIsBetter: true,
        note: `second half ${result.startMb.toFixed(1)} → ${result.endMb.toFixed(1)} MB (whole run from ${result.firstMb.toFixed(1)} MB) over ${span}; goal < 10 %`,
      },
      {
        name: "soak: event-loop p99 delay",
        value: Number(result.loopP99.toFixed(1)),
        unit: "ms",
        lowerIsBetter: true,
        note: `max ${result.loopMax.toFixed(0)} ms; ${result.calls} health calls; goal < 20 ms`,
      },
      {
        name: "soak: telegram messages not answered exactly once",
        value: result.missing + result.extra,
        unit: "msgs",
        lowerIsBetter: true,
        note: `${result.injected} sent, ${result.answered} replies (counted per chat: ${result.missing} unanswered, ${result.extra} extra); goal 0`,
      },
    ];
  },
};
export default benchmark;
