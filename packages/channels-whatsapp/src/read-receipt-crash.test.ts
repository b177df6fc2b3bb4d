// Baileys itself sends WhatsApp's delivery receipt before it emits messages.upsert (see
// docs/channels.md); the read receipt is the channel's own acknowledgement and follows the journal.
import { readFileSync } from "node:fs";
import path from "node:path";
import { whatsappUpsert } from "@openclaw/testkit";
import { expect, it } from "vitest";
import { useCrashHarness } from "./__fixtures__/crash-harness.js";

const harness = useCrashHarness("openclaw-wa-read-");
const gateway = (hang: boolean) => harness.gateway(hang);

it("the read receipt goes out only once the message is journaled: kill -9 at the receipt, the restarted gateway answers it once", async () => {
  const first = gateway(true);
  await first.line((l) => l === "ready");
  const journaledAtReceipt: boolean[] = [];
  harness.fake.onRead = (id) => {
    // the instant WhatsApp hears "read": the message must already be on disk
    journaledAtReceipt.push(
      readFileSync(path.join(harness.stateDir, "channels", "inbox.jsonl"), "utf8").includes(id),
    );
    first.child.kill("SIGKILL");
  };
  const upsert = whatsappUpsert("dmText", { text: "lu puis tué" });
  harness.fake.inject(upsert);
  await first.exited;
  harness.fake.onRead = undefined;
  expect(journaledAtReceipt).toEqual([true]);
  expect(harness.fake.sent).toHaveLength(0);

  const second = gateway(false);
  await second.line((l) => l === "ready");
  await harness.fake.waitForSent(1);
  harness.fake.inject(whatsappUpsert("dmText", { text: "ensuite" }));
  await harness.fake.waitForSent(2);
  second.child.kill("SIGTERM");
  await second.exited;
  expect(harness.fake.sent.map((s) => s.text).sort()).toEqual(["echo: ensuite", "echo: lu puis tué"]);
}, 30_000);
