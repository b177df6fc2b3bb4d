import type { BenchmarkOptions } from "./benchmark.js";

const PROMPT = "Count from 1 to 40, numbers separated by spaces, nothing else.";
const MAX_OUTPUT_TOKENS = 200;
const TIMEOUT_MS = 120_000;

interface Run {
  firstTokenMs: number | null;
  totalMs: number;
  outputTokens: number;
  /** true when the provider reported no usage and tokens were estimated from the text (4 chars ≈ 1). */
  estimated: boolean;
  tokensPerSecond: number | null;
}

function fail(message: string, code = 1): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = code;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Generation speed: tokens after the first one over the time after the first one. */
function rate(run: Omit<Run, "tokensPerSecond">): number | null {
  if (run.firstTokenMs === null || run.outputTokens < 2) return null;
  const generating = run.totalMs - run.firstTokenMs;
  return generating > 0 ? ((run.outputTokens - 1) * 1000) / generating : null;
}

function runCount(options: BenchmarkOptions): number | undefined {
  if (options.runs === undefined) return options.quick ? 1 : 3;
  const runs = Number(options.runs);
  return Number.isInteger(runs) && runs >= 1 && runs <= 20 ? runs : undefined;
}

export async function runBenchmark(options: BenchmarkOptions): Promise<void> {
  const runs = runCount(options);
  if (runs === undefined) return fail(`openclaw benchmark: --runs must be a whole number from 1 to 20`, 2);
  const { ConfigError } = await import("@openclaw/core/config");
  const { openModelCaller } = await import("./model-call.js");
  let caller: Awaited<ReturnType<typeof openModelCaller>>;
  try {
    caller = await openModelCaller();
  } catch (error) {
    if (ConfigError.isInstance(error)) return fail(`openclaw benchmark: ${error.message}`);
    throw error;
  }
  const { parseModelRef } = await import("@openclaw/core");
  const ref = options.model ?? caller.refs[0]!;
  const { problem } = await caller.auth(parseModelRef(ref).provider);
  if (problem) return fail(`openclaw benchmark: ${ref}: ${problem}`);
  if (!options.json) process.stdout.write(`Model: ${ref}\n`);
  const results: Run[] = [];
  for (let index = 0; index < runs; index++) {
    const started = performance.now();
    let firstTokenMs: number | null = null;
    let reply: { text: string; outputTokens: number };
    try {
      reply = await caller.call(ref, PROMPT, {
        maxOutputTokens: MAX_OUTPUT_TOKENS,
        timeoutMs: TIMEOUT_MS,
        onText: () => {
          firstTokenMs ??= performance.now() - started;
        },
      });
    } catch (error) {
      return fail(`openclaw benchmark: ${ref}: ${(error as Error).message.split("\n")[0]}`);
    }
    const totalMs = performance.now() - started;
    const estimated = reply.outputTokens <= 0;
    const outputTokens = estimated ? Math.max(1, Math.round(reply.text.length / 4)) : reply.outputTokens;
    const run = { firstTokenMs, totalMs, outputTokens, estimated };
    results.push({ ...run, tokensPerSecond: rate(run) });
    if (!options.json) process.stdout.write(`${describe(`Run ${index + 1}`, results.at(-1)!)}\n`);
  }
  const summary = summarize(results);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ model: ref, runs: results, median: summary }, null, 2)}\n`);
    return;
  }
  if (runs > 1) process.stdout.write(`${describe("Median", summary)}\n`);
}

function summarize(results: Run[]): Run {
  const firsts = results.flatMap((run) => (run.firstTokenMs === null ? [] : [run.firstTokenMs]));
  const rates = results.flatMap((run) => (run.tokensPerSecond === null ? [] : [run.tokensPerSecond]));
  return {
    firstTokenMs: firsts.length ? median(firsts) : null,
    totalMs: median(results.map((run) => run.totalMs)),
    outputTokens: median(results.map((run) => run.outputTokens)),
    estimated: results.some((run) => run.estimated),
    tokensPerSecond: rates.length ? median(rates) : null,
  };
}

function describe(label: string, run: Run): string {
  const first = run.firstTokenMs === null ? "no text" : `first token ${Math.round(run.firstTokenMs)} ms`;
  const speed = run.tokensPerSecond === null ? "speed n/a" : `${run.tokensPerSecond.toFixed(1)} tokens/s`;
  const tokens = `${Math.round(run.outputTokens)}${run.estimated ? " (estimated)" : ""} tokens`;
  return `${label}: ${first}, ${tokens} in ${(run.totalMs / 1000).toFixed(2)} s, ${speed}`;
}
