import { spawn } from "node:child_process";

export interface CommandResult {
  ok: boolean;
  exitCode: number | null;
  timedOut: boolean;
  output: string;
  error?: string;
}

const OUTPUT_MAX = 64 * 1024;
const DEFAULT_TIMEOUT_SECONDS = 600;

/**
 * Run a cron `command` payload: its own process group, stdout+stderr captured (last 64 KiB),
 * killed with the whole group at its timeout (SIGTERM, SIGKILL 2 s later).
 */
export function runCommand(options: {
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
  input?: string;
  timeoutSeconds?: number;
}): Promise<CommandResult> {
  const timeoutMs = (options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  return new Promise((resolve) => {
    const [file, ...args] = options.argv;
    const child = spawn(file!, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    let timedOut = false;
    const collect = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (output.length > OUTPUT_MAX) output = output.slice(-OUTPUT_MAX);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        child.kill(signal);
      }
    };
    let hardKill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup("SIGTERM");
      hardKill = setTimeout(() => killGroup("SIGKILL"), 2_000);
    }, timeoutMs);
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
    child.once("error", (error) => {
      clearTimeout(timer);
      resolve({ ok: false, exitCode: null, timedOut: false, output, error: error.message });
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (hardKill) clearTimeout(hardKill);
      const seconds = timeoutMs / 1000;
      const error = timedOut
        ? `command timed out after ${seconds}s (killed)`
        : code === 0
          ? undefined
          : `command exited with ${code === null ? `signal ${signal}` : `code ${code}`}`;
      resolve({ ok: !timedOut && code === 0, exitCode: code, timedOut, output, ...(error ? { error } : {}) });
    });
  });
}
