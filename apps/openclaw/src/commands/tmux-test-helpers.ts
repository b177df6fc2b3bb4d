// Drive an interactive command in a real pseudo-terminal: a detached tmux session on a private
// tmux server (its own socket; the user's tmux is never touched). Keys are sent with send-keys,
// the screen is read with capture-pane.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const SOCKET = `openclaw-test-${process.pid}`;

/** The CLI from source, as argv for a shell command line. */
export function cliCommand(...args: string[]): string[] {
  const tsx = createRequire(join(import.meta.dirname, "../../../../package.json")).resolve("tsx");
  return [
    process.execPath,
    "--conditions=@openclaw/source",
    "--import",
    tsx,
    join(import.meta.dirname, "../cli.ts"),
    ...args,
  ];
}

const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

export class TmuxSession {
  private constructor(readonly name: string) {}

  static async start(
    command: string[],
    env: Record<string, string>,
    size = { width: 110, height: 36 },
  ): Promise<TmuxSession> {
    const name = `s${Math.random().toString(36).slice(2, 8)}`;
    const line = ["env", ...Object.entries(env).map(([key, value]) => `${key}=${value}`), ...command]
      .map(quote)
      .join(" ");
    await run("tmux", [
      "-L",
      SOCKET,
      "-f",
      "/dev/null",
      "new-session",
      "-d",
      "-s",
      name,
      "-x",
      String(size.width),
      "-y",
      String(size.height),
      line,
    ]);
    await run("tmux", ["-L", SOCKET, "set-option", "-t", name, "remain-on-exit", "on"]);
    return new TmuxSession(name);
  }

  /** Named keys (Enter, Escape, Down, C-c, …). */
  async keys(...keys: string[]): Promise<void> {
    await run("tmux", ["-L", SOCKET, "send-keys", "-t", this.name, ...keys]);
  }

  /** Literal text. */
  async type(text: string): Promise<void> {
    await run("tmux", ["-L", SOCKET, "send-keys", "-t", this.name, "-l", text]);
  }

  async screen(): Promise<string> {
    const { stdout } = await run("tmux", ["-L", SOCKET, "capture-pane", "-p", "-J", "-t", this.name]);
    return stdout;
  }

  /** Wait until the screen shows `pattern`; the screen at that moment. */
  async waitFor(pattern: RegExp | string, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      last = await this.screen();
      if (typeof pattern === "string" ? last.includes(pattern) : pattern.test(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${String(pattern)}; the screen was:\n${last}`);
  }

  /** Whether the command has exited (the pane stays, remain-on-exit). */
  async exited(): Promise<boolean> {
    const { stdout } = await run("tmux", [
      "-L",
      SOCKET,
      "display-message",
      "-p",
      "-t",
      this.name,
      "#{pane_dead}",
    ]);
    return stdout.trim() === "1";
  }

  async kill(): Promise<void> {
    await run("tmux", ["-L", SOCKET, "kill-session", "-t", this.name]).catch(() => undefined);
  }
}

/** Stop the private tmux server (after the last session of a test file). */
export async function killTmuxServer(): Promise<void> {
  await run("tmux", ["-L", SOCKET, "kill-server"]).catch(() => undefined);
}
