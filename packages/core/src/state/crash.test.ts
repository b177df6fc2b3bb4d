import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import JSON5 from "json5";
import { beforeAll, describe, expect, it } from "vitest";
import { SessionStore } from "./session-store.js";
import { createFileStateStore } from "./state-store.js";
import { parseTranscriptJsonl } from "./transcript.js";

// kill -9 at random points while a child process writes the config, the session index and a
// transcript. Afterwards every file parses, holds either the old or the new content, and every
// write the child reported as done is there. Iterations per scenario: CRASH_ITERATIONS (default 60).
const ITERATIONS = Number(process.env.CRASH_ITERATIONS ?? 60);
let childScript = "";
let compileCache = "";

beforeAll(async () => {
  const out = mkdtempSync(join(tmpdir(), "openclaw-crash-bundle-"));
  childScript = join(out, "crash-child.js");
  compileCache = join(out, "v8-cache");
  await build({
    entryPoints: [join(import.meta.dirname, "..", "__fixtures__", "crash-child.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    splitting: true,
    outdir: out,
    target: "node22",
    logLevel: "silent",
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
});

/** Run the child until it is ready, let it write for a random 0–windowMs, SIGKILL it; returns the writes it reported. */
function runAndKill(mode: string, dir: string, start: number, windowMs = 25): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, mode, dir, String(start)], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_COMPILE_CACHE: compileCache },
    });
    let stdout = "";
    let stderr = "";
    let armed = false;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!armed && stdout.includes("ready\n")) {
        armed = true;
        setTimeout(() => child.kill("SIGKILL"), Math.floor(Math.random() * windowMs));
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      if (signal !== "SIGKILL") reject(new Error(`child exited on its own: ${stderr}`));
      else resolve([...stdout.matchAll(/^ok (\d+)$/gm)].map((match) => Number(match[1])));
    });
  });
}

describe("crash safety (kill -9 during writes)", () => {
  it("config write: the file always parses and holds a complete version; backups parse too", async () => {
    const dir = mkdtempSync(join(tmpdir(), "openclaw-crash-config-"));
    writeFileSync(join(dir, "openclaw.json"), "{\n  gateway: {\n    port: 19999,\n  },\n}\n");
    let next = 0;
    let previousPort = 19999;
    let completed = 0;
    // a validated config write takes longer than a session write: fewer, longer runs
    for (let iteration = 0; iteration < Math.ceil(ITERATIONS * 0.6); iteration++) {
      const start = next;
      const done = await runAndKill("config", dir, start, 90);
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

  it("session index write: sessions.json always parses and no reported session is lost", async () => {
    const dir = mkdtempSync(join(tmpdir(), "openclaw-crash-index-"));
    const reported = new Set<number>();
    let next = 0;
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const done = await runAndKill("index", dir, next);
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
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const done = await runAndKill("transcript", dir, next);
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

function runToEnd(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_COMPILE_CACHE: compileCache },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(output))));
  });
}

describe("concurrent writers", () => {
  it("two processes running `config set` at the same time lose no update", async () => {
    const dir = mkdtempSync(join(tmpdir(), "openclaw-concurrent-"));
    writeFileSync(join(dir, "openclaw.json"), "// shared\n{\n  channels: {},\n}\n");
    await Promise.all([
      runToEnd(["concurrent-set", dir, "0", "a", "12"]),
      runToEnd(["concurrent-set", dir, "0", "b", "12"]),
    ]);
    const text = readFileSync(join(dir, "openclaw.json"), "utf8");
    const parsed = JSON5.parse(text) as { channels: Record<string, { enabled: boolean }> };
    expect(Object.keys(parsed.channels).sort()).toEqual(
      [
        ...Array.from({ length: 12 }, (_, n) => `a${n}`),
        ...Array.from({ length: 12 }, (_, n) => `b${n}`),
      ].sort(),
    );
    expect(text.startsWith("// shared\n")).toBe(true);
    expect(readdirSync(dir).filter((name) => name.endsWith(".lock"))).toEqual([]);
  });
});
