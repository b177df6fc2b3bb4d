import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";

// Shared by the kill -9 tests (state/crash.test.ts, config/crash.test.ts): the child script
// (crash-child.ts) bundled once per file, a run that is SIGKILLed at a random moment, and a bound
// on how many kill cycles a scenario runs.

/** Kill cycles per scenario at most (CRASH_ITERATIONS, default 60). */
export const ITERATIONS = Number(process.env.CRASH_ITERATIONS ?? 60);
/** Wall-clock budget per scenario once the minimum ran (CRASH_BUDGET_MS, default 2.5 s). */
const BUDGET_MS = Number(process.env.CRASH_BUDGET_MS ?? 2_500);

/**
 * Cycle numbers: at least `min`, then as many as fit in the budget (at most `max`). A busy machine
 * runs fewer cycles instead of timing out; a quiet one runs many.
 */
export function* cycles(max: number, min = 6): Generator<number> {
  const started = performance.now();
  for (let cycle = 0; cycle < max; cycle++) {
    if (cycle >= min && performance.now() - started > BUDGET_MS) return;
    yield cycle;
  }
}

export interface CrashChild {
  script: string;
  compileCache: string;
}

/** Bundle crash-child.ts (one file Node starts fast, with a compile cache). */
export async function bundleCrashChild(): Promise<CrashChild> {
  const out = mkdtempSync(join(tmpdir(), "openclaw-crash-bundle-"));
  await build({
    entryPoints: [join(import.meta.dirname, "crash-child.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    splitting: true,
    outdir: out,
    target: "node22",
    logLevel: "silent",
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  return { script: join(out, "crash-child.js"), compileCache: join(out, "v8-cache") };
}

/**
 * Run the child until it is ready (or, with `afterWrite`, until it reported its first write: an
 * awaited event, so every such cycle covers completed writes), let it write for a random
 * 0–windowMs more, SIGKILL it; returns the writes it reported.
 */
export function runAndKill(
  child: CrashChild,
  mode: string,
  dir: string,
  start: number,
  options: { windowMs?: number; afterWrite?: boolean } = {},
): Promise<number[]> {
  const windowMs = options.windowMs ?? 25;
  const trigger = options.afterWrite ? /^ok \d+\n/m : /^ready\n/m;
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child.script, mode, dir, String(start)], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_COMPILE_CACHE: child.compileCache },
    });
    let stdout = "";
    let stderr = "";
    let armed = false;
    proc.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!armed && trigger.test(stdout)) {
        armed = true;
        setTimeout(() => proc.kill("SIGKILL"), Math.floor(Math.random() * windowMs));
      }
    });
    proc.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    proc.on("error", reject);
    proc.on("exit", (_code, signal) => {
      if (signal !== "SIGKILL") reject(new Error(`child exited on its own: ${stderr}`));
      else resolve([...stdout.matchAll(/^ok (\d+)$/gm)].map((match) => Number(match[1])));
    });
  });
}

/** Run the child to its end (exit 0); resolves with its output. */
export function runToEnd(child: CrashChild, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child.script, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_COMPILE_CACHE: child.compileCache },
    });
    let output = "";
    proc.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    proc.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    proc.on("error", reject);
    proc.on("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(output))));
  });
}
