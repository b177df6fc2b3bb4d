// `pnpm bench [filter] [--compare <file>]`: run every bench/*.bench.ts and packages/*/bench/*.bench.ts,
// print a table, write bench/results/latest.json; with --compare, print the ratio to an earlier file.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import type { Benchmark, BenchResult } from "../bench/harness.js";

interface StoredResult extends BenchResult {
  gitSha: string;
  node: string;
  date: string;
}

const root = join(import.meta.dirname, "..");
const argv = process.argv.slice(2);
let compareFile: string | undefined;
const filters: string[] = [];
for (let index = 0; index < argv.length; index++) {
  if (argv[index] === "--compare") compareFile = argv[++index];
  else filters.push(argv[index]!);
}
if (compareFile !== undefined && !existsSync(compareFile)) {
  console.error(`bench: --compare file not found: ${compareFile}`);
  process.exit(2);
}

function benchFiles(): string[] {
  const dirs = [join(root, "bench")];
  for (const group of ["packages", "apps"]) {
    for (const name of readdirSync(join(root, group))) dirs.push(join(root, group, name, "bench"));
  }
  const files: string[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) if (file.endsWith(".bench.ts")) files.push(join(dir, file));
  }
  return files.filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)));
}

function gitSha(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return "unknown";
  }
}

const sha = gitSha();
const date = new Date().toISOString();
const results: StoredResult[] = [];
let failures = 0;
for (const file of benchFiles()) {
  const module = (await import(pathToFileURL(file).href)) as { default: Benchmark | Benchmark[] };
  const benchmarks = Array.isArray(module.default) ? module.default : [module.default];
  for (const benchmark of benchmarks) {
    process.stderr.write(`bench: ${relative(root, file)} › ${benchmark.name} …\n`);
    try {
      for (const result of await benchmark.run()) {
        results.push({ ...result, gitSha: sha, node: process.versions.node, date });
      }
    } catch (error) {
      failures++;
      console.error(
        `bench: ${benchmark.name} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

const previous = new Map<string, StoredResult>();
if (compareFile) {
  for (const entry of JSON.parse(readFileSync(compareFile, "utf8")) as StoredResult[])
    previous.set(entry.name, entry);
}
const format = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3));
const rows = results.map((result) => {
  const before = previous.get(result.name);
  const ratio = before && before.value !== 0 ? result.value / before.value : undefined;
  const better =
    ratio === undefined
      ? ""
      : (result.lowerIsBetter ? ratio < 1 : ratio > 1)
        ? " (better)"
        : ratio === 1
          ? ""
          : " (worse)";
  return [
    result.name,
    `${format(result.value)} ${result.unit}`,
    ratio === undefined ? "" : `${ratio.toFixed(2)}x${better}`,
    result.note ?? "",
  ];
});
const headers = ["benchmark", "value", compareFile ? "vs earlier" : "", "note"];
const widths = headers.map((header, column) =>
  Math.max(header.length, ...rows.map((row) => row[column]!.length)),
);
const line = (cells: string[]) =>
  cells
    .map((cell, column) => cell.padEnd(widths[column]!))
    .join("  ")
    .trimEnd();
console.log(line(headers));
console.log(widths.map((width) => "-".repeat(width)).join("  "));
for (const row of rows) console.log(line(row));

mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(join(root, "bench/results/latest.json"), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote bench/results/latest.json (${results.length} figures)`);
if (failures > 0) process.exitCode = 1;
