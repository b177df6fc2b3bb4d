import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";

/** The absolute path `program` runs as (PATH lookup for a bare name), or undefined. */
export function whichSync(
  program: string,
  options: { cwd?: string; path?: string } = {},
): string | undefined {
  const executable = (candidate: string) => {
    try {
      accessSync(candidate, constants.X_OK);
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  };
  if (program.includes("/")) {
    const candidate = isAbsolute(program) ? program : resolve(options.cwd ?? process.cwd(), program);
    return executable(candidate) ? candidate : undefined;
  }
  for (const dir of (options.path ?? process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

export interface RunOptions {
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Most bytes kept of stdout and of stderr each (default 200 000); the rest is dropped and said so. */
  maxOutputBytes?: number;
  signal?: AbortSignal;
}

export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** True when stdout or stderr went over `maxOutputBytes`; the text ends with a note. */
  truncated: boolean;
  success: boolean;
  error?: string;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 200_000;

/** Run `argv` (no shell unless argv is one), capture capped output, kill on timeout. */
export function runProcess(options: RunOptions): Promise<RunResult> {
  const max = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  return new Promise((resolvePromise) => {
    const out = {
      stdout: [] as Buffer[],
      stderr: [] as Buffer[],
      bytes: { stdout: 0, stderr: 0 },
      dropped: { stdout: 0, stderr: 0 },
    };
    let timedOut = false;
    let settled = false;
    const child = spawn(options.argv[0]!, options.argv.slice(1), {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const collect = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
      const room = max - out.bytes[stream];
      if (room > 0) {
        out[stream].push(chunk.subarray(0, room));
        out.bytes[stream] += Math.min(room, chunk.length);
      }
      if (chunk.length > room) out.dropped[stream] += chunk.length - Math.max(room, 0);
    };
    child.stdout.on("data", collect("stdout"));
    child.stderr.on("data", collect("stderr"));
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill("SIGKILL");
        }, options.timeoutMs)
      : undefined;
    const onAbort = () => child.kill("SIGKILL");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const text = (stream: "stdout" | "stderr") => {
      const body = Buffer.concat(out[stream]).toString("utf8");
      const dropped = out.dropped[stream];
      return dropped
        ? `${body}\n[output truncated: ${dropped} more bytes of ${stream} dropped (cap ${max} bytes)]`
        : body;
    };
    const finish = (exitCode: number | null, signal: string | null, error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      resolvePromise({
        exitCode,
        signal,
        stdout: text("stdout"),
        stderr: text("stderr"),
        timedOut,
        truncated: out.dropped.stdout > 0 || out.dropped.stderr > 0,
        success: exitCode === 0 && !timedOut,
        ...(error ? { error } : {}),
      });
    };
    child.on("error", (error) => finish(null, null, error.message));
    child.on("close", (code, signal) => finish(code, signal));
  });
}
