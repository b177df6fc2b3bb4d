import { readFileSync } from "node:fs";
import { spawnGatewayChild } from "./gateway-child.js";

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
};

/**
 * Inbound → reply through a channel and its fake: a burst of `messages` (throughput, p99 of the
 * burst) then `sequential` single messages (p50/p99 without queueing). The assistant must answer
 * `echo: <text>`; `replies()` lists the texts the fake received so far.
 */
export async function measureChannelThroughput(options: {
  inject(text: string, index: number): void;
  replies(): readonly string[];
  waitFor(check: () => boolean, timeoutMs?: number): Promise<void>;
  messages: number;
  sequential?: number;
}): Promise<{ perSecond: number; burstP99: number; p50: number; p99: number }> {
  options.inject("warm", -1);
  await options.waitFor(() => options.replies().includes("echo: warm"), 30_000);
  const injectedAt = new Map<string, number>();
  const latencies: number[] = [];
  const base = options.replies().length;
  const started = performance.now();
  for (let i = 0; i < options.messages; i++) {
    injectedAt.set(`echo: m${i}`, performance.now());
    options.inject(`m${i}`, i);
  }
  let seen = base;
  await options.waitFor(() => {
    const replies = options.replies();
    for (; seen < replies.length; seen++) {
      const at = injectedAt.get(replies[seen] ?? "");
      if (at !== undefined) latencies.push(performance.now() - at);
    }
    return replies.length >= base + options.messages;
  }, 120_000);
  const elapsed = performance.now() - started;
  const sequential: number[] = [];
  for (let i = 0; i < (options.sequential ?? 100); i++) {
    const before = options.replies().length;
    const t0 = performance.now();
    options.inject(`s${i}`, options.messages + i);
    await options.waitFor(() => options.replies().length > before, 30_000);
    sequential.push(performance.now() - t0);
  }
  return {
    perSecond: (options.messages / elapsed) * 1000,
    burstP99: percentile(latencies, 99),
    p50: percentile(sequential, 50),
    p99: percentile(sequential, 99),
  };
}

const rssOf = (pid: number) => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) * 1024 : 0;
};

/**
 * RSS of a gateway-like child once it printed `ready` (after a short settle and a GC when
 * exposed), in bytes. Run it with and without the channel to get the RSS one connected channel adds.
 */
export async function measureChildRss(
  script: string,
  env: NodeJS.ProcessEnv,
  repoRoot: string,
): Promise<number> {
  const child = spawnGatewayChild(script, env, repoRoot);
  try {
    await Promise.race([
      child.line((l) => l === "ready"),
      child.exited.then(() => {
        throw new Error(`child exited before ready: ${child.stderr().slice(-500)}`);
      }),
    ]);
    await new Promise((r) => setTimeout(r, 1_000));
    return rssOf(child.child.pid ?? 0);
  } finally {
    child.child.kill("SIGKILL");
    await child.exited;
  }
}

/**
 * RSS one connected channel adds: the gateway-like child with the channel connected minus the same
 * child with `BASELINE=1` (no channel), alternated `samples` times, medians compared.
 */
export async function measureRssAdded(
  script: string,
  env: NodeJS.ProcessEnv,
  repoRoot: string,
  samples = 3,
): Promise<{ addedBytes: number; baselineBytes: number }> {
  const baseline: number[] = [];
  const connected: number[] = [];
  for (let i = 0; i < samples; i++) {
    baseline.push(await measureChildRss(script, { ...env, BASELINE: "1" }, repoRoot));
    connected.push(await measureChildRss(script, env, repoRoot));
  }
  const base = percentile(baseline, 50);
  return { addedBytes: percentile(connected, 50) - base, baselineBytes: base };
}
