import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FakeSignalDaemon, type GatewayChild, spawnGatewayChild } from "@openclaw/testkit";
import { afterEach, beforeEach, expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
let fake: FakeSignalDaemon;
let stateDir: string;
const children: GatewayChild[] = [];
beforeEach(async () => {
  fake = await new FakeSignalDaemon().start();
  stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-signal-crash-"));
});
afterEach(async () => {
  for (const { child } of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await fake.close();
  await rm(stateDir, { recursive: true, force: true });
});

const gateway = (hang: boolean) => {
  const child = spawnGatewayChild(
    path.join(here, "__fixtures__/crash-child.ts"),
    { SIGNAL_URL: fake.url, SIGNAL_ACCOUNT: fake.account, STATE_DIR: stateDir, HANG: hang ? "1" : "0" },
    path.join(here, "../../.."),
  );
  children.push(child);
  return child;
};

it("after kill -9 between receipt and reply, every message gets exactly one reply (counted)", async () => {
  const first = gateway(true);
  await first.line((l) => l === "ready");
  fake.inject(fake.receive("receiveDm", { text: "avant le crash" }));
  fake.inject(fake.receive("receiveDm", { text: "deuxième" }));
  await first.line((l) => l === "turn:avant le crash");
  await first.line((l) => l === "turn:deuxième");
  first.child.kill("SIGKILL");
  await first.exited;
  expect(fake.sent).toHaveLength(0);

  const second = gateway(false);
  await second.line((l) => l === "ready");
  await fake.waitForSent(2);
  fake.inject(fake.receive("receiveDm", { text: "après" }));
  await fake.waitForSent(3);
  second.child.kill("SIGTERM");
  await second.exited;

  expect(fake.sent.map((s) => s.text).sort()).toEqual([
    "echo: après",
    "echo: avant le crash",
    "echo: deuxième",
  ]);
}, 30_000);
