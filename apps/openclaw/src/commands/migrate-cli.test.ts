import { cpSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openclaw, useTempState } from "./cli-test-helpers.js";

// A real OpenClaw 2026.9.6 state dir (core's migrate fixture), migrated by the CLI.
const FIXTURE = fileURLToPath(
  new URL("../../../../packages/core/src/migrate/__fixtures__/openclaw-2026.9.6", import.meta.url),
);
const savedEnv = { ...process.env };
let root = "";
let state = "";

beforeEach(() => {
  ({ root, state } = useTempState("openclaw-migrate-cli-"));
});
afterEach(() => {
  process.env = { ...savedEnv };
  process.exitCode = undefined;
});

const sessionsIndex = () => join(state, "agents/main/sessions/sessions.json");

describe("openclaw migrate openclaw", () => {
  it("--from imports a real 2026.9 state dir with a summary; a second run imports nothing", async () => {
    const source = join(root, "old-openclaw");
    cpSync(FIXTURE, source, { recursive: true });
    const first = await openclaw("migrate", "openclaw", "--from", source);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("written by 2026.9.6");
    expect(first.stdout).toContain("sessions: imported 2, skipped 0");
    expect(first.stdout).toContain("auth profiles: imported 2");
    expect(first.stdout).toContain("paired devices: imported 1");
    expect(Object.keys(JSON.parse(readFileSync(sessionsIndex(), "utf8")))).toContain("agent:main:main");
    const listed = await openclaw("sessions", "--json");
    expect(listed.stdout).toContain("agent:main:explicit:work-notes");

    const again = await openclaw("migrate", "openclaw", "--from", source, "--json");
    const summary = JSON.parse(again.stdout);
    expect(summary.sessions.imported).toEqual([]);
    expect(summary.sessions.skipped).toHaveLength(2);
  });

  it("says plainly when the directory holds no OpenClaw databases", async () => {
    const result = await openclaw("migrate", "openclaw", "--from", root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no OpenClaw 2026.9+ databases");
  });
});

describe("openclaw doctor on a real OpenClaw 2026.9 state dir", () => {
  beforeEach(() => {
    cpSync(FIXTURE, state, { recursive: true });
  });

  it("reports the SQLite state not imported; --fix without a terminal imports it", async () => {
    const report = await openclaw("doctor", "--non-interactive");
    expect(report.stdout).toContain(
      "SQLite state not imported yet: 2 session(s), 2 auth profile(s), 1 paired device(s)",
    );
    expect(existsSync(sessionsIndex())).toBe(false);

    const fixed = await openclaw("doctor", "--fix");
    expect(fixed.stdout).toContain("fixed: imported");
    expect(fixed.stdout).toContain("+ agent:main:main");
    expect(Object.keys(JSON.parse(readFileSync(sessionsIndex(), "utf8"))).sort()).toEqual([
      "agent:main:explicit:work-notes",
      "agent:main:main",
    ]);
    expect((await openclaw("doctor")).stdout).toContain("is already imported");
  });

  it("--repair is OpenClaw's alias of --fix", async () => {
    const fixed = await openclaw("doctor", "--repair");
    expect(fixed.stdout).toContain("fixed: imported");
  });
});
