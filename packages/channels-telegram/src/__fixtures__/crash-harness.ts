import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FakeTelegramServer } from "@openclaw/testkit";
import { afterEach, beforeEach } from "vitest";

// The kill -9 tests' set-up (one test per file, so the two run side by side): a fake Bot API per
// test, and `gateway(hang)`, which spawns crash-child.ts on it with the test's state dir and
// follows its stdout lines.

const here = path.dirname(fileURLToPath(import.meta.url));
const tsx = createRequire(path.join(here, "../../../../package.json")).resolve("tsx");

export function crashHarness(): { readonly fake: FakeTelegramServer; gateway(hang: boolean): CrashChild } {
  let fake: FakeTelegramServer | undefined;
  let stateDir = "";
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    fake = await new FakeTelegramServer().start();
    stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-crash-"));
  });
  afterEach(async () => {
    for (const child of children.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await fake?.close();
    await rm(stateDir, { recursive: true, force: true });
  });
  return {
    get fake() {
      if (!fake) throw new Error("the fake Bot API starts in beforeEach");
      return fake;
    },
    gateway(hang: boolean) {
      if (!fake) throw new Error("the fake Bot API starts in beforeEach");
      return gateway(hang, fake, stateDir, children);
    },
  };
}

export type CrashChild = ReturnType<typeof gateway>;

function gateway(hang: boolean, fake: FakeTelegramServer, stateDir: string, children: ChildProcess[]) {
  const child = spawn(
    process.execPath,
    ["--conditions=@openclaw/source", "--import", tsx, path.join(here, "crash-child.ts")],
    {
      env: {
        ...process.env,
        TG_TOKEN: fake.token,
        TG_API_ROOT: fake.url,
        STATE_DIR: stateDir,
        HANG: hang ? "1" : "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.push(child);
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
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // stdout fully read: a line the child never printed will not come (fail now, not at the timeout)
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  return {
    child,
    exited,
    stderr: () => stderr,
    line: (match: (l: string) => boolean) =>
      lines.some(match)
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => waiters.push({ match, resolve })),
            closed.then(() => {
              if (!lines.some(match))
                throw new Error(`the child exited without that line; stderr: ${stderr}`);
            }),
          ]),
  };
}
