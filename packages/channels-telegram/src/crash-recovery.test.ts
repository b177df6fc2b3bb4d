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

it("kill -9 during a throttled backlog (default settings): every message answered exactly once", async () => {
  // 4 chats × 4 messages: Telegram's default throttle sends one message per second per chat, so
  // most replies wait in the throttle queue when the process dies.
  const chats = [7012345601, 7012345602, 7012345603, 7012345604];
  const expected: string[] = [];
  const first = gateway(false);
  await first.line((l) => l === "ready");
  let messageId = 1;
  for (let round = 0; round < 4; round++)
    for (const chat of chats) {
      const text = `m${round}-${chat}`;
      expected.push(`${chat} echo: ${text}`);
      fake.inject(telegramUpdate("privateText", { text, fromId: chat, messageId: messageId++ }));
    }
  // every message has started its turn (the replies are queued) and a few replies went out
  for (const text of expected) await first.line((l) => l === `turn:${text.split("echo: ")[1]}`);
  await fake.waitForSent(chats.length + 1);
  first.child.kill("SIGKILL");
  await first.exited;
  const beforeRestart = fake.sent.length;
  expect(beforeRestart).toBeLessThan(expected.length);

  const second = gateway(false);
  await second.line((l) => l === "ready");
  // safety net only: on failure the missing replies never come
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    fake.waitForSent(expected.length),
    new Promise((resolve) => {
      timer = setTimeout(resolve, 20_000);
    }),
  ]);
  clearTimeout(timer);
  second.child.kill("SIGTERM");
  await second.exited;
  const replies = fake.sent.map((sent) => `${sent.chatId} ${sent.text}`).sort();
  // 0 lost, 0 doubled
  expect(replies).toEqual(expected.sort());
}, 45_000);
