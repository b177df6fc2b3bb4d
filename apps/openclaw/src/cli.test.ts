import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const appRoot = join(import.meta.dirname, "..");
const cli = join(appRoot, "dist/cli.js");
const manifest = JSON.parse(readFileSync(join(appRoot, "package.json"), "utf8")) as { version: string };

async function openclaw(...args: string[]) {
  return openclawWith({}, ...args);
}

async function openclawWith(env: Record<string, string>, ...args: string[]) {
  try {
    const result = await run(process.execPath, [cli, ...args], {
      env: { ...process.env, NO_COLOR: "1", ...env },
    });
    return { code: 0, ...result };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe("openclaw (built CLI)", () => {
  it("--version prints the package version", async () => {
    const result = await openclaw("--version");
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(manifest.version);
  });

  it("an unknown command is a one-line error with a suggestion, not a stack trace", async () => {
    const result = await openclaw("statsu");
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown command 'statsu'/);
    expect(result.stderr).toMatch(/Did you mean status\?/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("keeps Node's compile cache in a private per-user directory, and refuses a directory others can write", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "openclaw-cache-test-"));
    try {
      const dir = join(tmp, `openclaw-compile-cache-${process.getuid?.()}`);
      expect((await openclawWith({ TMPDIR: tmp }, "--help")).code).toBe(0);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(readdirSync(dir).length).toBeGreaterThan(0); // the next start reads it

      rmSync(dir, { recursive: true });
      mkdirSync(dir);
      chmodSync(dir, 0o777); // e.g. planted by another user of a shared /tmp
      expect((await openclawWith({ TMPDIR: tmp }, "--help")).code).toBe(0);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
