import { whatsappUpsert } from "@openclaw/testkit";
import { expect, it } from "vitest";
import { useCrashHarness } from "./__fixtures__/crash-harness.js";

const harness = useCrashHarness("openclaw-wa-crash-");
const gateway = (hang: boolean) => harness.gateway(hang);

it("after kill -9 between receipt and reply, every message gets exactly one reply (counted)", async () => {
  const first = gateway(true);
  await first.line((l) => l === "ready");
  harness.fake.inject(whatsappUpsert("dmText", { text: "avant le crash" }));
  harness.fake.inject(whatsappUpsert("dmText", { text: "deuxième" }));
  await first.line((l) => l === "turn:avant le crash");
  await first.line((l) => l === "turn:deuxième");
  first.child.kill("SIGKILL");
  await first.exited;
  expect(harness.fake.sent).toHaveLength(0);

  const second = gateway(false);
  await second.line((l) => l === "ready");
  await harness.fake.waitForSent(2);
  harness.fake.inject(whatsappUpsert("dmText", { text: "après" }));
  await harness.fake.waitForSent(3);
  second.child.kill("SIGTERM");
  await second.exited;

  const replies = harness.fake.sent.map((s) => s.text).sort();
  expect(replies).toEqual(["echo: après", "echo: avant le crash", "echo: deuxième"]);
}, 30_000);
