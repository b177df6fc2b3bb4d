import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Benchmark, type BenchResult, percentile } from "../../../bench/harness.js";
import { CronService } from "../src/cron/index.js";
import type { CronJob } from "../src/cron/types.js";

const JOBS = Number(process.env.CRON_BENCH_JOBS ?? 10_000);
const DUE = Number(process.env.CRON_BENCH_DUE ?? 100);
const IDLE_MS = Number(process.env.CRON_BENCH_IDLE_MS ?? 5_000);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 10,000 jobs as users write them: hourly/daily schedules, cron expressions with zones, one-shots. */
function jobs(now: number): CronJob[] {
  return Array.from({ length: JOBS }, (_, index): CronJob => {
    const kind = index % 3;
    const schedule: CronJob["schedule"] =
      kind === 0
        ? { kind: "every", everyMs: 3_600_000, anchorMs: now + 600_000 + index }
        : kind === 1
          ? { kind: "cron", expr: `${index % 60} ${index % 24} * * *`, tz: "Europe/Paris" }
          : { kind: "at", at: new Date(now + 86_400_000 + index * 1_000).toISOString() };
    return {
      id: `job-${index}`,
      name: `job ${index}`,
      enabled: true,
      createdAtMs: now,
      updatedAtMs: now,
      schedule,
      sessionTarget: "isolated",
      wakeMode: "now",
      payload: { kind: "agentTurn", message: `report ${index}` },
      state: {},
    };
  });
}

async function run(): Promise<BenchResult[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "openclaw-cron-bench-"));
  try {
    const stateDir = path.join(dir, "state");
    await mkdir(path.join(stateDir, "cron"), { recursive: true });
    // among them DUE one-shots falling due one every 50 ms, from 1 s after the idle measurement
    const now = Date.now();
    const dueStart = now + IDLE_MS + 8_000;
    const scheduled = new Map<string, number>();
    const all = jobs(now);
    for (let index = 0; index < DUE; index++) {
      const at = dueStart + index * 50;
      scheduled.set(all[index * 3 + 2]!.id, at);
      all[index * 3 + 2]!.schedule = { kind: "at", at: new Date(at).toISOString() };
    }
    await writeFile(path.join(stateDir, "cron", "jobs.json"), JSON.stringify({ version: 1, jobs: all }));
    const latencies: number[] = [];
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const service = new CronService({
      stateDir,
      config: () => ({ cron: { maxConcurrentRuns: 4 } }),
      env: {},
      logger: quiet,
      execute: async (job) => {
        const due = scheduled.get(job.id);
        if (due !== undefined) latencies.push(Date.now() - due);
        return { status: "ok" };
      },
    });
    const loadStarted = performance.now();
    await service.start();
    const loadMs = performance.now() - loadStarted;
    if (Date.now() + IDLE_MS + 1_000 > dueStart) throw new Error("loading took too long for the idle window");
    global.gc?.();
    const rssAdded = process.memoryUsage().rss - rssBefore;
    // idle: nothing due for the next minutes
    const cpuBefore = process.cpuUsage();
    await sleep(IDLE_MS);
    const cpu = process.cpuUsage(cpuBefore);
    const idleCpuPercent = ((cpu.user + cpu.system) / 1_000 / IDLE_MS) * 100;
    const deadline = dueStart + DUE * 50 + 30_000;
    while (latencies.length < DUE && Date.now() < deadline) await sleep(50);
    await service.idle();
    await service.stop();
    return [
      { name: `cron: load ${JOBS} jobs`, value: Math.round(loadMs), unit: "ms", lowerIsBetter: true },
      {
        name: `cron: RSS added by ${JOBS} jobs`,
        value: Math.round(rssAdded / 1024 / 1024),
        unit: "MB",
        lowerIsBetter: true,
      },
      {
        name: `cron: scheduler CPU at idle (${JOBS} jobs)`,
        value: Number(idleCpuPercent.toFixed(2)),
        unit: "% of a core",
        lowerIsBetter: true,
      },
      {
        name: `cron: due-job start latency p99 (${DUE} due among ${JOBS})`,
        value: latencies.length ? percentile(latencies, 99) : Number.NaN,
        unit: "ms",
        lowerIsBetter: true,
        note: `p50 ${latencies.length ? percentile(latencies, 50) : "-"} ms; ${latencies.length}/${DUE} ran`,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export default [{ name: "cron scheduler (10,000 jobs)", run }] satisfies Benchmark[];
