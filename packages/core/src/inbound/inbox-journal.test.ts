import { appendFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { InboundMessageSchema } from "@openclaw/protocol";
import { afterEach, beforeEach, expect, it } from "vitest";
import { InboxJournal } from "./inbox-journal.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-inbox-"));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const message = (id: string) =>
  InboundMessageSchema.parse({
    channel: "t",
    accountId: "default",
    messageId: id,
    chat: { type: "direct", id: "1" },
    sender: { id: "1" },
    text: id,
    timestamp: 1,
  });

it("survives a torn last line and compaction, keeping open entries and dedupe memory", async () => {
  const file = path.join(dir, "inbox.jsonl");
  const first = await InboxJournal.open({ file, compactEvery: 3 });
  for (const id of ["a", "b", "c", "d"]) await first.receive(message(id), Date.now());
  await first.recordAttempt("t:default:1:d", "t:default:1:d:0:0");
  for (const id of ["a", "b", "c"]) await first.close(`t:default:1:${id}`, "replied");
  await first.compact();
  await first.dispose();
  await appendFile(file, '{"e":"in","k":"t:default:1:torn","m":{');
  expect((await readFile(file, "utf8")).split("\n").length).toBeLessThan(10);

  const second = await InboxJournal.open({ file });
  expect(second.openEntries().map((e) => e.key)).toEqual(["t:default:1:d"]);
  expect([...(second.get("t:default:1:d")?.attempted ?? [])]).toEqual(["t:default:1:d:0:0"]);
  expect((await second.receive(message("a"), Date.now())).duplicate).toBe(true);
  expect((await second.receive(message("e"), Date.now())).duplicate).toBe(false);
  await second.dispose();
});

it("keeps appending while a compaction runs", async () => {
  const journal = await InboxJournal.open({ file: path.join(dir, "inbox.jsonl"), compactEvery: 5 });
  await Promise.all(
    Array.from({ length: 60 }, async (_, i) => {
      const { key } = await journal.receive(message(`m${i}`), i);
      await journal.close(key, "replied");
    }),
  );
  await journal.compact();
  expect(journal.openEntries()).toHaveLength(0);
  expect(journal.has("t:default:1:m59")).toBe(true);
  await journal.dispose();
});
