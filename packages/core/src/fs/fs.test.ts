import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appendLines } from "./append.js";
import { rotateBackups, writeFileAtomic } from "./atomic-write.js";
import { acquireFileLock, LockTimeoutError, withFileLock } from "./file-lock.js";
import { checkPrivatePermissions } from "./permissions.js";

const dir = () => mkdtempSync(join(tmpdir(), "openclaw-fs-"));

describe("fs helpers", () => {
  it("writeFileAtomic creates parents 0700 and files 0600", async () => {
    const root = dir();
    const file = join(root, "a", "b", "secret.json");
    await writeFileAtomic(file, "{}");
    expect(readFileSync(file, "utf8")).toBe("{}");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, "a", "b")).mode & 0o777).toBe(0o700);
  });

  it("appendLines isolates a torn last line", async () => {
    const file = join(dir(), "t.jsonl");
    writeFileSync(file, '{"a":1}\n{"b":');
    await appendLines(file, ['{"c":3}']);
    expect(readFileSync(file, "utf8")).toBe('{"a":1}\n{"b":\n{"c":3}\n');
  });

  it("rotateBackups keeps .bak … .bak.4 and never moves the live file", async () => {
    const file = join(dir(), "openclaw.json");
    for (let n = 0; n < 7; n++) {
      writeFileSync(file, `v${n}`);
      await rotateBackups(file);
    }
    expect(readFileSync(file, "utf8")).toBe("v6");
    expect(readFileSync(`${file}.bak`, "utf8")).toBe("v6");
    expect(readFileSync(`${file}.bak.4`, "utf8")).toBe("v2");
    expect(existsSync(`${file}.bak.5`)).toBe(false);
  });

  it("a lock held by a live holder times out with the holder named; a dead holder's lock is broken", async () => {
    const lock = join(dir(), "x.lock");
    const release = await acquireFileLock(lock);
    const error = await withFileLock(lock, async () => "never", { timeoutMs: 100 }).catch(
      (caught: unknown) => caught,
    );
    expect(LockTimeoutError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(`held by pid ${process.pid}`);
    await release();
    // a lock file left by a process that no longer exists
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid ?? 999999;
    writeFileSync(
      lock,
      JSON.stringify({ pid: dead, host: (await import("node:os")).hostname(), createdAt: Date.now() }),
    );
    expect(await withFileLock(lock, async () => "ran", { timeoutMs: 2000 })).toBe("ran");
    expect(existsSync(lock)).toBe(false);
  });

  it("withFileLock serializes callers in one process", async () => {
    const lock = join(dir(), "y.lock");
    const order: string[] = [];
    await Promise.all(
      ["a", "b", "c"].map((name) =>
        withFileLock(lock, async () => {
          order.push(`${name}:start`);
          await new Promise((resolve) => setImmediate(resolve));
          order.push(`${name}:end`);
        }),
      ),
    );
    expect(order).toEqual(["a:start", "a:end", "b:start", "b:end", "c:start", "c:end"]);
  });

  it("checkPrivatePermissions flags group/world bits", async () => {
    const file = join(dir(), "c.json");
    writeFileSync(file, "{}", { mode: 0o644 });
    expect((await checkPrivatePermissions(file)).map((finding) => finding.problem)).toEqual([
      "world_readable",
      "group_readable",
    ]);
    await writeFileAtomic(file, "{}");
    expect(await checkPrivatePermissions(file)).toEqual([]);
    expect(await checkPrivatePermissions(join(dir(), "missing"))).toEqual([]);
  });
});
