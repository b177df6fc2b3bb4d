import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { FakeTelegramServer, telegramUpdate } from "@openclaw/testkit";
import type { Benchmark } from "../../../bench/harness.js";

// Exactly once under kill -9: the Telegram channel with its DEFAULT throttling + the inbound
// pipeline (journal) + an instant model, killed with SIGKILL at an arbitrary moment while
// messages keep arriving, restarted, killed again… After the last cycle every message must have
// exactly one reply at the fake Bot API (0 lost, 0 doubled).

/** Kill cycles (default 100); OPENCLAW_BENCH_KILL_CYCLES=10 for a quick run. */
const CYCLES = Number(process.env.OPENCLAW_BENCH_KILL_CYCLES ?? 100);
const CHATS = 8;
const child = path.join(import.meta.dirname, "../src/__fixtures__/crash-child.ts");
const tsx = createRequire(path.join(import.meta.dirname, "../../../package.json")).resolve("tsx");

function startChild(fake: FakeTelegramServer, stateDir: string): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ["--conditions=@openclaw/source", "--import", tsx, child], {
    env: { ...process.env, TG_TOKEN: fake.token, TG_API_ROOT: fake.url, STATE_DIR: stateDir, HANG: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let buffer = "";
    proc.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      if (buffer.includes("ready\n")) resolve(proc);
    });
    proc.once("exit", (code) => reject(new Error(`crash child exited early (${code})`)));
  });
}

async function killCycles() {
  const fake = await new FakeTelegramServer().start();
  const stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-kill9-"));
  let injected = 0;
  const inject = () => {
    const chat = 7_000_000_001 + (injected % CHATS);
    injected++;
    fake.inject(telegramUpdate("privateText", { text: `m${injected}`, fromId: chat, messageId: injected }));
  };
  const started = performance.now();
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const proc = await startChild(fake, stateDir);
    // traffic while it runs (several messages per chat, so replies queue in the per-chat
    // throttle), then die at an arbitrary point once replies are flowing
    const sentBefore = fake.sent.length;
    for (let i = 0; i < CHATS * 2; i++) inject();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      fake.waitFor(() => fake.sent.length > sentBefore),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 5_000);
      }),
    ]);
    clearTimeout(timer);
    await new Promise((resolve) => setTimeout(resolve, (cycle * 137) % 1_200));
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill("SIGKILL");
    await exited;
  }
  // last run: drain the backlog, then stop cleanly
  const last = await startChild(fake, stateDir);
  // waits at most 2 min: lost replies never come
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    fake.waitFor(() => new Set(fake.sent.map((s) => s.text)).size >= injected),
    new Promise((resolve) => {
      timer = setTimeout(resolve, 120_000);
    }),
  ]);
  clearTimeout(timer);
  // let any late duplicate arrive before counting
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const exited = new Promise((resolve) => last.once("exit", resolve));
  last.kill("SIGTERM");
  await exited;
  const replies = new Map<string, number>();
  for (const sent of fake.sent) replies.set(sent.text, (replies.get(sent.text) ?? 0) + 1);
  let lost = 0;
  let doubled = 0;
  for (let i = 1; i <= injected; i++) {
    const count = replies.get(`echo: m${i}`) ?? 0;
    if (count === 0) lost++;
    if (count > 1) doubled += count - 1;
  }
  const seconds = (performance.now() - started) / 1000;
  await fake.close();
  await rm(stateDir, { recursive: true, force: true });
  return { injected, lost, doubled, seconds };
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
  name: "telegram kill -9 cycles (default throttling)",
  async run() {
    if (!selected("kill")) {
      process.stderr.write("bench: kill -9 cycles skipped (run `pnpm bench kill9` or the full bench)\n");
      return [];
    }
    const result = await killCycles();
    const note = `${CYCLES} kill -9 cycles, ${result.injected} messages, ${result.seconds.toFixed(0)} s; goal 0`;
    return [
      {
        name: `telegram kill -9 ×${CYCLES}: replies lost`,
        value: result.lost,
        unit: "msgs",
        lowerIsBetter: true,
        note,
      },
      {
        name: `telegram kill -9 ×${CYCLES}: replies doubled`,
        value: result.doubled,
        unit: "msgs",
        lowerIsBetter: true,
        note,
      },
    ];
  },
};
export default benchmark;
