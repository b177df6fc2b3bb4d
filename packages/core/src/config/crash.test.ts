import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import JSON5 from "json5";
import { beforeAll, describe, expect, it } from "vitest";
import {
  bundleCrashChild,
  type CrashChild,
  cycles,
  ITERATIONS,
  runAndKill,
  runToEnd,
} from "../__fixtures__/crash-harness.js";

// kill -9 at random points while a child process runs `config set` (validated write, backups):
// the file always parses and holds a complete version. And two processes writing at once lose no
// update. Cycles are bounded (crash-harness.ts): a busy machine runs fewer instead of timing out.
let child: CrashChild;
beforeAll(async () => {
  child = await bundleCrashChild();
});

describe("crash safety of config writes (kill -9)", () => {
  it("config write: the file always parses and holds a complete version; backups parse too", async () => {
    const dir = mkdtempSync(join(tmpdir(), "openclaw-crash-config-"));
    writeFileSync(join(dir, "openclaw.json"), "{\n  gateway: {\n    port: 19999,\n  },\n}\n");
    let next = 0;
    let previousPort = 19999;
    let completed = 0;
    // a validated config write takes longer than a session write: fewer, longer runs
    for (const cycle of cycles(Math.ceil(ITERATIONS * 0.6), 3)) {
      const start = next;
      const done = await runAndKill(child, "config", dir, start, {
        windowMs: 90,
        afterWrite: cycle % 2 === 1,
      });
      completed += done.length;
      next = start + done.length + 1;
      const text = readFileSync(join(dir, "openclaw.json"), "utf8");
      const parsed = JSON5.parse(text) as { gateway: { port: number } };
      expect(Object.keys(parsed)).toEqual(["gateway"]);
      const port = parsed.gateway.port;
      const inFlight = 20000 + start + done.length;
      if (done.length > 0) {
        // the last reported write, or the one in flight when the kill came
        expect([20000 + start + done.length - 1, inFlight]).toContain(port);
      } else {
        // nothing reported: the old content, or the first write if it finished unreported
        expect([previousPort, inFlight]).toContain(port);
      }
      previousPort = port;
      for (const name of readdirSync(dir).filter((file) => /^openclaw\.json\.bak(\.\d)?$/.test(file)))
        expect(() => JSON5.parse(readFileSync(join(dir, name), "utf8"))).not.toThrow();
    }
    expect(completed).toBeGreaterThan(0);
  });
});

describe("concurrent writers", () => {
  it("two processes running `config set` at the same time lose no update", async () => {
    const dir = mkdtempSync(join(tmpdir(), "openclaw-concurrent-"));
    writeFileSync(join(dir, "openclaw.json"), "// shared\n{\n  channels: {},\n}\n");
    await Promise.all([
      runToEnd(child, ["concurrent-set", dir, "0", "a", "8"]),
      runToEnd(child, ["concurrent-set", dir, "0", "b", "8"]),
    ]);
    const text = readFileSync(join(dir, "openclaw.json"), "utf8");
    const parsed = JSON5.parse(text) as { channels: Record<string, { enabled: boolean }> };
    expect(Object.keys(parsed.channels).sort()).toEqual(
      [
        ...Array.from({ length: 8 }, (_, n) => `a${n}`),
        ...Array.from({ length: 8 }, (_, n) => `b${n}`),
      ].sort(),
    );
    expect(text.startsWith("// shared\n")).toBe(true);
    expect(readdirSync(dir).filter((name) => name.endsWith(".lock"))).toEqual([]);
  });
});
