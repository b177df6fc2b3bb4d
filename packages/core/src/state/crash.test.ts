import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  bundleCrashChild,
  type CrashChild,
  cycles,
  ITERATIONS,
  runAndKill,
} from "../__fixtures__/crash-harness.js";
import { parseTranscriptJsonl } from "../agent/transcript.js";
import { SessionStore } from "./session-store.js";
import { createFileStateStore } from "./state-store.js";

// kill -9 at random points while a child process writes the session index and a transcript.
// Afterwards every file parses and every write the child reported as done is there. The config's
// own kill -9 tests are in config/crash.test.ts. Cycles are bounded (crash-harness.ts): a busy
// machine runs fewer instead of timing out; every other cycle kills only after a reported write.
let child: CrashChild;
beforeAll(async () => {
  child = await bundleCrashChild();
});

describe("crash safety (kill -9 during writes)", () => {
  it("session index write: sessions.json always parses and no reported session is lost", async () => {
    const dir = mkdtempSync(join(tmpdir(), "openclaw-crash-index-"));
    const reported = new Set<number>();
    let next = 0;
    for (const cycle of cycles(ITERATIONS)) {
      const done = await runAndKill(child, "index", dir, next, { afterWrite: cycle % 2 === 1 });
      for (const n of done) reported.add(n);
      next += done.length + 1;
      const file = join(dir, "agents/main/sessions/sessions.json");
      if (!existsSync(file)) {
        // killed before the first index write ever completed
        expect(reported.size).toBe(0);
        continue;
      }
      const index = JSON.parse(readFileSync(file, "utf8")) as Record<string, { sessionId: string }>;
      for (const n of reported) expect(index[`agent:main:s${n}`], `session s${n} lost`).toBeDefined();
    }
    expect(reported.size).toBeGreaterThan(0);
  });

  it("transcript append: every reported entry is readable, only a torn tail is ever dropped, and appends continue", async () => {
    const dir = mkdtempSync(join(tmpdir(), "openclaw-crash-transcript-"));
    const reported: number[] = [];
    let next = 0;
    for (const cycle of cycles(ITERATIONS)) {
      const done = await runAndKill(child, "transcript", dir, next, { afterWrite: cycle % 2 === 1 });
      reported.push(...done);
      next += done.length + 1;
    }
    const store = new SessionStore({ state: createFileStateStore(dir) });
    const { entry } = (await store.get("agent:main:main"))!;
    const text = readFileSync(join(dir, "agents/main/sessions", `${entry.sessionId}.jsonl`), "utf8");
    const result = parseTranscriptJsonl(text);
    expect(result.header?.type).toBe("session");
    const contents = result.entries.map(
      (item) => String((item as { message: { content: string } }).message.content).split(" ")[1],
    );
    for (const n of reported) expect(contents, `entry ${n} lost`).toContain(String(n));
    // each kill can tear at most the line being written
    expect(result.issues.every((issue) => issue.kind === "corrupt" || issue.kind === "torn_tail")).toBe(true);
    expect(result.issues.length).toBeLessThanOrEqual(ITERATIONS);
    await store.append("agent:main:main", [
      { type: "message", message: { role: "user", content: "message final" } },
    ]);
    const after = await store.readTranscript("agent:main:main");
    expect(after.entries.at(-1)).toMatchObject({ message: { content: "message final" } });
    await store.close();
  });
});
