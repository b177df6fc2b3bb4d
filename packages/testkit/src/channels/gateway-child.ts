import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

export interface GatewayChild {
  child: ChildProcess;
  exited: Promise<void>;
  stderr(): string;
  /** Resolves when the child printed a line matching `match` (already printed ones count). */
  line(match: (line: string) => boolean): Promise<void>;
  lines: string[];
}

/**
 * Run a TypeScript gateway-like script (a channel manager against a fake) in its own Node process,
 * from source, so a test can `kill -9` it between receipt and reply and start it again.
 * `repoRoot` is the monorepo root (tsx is resolved from there).
 */
export function spawnGatewayChild(script: string, env: NodeJS.ProcessEnv, repoRoot: string): GatewayChild {
  const tsx = createRequire(path.join(repoRoot, "package.json")).resolve("tsx");
  const child = spawn(process.execPath, ["--conditions=@openclaw/source", "--import", tsx, script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters: { match: (l: string) => boolean; resolve: () => void }[] = [];
  let buffer = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiters]) {
        if (!w.match(line)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    exited,
    lines,
    stderr: () => stderr,
    line: (match) =>
      lines.some(match)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ match, resolve })),
  };
}
