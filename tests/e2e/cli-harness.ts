import { type ChildProcess, execFile } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

// What the e2e files share: the built CLI (build first: `pnpm turbo run build --filter=@openclaw/cli...`),
// running it, and waiting for a gateway it started.

export const cli = join(import.meta.dirname, "../../apps/openclaw/dist/cli.js");

/** A stack trace in a CLI's output (a user never sees one). */
export const STACK = /\n\s+at .+\(.+:\d+:\d+\)/;

export interface CliResult {
  /** The exit code; -1 when the CLI was killed (the 15 s timeout), never mistaken for an exit code. */
  code: number;
  stdout: string;
  stderr: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as { port: number };
      server.close(() => resolve(address.port));
    });
  });
}

/** Run `openclaw <args>` with exactly `env`. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cli, ...args],
      { env, timeout: 15_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
      },
    );
    // no terminal, no piped input: a command that reads stdin (paste-token) sees its end at once
    child.stdin?.end();
  });
}

/** Resolves once the child's output (collected into `sink.text`) matches; rejects if it exits first. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, sink: { text: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      sink.text += chunk.toString();
      if (pattern.test(sink.text)) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`gateway exited ${code}: ${sink.text}`)));
  });
}
