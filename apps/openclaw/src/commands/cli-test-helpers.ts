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
