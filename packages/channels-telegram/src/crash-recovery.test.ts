import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FakeTelegramServer, telegramUpdate } from "@openclaw/testkit";
import { afterEach, beforeEach, expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const tsx = createRequire(path.join(here, "../../../package.json")).resolve("tsx");

let fake: FakeTelegramServer;
let stateDir: string;
const children: ChildProcess[] = [];
beforeEach(async () => {
  fake = await new FakeTelegramServer().start();
  stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-crash-"));
});
afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await fake.close();
  await rm(stateDir, { recursive: true, force: true });
});

function gateway(hang: boolean) {
  const child = spawn(
    process.execPath,
    ["--conditions=@openclaw/source", "--import", tsx, path.join(here, "__fixtures__/crash-child.ts")],
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
  return {
    child,
    exited,
    stderr: () => stderr,
    line: (match: (l: string) => boolean) =>
      lines.some(match)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ match, resolve })),
  };
}

it("after kill -9 between receipt and reply, every inbound message gets exactly one reply", async () => {
  const first = gateway(true);
  await first.line((l) => l === "ready");
  fake.inject(telegramUpdate("privateText", { text: "avant le crash", messageId: 1 }));
  fake.inject(telegramUpdate("privateText", { text: "deuxième", messageId: 2 }));
  await first.line((l) => l === "turn:avant le crash");
  // both updates are journaled (offset confirmed past them) before the process dies
  await fake.waitFor(() => fake.confirmedOffset > 0 && fake.pendingUpdates === 0);
  first.child.kill("SIGKILL");
  await first.exited;
  expect(fake.sent).toHaveLength(0);

  const second = gateway(false);
  await second.line((l) => l === "ready");
  await fake.waitForSent(2);
  fake.inject(telegramUpdate("privateText", { text: "après", messageId: 3 }));
  await fake.waitForSent(3);
  second.child.kill("SIGTERM");
  await second.exited;

  const third = gateway(false);
  await third.line((l) => l === "ready");
  fake.inject(telegramUpdate("privateText", { text: "encore", messageId: 4 }));
  await fake.waitForSent(4);
  third.child.kill("SIGTERM");
  await third.exited;

  const replies = fake
    .repliesTo(7012345678)
    .map((s) => s.text)
    .sort();
  expect(replies).toEqual(["echo: après", "echo: avant le crash", "echo: deuxième", "echo: encore"]);
}, 30_000);
