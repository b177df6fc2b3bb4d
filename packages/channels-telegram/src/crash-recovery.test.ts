import { telegramUpdate } from "@openclaw/testkit";
import { expect, it } from "vitest";
import { crashHarness } from "./__fixtures__/crash-harness.js";

const harness = crashHarness();
const gateway = (hang: boolean) => harness.gateway(hang);

it("after kill -9 between receipt and reply, every inbound message gets exactly one reply", async () => {
  const first = gateway(true);
  await first.line((l) => l === "ready");
  harness.fake.inject(telegramUpdate("privateText", { text: "avant le crash", messageId: 1 }));
  harness.fake.inject(telegramUpdate("privateText", { text: "deuxième", messageId: 2 }));
  await first.line((l) => l === "turn:avant le crash");
  // both updates are journaled (offset confirmed past them) before the process dies
  await harness.fake.waitFor(() => harness.fake.confirmedOffset > 0 && harness.fake.pendingUpdates === 0);
  first.child.kill("SIGKILL");
  await first.exited;
  expect(harness.fake.sent).toHaveLength(0);

  const second = gateway(false);
  await second.line((l) => l === "ready");
  await harness.fake.waitForSent(2);
  harness.fake.inject(telegramUpdate("privateText", { text: "après", messageId: 3 }));
  await harness.fake.waitForSent(3);
  second.child.kill("SIGTERM");
  await second.exited;

  const third = gateway(false);
  await third.line((l) => l === "ready");
  harness.fake.inject(telegramUpdate("privateText", { text: "encore", messageId: 4 }));
  await harness.fake.waitForSent(4);
  third.child.kill("SIGTERM");
  await third.exited;

  const replies = harness.fake
    .repliesTo(7012345678)
    .map((s) => s.text)
    .sort();
  expect(replies).toEqual(["echo: après", "echo: avant le crash", "echo: deuxième", "echo: encore"]);
}, 30_000);
