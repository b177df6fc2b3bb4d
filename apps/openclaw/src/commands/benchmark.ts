import type { Command } from "commander";

export interface BenchmarkOptions {
  quick?: boolean;
  model?: string;
  runs?: string;
  json?: boolean;
}

/**
 * `openclaw benchmark [--quick]`: how fast the configured model answers from this machine (time to
 * the first token, tokens per second). The implementation loads only when it runs.
 */
export function registerBenchmark(program: Command): void {
  program
    .command("benchmark")
    .description("time the default model from here: first token and tokens/s")
    .option("--quick", "one short run (default: 3 runs, medians)")
    .option("--model <ref>", "provider/model to time (default: agents.defaults.model)")
    .option("--runs <n>", "number of runs (1–20)")
    .option("--json", "print JSON")
    .action(async (options: BenchmarkOptions) => {
      const { runBenchmark } = await import("./benchmark-impl.js");
      await runBenchmark(options);
    });
}
