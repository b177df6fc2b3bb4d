import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { TranscriptEntry } from "../agent/transcript.js";
import { SessionStore, type WriterTimers } from "./session-store.js";
import { createFileStateStore } from "./state-store.js";

/** Timers the test fires by hand. */
function manualTimers() {
  const pending: { fn: () => void; ms: number }[] = [];
  const timers: WriterTimers = {
    setTimeout: (fn, ms) => {
      const timer = { fn, ms };
      pending.push(timer);
      return timer;
    },
    clearTimeout: (handle) => {
      const index = pending.indexOf(handle as (typeof pending)[number]);
      if (index >= 0) pending.splice(index, 1);
    },
  };
  return {
    timers,
    pending,
    fire() {
      const timer = pending.shift();
      timer?.fn();
      return timer;
    },
  };
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-writers-"));
  const sessionsDir = join(dir, "agents/main/sessions");
  const locks = () =>
    readdirSync(sessionsDir)
      .filter((name) => name.endsWith(".lock"))
      .sort();
  return { dir, locks };
}

const say = (content: string) => [{ type: "message" as const, message: { role: "user", content } }];
const contents = (entries: TranscriptEntry[]) =>
  entries.map((entry) => (entry as { message: { content: string } }).message.content);

/** Every entry's parent is the one before it: one unbroken branch. */
function expectOneBranch(entries: TranscriptEntry[]) {
  entries.forEach((entry, index) => {
    expect(entry.parentId).toBe(index === 0 ? null : entries[index - 1]!.id);
  });
}

describe("SessionStore transcript writers (bounded)", () => {
  it("an idle writer gives its lock back on the timer; the next append takes it again and continues the branch", async () => {
    const { dir, locks } = setup();
    let now = 1_000_000;
    const clock = manualTimers();
    const store = new SessionStore({
      state: createFileStateStore(dir),
      now: () => now,
      writerIdleMs: 30_000,
      timers: clock.timers,
    });
    const a = await store.create("agent:main:a");
    const b = await store.create("agent:main:b");
    await store.append("agent:main:a", say("a1"));
    await store.append("agent:main:b", say("b1"));
    expect(locks()).toEqual([`${a.entry.sessionId}.jsonl.lock`, `${b.entry.sessionId}.jsonl.lock`].sort());
    expect(clock.pending.map((timer) => timer.ms)).toEqual([30_000]);

    now += 30_000;
    await store.append("agent:main:b", say("b2")); // b is in use, a is not
    expect(await store.releaseIdleWriters()).toBe(1);
    expect(locks()).toEqual([`${b.entry.sessionId}.jsonl.lock`]);

    // another process (the CLI) can now work on the idle session
    const other = new SessionStore({ state: createFileStateStore(dir), lockTimeoutMs: 150 });
    await other.append("agent:main:a", say("from the CLI"));
    await other.close();

    await store.append("agent:main:a", say("a2"));
    const read = await store.readTranscript("agent:main:a");
    expect(contents(read.entries)).toEqual(["a1", "from the CLI", "a2"]);
    expectOneBranch(read.entries);

    // the timer releases what stayed idle and stops once nothing is held
    now += 30_000;
    clock.fire();
    await expect.poll(() => locks(), { interval: 5 }).toEqual([]);
    expect(clock.pending).toHaveLength(0);
    await store.close();
  });

  it("at most maxWriters are held: the least recently used lock is released for a new one", async () => {
    const { dir, locks } = setup();
    const store = new SessionStore({ state: createFileStateStore(dir), maxWriters: 2, writerIdleMs: 0 });
    const keys = ["agent:main:a", "agent:main:b", "agent:main:c"];
    const ids: Record<string, string> = {};
    for (const key of keys) ids[key] = (await store.create(key)).entry.sessionId;
    await store.append("agent:main:a", say("a1"));
    await store.append("agent:main:b", say("b1"));
    await store.append("agent:main:a", say("a2")); // a is now more recent than b
    await store.append("agent:main:c", say("c1"));
    // b's lock goes: another process waiting for it gets it (an event, not a sleep)
    const other = new SessionStore({ state: createFileStateStore(dir), lockTimeoutMs: 5_000 });
    await other.append("agent:main:b", say("b from the CLI"));
    await other.close();
    expect(locks()).toEqual(
      [`${ids["agent:main:a"]}.jsonl.lock`, `${ids["agent:main:c"]}.jsonl.lock`].sort(),
    );
    await store.append("agent:main:b", say("b2"));
    const read = await store.readTranscript("agent:main:b");
    expect(contents(read.entries)).toEqual(["b1", "b from the CLI", "b2"]);
    expectOneBranch(read.entries);
    await store.close();
    expect(locks()).toEqual([]);
  });

  it("appends issued around a release keep their order and one branch", async () => {
    const { dir, locks } = setup();
    const store = new SessionStore({ state: createFileStateStore(dir) });
    await store.create("agent:main:a");
    await store.append("agent:main:a", say("1"));
    for (let round = 0; round < 10; round++) {
      const first = store.append("agent:main:a", say(`${round}.a`)); // takes the held writer…
      const closing = store.close(); // …which is released right away
      const second = store.append("agent:main:a", say(`${round}.b`)); // takes the lock again
      await Promise.all([first, closing, second]);
    }
    const read = await store.readTranscript("agent:main:a");
    expect(contents(read.entries)).toEqual([
      "1",
      ...Array.from({ length: 10 }, (_, round) => [`${round}.a`, `${round}.b`]).flat(),
    ]);
    expectOneBranch(read.entries);
    await store.close();
    expect(locks()).toEqual([]);
  });

  it("releases racing appends lose nothing and keep the order", async () => {
    const { dir, locks } = setup();
    let now = 1_000_000;
    const store = new SessionStore({ state: createFileStateStore(dir), now: () => now, maxWriters: 3 });
    const keys = ["agent:main:a", "agent:main:b", "agent:main:c", "agent:main:d"];
    for (const key of keys) await store.create(key);
    const work: Promise<unknown>[] = [];
    const expected: Record<string, string[]> = Object.fromEntries(keys.map((key) => [key, []]));
    for (let round = 0; round < 30; round++) {
      for (const key of keys) {
        const text = `${key}#${round}`;
        expected[key]!.push(text);
        // appends of one key are issued in order; releases (idle, explicit, over the cap) interleave
        await store.append(key, say(text));
        if (round % 3 === 0) work.push(store.release(key));
      }
      now += 60_000;
      work.push(store.releaseIdleWriters());
    }
    // the gateway's path: pre-stamped entries, not awaited one by one
    const record = (await store.get("agent:main:a"))!;
    const stamped = Array.from({ length: 40 }, (_, index) => ({
      type: "message",
      id: `s${index}`,
      parentId: index === 0 ? null : `s${index - 1}`,
      message: { role: "user", content: `stamped#${index}` },
    }));
    for (const [index, entry] of stamped.entries()) {
      work.push(store.appendToTranscript("main", record.entry, [entry]));
      if (index % 7 === 0) {
        now += 60_000;
        work.push(store.releaseIdleWriters(), store.release("agent:main:a"));
      }
    }
    await Promise.all(work);
    for (const key of keys) {
      const read = await store.readTranscript(key);
      const texts = contents(read.entries);
      if (key === "agent:main:a") {
        expect(texts).toEqual([...expected[key]!, ...stamped.map((entry) => entry.message.content)]);
        expectOneBranch(read.entries.slice(0, expected[key]!.length));
      } else {
        expect(texts).toEqual(expected[key]);
        expectOneBranch(read.entries);
      }
      expect(read.issues).toEqual([]);
    }
    await store.close();
    expect(locks()).toEqual([]);
  });
});
