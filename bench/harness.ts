import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/** One figure a benchmark produces. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  lowerIsBetter: boolean;
  /** Optional context printed next to the figure (targets, the reference project's figure). */
  note?: string;
}

/** A benchmark file's default export: a list of these. */
export interface Benchmark {
  name: string;
  run(): Promise<BenchResult[]>;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Peak resident set size (VmHWM) of a live process, in bytes; undefined once it has exited. */
export function peakRss(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Current resident set size (VmRSS) of a live process, in bytes. */
export function currentRss(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface ProcessRun {
  wallMs: number;
  /** Highest VmHWM seen while polling /proc every few ms (a lower bound of the true peak). */
  peakRssBytes: number;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Run a whole process and measure what a user feels: wall time from spawn to exit, and peak RSS. */
export function runProcess(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd });
    let stdout = "";
    let stderr = "";
    let peak = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const poll = setInterval(() => {
      if (child.pid) peak = Math.max(peak, peakRss(child.pid) ?? 0);
    }, 2);
    child.on("error", (error) => {
      clearInterval(poll);
      reject(error);
    });
    child.on("exit", (exitCode) => {
      const wallMs = performance.now() - started;
      clearInterval(poll);
      resolve({ wallMs, peakRssBytes: peak, exitCode, stdout, stderr });
    });
  });
}

/** Run a process `runs` times after `warmup` runs; median wall time and median peak RSS. */
export async function timeProcess(
  command: string,
  args: string[],
  { runs = 7, warmup = 1, env }: { runs?: number; warmup?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<{ wallMs: number; peakRssMb: number; lastRun: ProcessRun }> {
  for (let index = 0; index < warmup; index++) await runProcess(command, args, { env });
  const walls: number[] = [];
  const rss: number[] = [];
  let lastRun: ProcessRun | undefined;
  for (let index = 0; index < runs; index++) {
    lastRun = await runProcess(command, args, { env });
    walls.push(lastRun.wallMs);
    rss.push(lastRun.peakRssBytes / (1024 * 1024));
  }
  return { wallMs: median(walls), peakRssMb: median(rss), lastRun: lastRun! };
}
