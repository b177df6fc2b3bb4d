import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProgram } from "../program.js";

// Test helpers: run the real commander program in-process with captured output, against a temp
// HOME and state dir (never the user's ~/.openclaw).

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh HOME + OPENCLAW_STATE_DIR (0700); returns the state dir. Restore with `restoreEnv`. */
export function useTempState(prefix = "openclaw-cli-"): { root: string; state: string } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const state = join(root, "state");
  mkdirSync(state, { mode: 0o700 });
  process.env.HOME = root;
  process.env.OPENCLAW_STATE_DIR = state;
  for (const name of [
    "OPENCLAW_CONFIG_PATH",
    "OPENCLAW_PROFILE",
    "OPENCLAW_GATEWAY_TOKEN",
    "OPENCLAW_GATEWAY_PASSWORD",
    "OPENCLAW_GATEWAY_PORT",
    "OPENCLAW_GATEWAY_URL",
    "OPENCLAW_LOG_LEVEL",
  ])
    delete process.env[name];
  return { root, state };
}

export async function openclaw(...args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((chunk: string | Uint8Array) =>
    out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) =>
    err.push(String(chunk)) > 0) as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    const code = await runProgram(["node", "openclaw", ...args]);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.exitCode = undefined;
  }
}

/** The CLI from source in a child process (for commands that exit the process when done). */
export async function openclawProcess(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult> {
  const { execFile } = await import("node:child_process");
  const { createRequire } = await import("node:module");
  const cli = join(import.meta.dirname, "../cli.ts");
  const tsx = createRequire(join(import.meta.dirname, "../../../../package.json")).resolve("tsx");
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--conditions=@openclaw/source", "--import", tsx, cli, ...args],
      { env: { ...process.env, NO_COLOR: "1", ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}
