import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Assembled, assembleGateway } from "../../apps/openclaw/src/gateway-assembly.js";
import { runProgram } from "../../apps/openclaw/src/program.js";
import { handshake, type RawPeer } from "./helpers.js";

// Issue 12, points 12 and 13: an edit of openclaw.json that does not parse or validate, or an
// empty file (an editor mid-save), while the gateway runs. The real assembly (core's config store
// watching a real file) on loopback: the last good config keeps running, the problem is logged
// with the file and line, config.get says `valid: false` with the issues, and writes work against
// the file actually on disk (or say how to fix it).

const TOKEN = "reload-guard-token-0123456789";

let home: string;
let configPath: string;
let logFile: string;
let assembled: Assembled;
let peer: RawPeer;
let changes: Record<string, unknown>[];
let env: NodeJS.ProcessEnv;

const base = {
  gateway: { auth: { mode: "token", token: TOKEN }, reload: { debounceMs: 30 } },
  agents: { defaults: { timeoutSeconds: 120 } },
};

async function request(method: string, params?: unknown) {
  const res = await peer.request(method, params);
  return res;
}

/** Wait (on config.get answers) until the gateway has looked at the file on disk. */
async function untilConfig(
  predicate: (payload: { valid: boolean; hash: string; issues?: unknown[] }) => boolean,
) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await request("config.get", {});
    if (predicate(res.payload)) return res.payload;
    if (Date.now() > deadline) throw new Error(`config.get never matched: ${JSON.stringify(res.payload)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The first log record with this message (the logger writes asynchronously: wait for it). */
async function logged(msg: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = await readFile(logFile, "utf8").catch(() => "");
    const found = text
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.msg === msg);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`never logged: ${msg}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The CLI in-process (the real commander program) against the gateway's state dir. */
async function openclaw(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const saved = { ...process.env };
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.env = { ...saved, ...env };
  delete process.env.OPENCLAW_CONFIG_PATH;
  delete process.env.OPENCLAW_PROFILE;
  process.stdout.write = ((chunk: string | Uint8Array) =>
    out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) =>
    err.push(String(chunk)) > 0) as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    const code = await runProgram(["node", "openclaw", ...args]);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.env = saved;
    process.exitCode = undefined;
  }
}

async function connect(): Promise<RawPeer> {
  const { peer: connected, res } = await handshake(assembled.gateway.address!.url, {
    auth: { token: TOKEN },
    scopes: ["operator.admin", "operator.read", "operator.write"],
  });
  expect(res.ok).toBe(true);
  return connected;
}

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-reload-guard-"));
  const stateDir = join(home, "state");
  await mkdir(stateDir, { recursive: true });
  configPath = join(stateDir, "openclaw.json");
  logFile = join(home, "gateway.log");
  await writeFile(configPath, JSON.stringify({ ...base, logging: { file: logFile } }, null, 2));
  env = { PATH: process.env.PATH ?? "", HOME: home, OPENCLAW_STATE_DIR: stateDir };
  assembled = await assembleGateway({
    env,
    port: 0,
    console: false,
  });
  await assembled.gateway.listen();
  changes = [];
  assembled.onConfigChange((config) => changes.push(config));
  peer = await connect();
});

afterEach(async () => {
  peer?.close();
  await assembled?.gateway.close();
  await assembled?.close();
  await rm(home, { recursive: true, force: true });
});

describe("a broken edit while the gateway runs (issue 12.12)", () => {
  it("a syntax error is logged with file and line, reported by config.get, and the last good config keeps running", async () => {
    const before = (await request("config.get", {})).payload;
    expect(before.valid).toBe(true);
    // the broken line holds a secret: it must not be echoed into config.get or the log
    await writeFile(
      configPath,
      `{\n  gateway: { auth: { token: "${TOKEN}" } },\n  agents: {{ apiKey: "sk-secret-in-line-3" \n}\n`,
    );
    const broken = await untilConfig((payload) => payload.valid === false);
    expect(broken.issues).toEqual([
      expect.objectContaining({ line: 3, message: expect.stringContaining("openclaw.json:3:") }),
    ]);
    // the running config is still the last good one
    expect((broken as unknown as { config: typeof base }).config.agents.defaults.timeoutSeconds).toBe(120);
    expect(changes).toHaveLength(0);
    const skipped = await logged("config reload skipped (invalid config)");
    expect(skipped).toMatchObject({ configPath, line: 3 });
    expect(JSON.stringify(skipped)).not.toContain("sk-secret-in-line-3");
    expect(JSON.stringify(broken.issues)).not.toContain("sk-secret-in-line-3");
    // the token of the last good config still lets clients in
    const second = await connect();
    second.close();

    // a patch cannot be applied to a file that does not parse: the error says what to do
    const patch = await request("config.patch", {
      raw: "{ agents: { defaults: { timeoutSeconds: 60 } } }",
      baseHash: broken.hash,
    });
    expect(patch.ok).toBe(false);
    expect(patch.error?.message).toContain("openclaw.json:3:");
    expect(patch.error?.message).toMatch(/config\.apply|config\.set/);
    expect(patch.error?.message).not.toMatch(/changed since/);

    // replacing the whole file (config.apply with the hash config.get gave) proceeds
    const raw = JSON.stringify({
      ...base,
      logging: { file: logFile },
      agents: { defaults: { timeoutSeconds: 90 } },
    });
    const applied = await request("config.apply", { raw, baseHash: broken.hash });
    expect(applied.ok).toBe(true);
    expect(applied.payload.valid).toBe(true);
    expect(applied.payload.config.agents.defaults.timeoutSeconds).toBe(90);
  });

  it("a schema error is reported with its key; a patch that fixes it proceeds against the file on disk", async () => {
    const text = `{\n  // kept\n  gateway: { auth: { mode: "token", token: "${TOKEN}" }, reload: { debounceMs: 30 } },\n  logging: { file: ${JSON.stringify(logFile)} },\n  agents: { defaults: { timeoutSeconds: "soon" } },\n}\n`;
    await writeFile(configPath, text);
    const broken = await untilConfig((payload) => payload.valid === false);
    expect(broken.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: "agents.defaults.timeoutSeconds" })]),
    );
    const skipped = await logged("config reload skipped (invalid config)");
    expect(skipped).toMatchObject({ configPath, line: 5 });
    expect(changes).toHaveLength(0);

    const patch = await request("config.patch", {
      raw: "{ agents: { defaults: { timeoutSeconds: 45 } } }",
      baseHash: broken.hash,
    });
    expect(patch.error).toBeUndefined();
    expect(patch.payload.valid).toBe(true);
    expect(patch.payload.config.agents.defaults.timeoutSeconds).toBe(45);
    // only the key asked was edited: the comment is still there
    expect(await readFile(configPath, "utf8")).toContain("// kept");
  });
});

describe("the CLI while the running gateway skipped an edit", () => {
  it("status and doctor show it; config set works against the file on disk or says what to fix", async () => {
    const text = `{\n  // kept\n  gateway: { auth: { mode: "token", token: "${TOKEN}" }, reload: { debounceMs: 30 } },\n  logging: { file: ${JSON.stringify(logFile)} },\n  agents: { defaults: { timeoutSeconds: "soon" } },\n}\n`;
    await writeFile(configPath, text);
    await untilConfig((payload) => payload.valid === false);

    const status = await openclaw("status");
    expect(status.stdout).toContain(`Config: ${configPath} (invalid)`);
    expect(status.stdout).toContain(
      `the running gateway (pid ${process.pid}) skipped this edit and keeps its last good config`,
    );
    expect(status.stdout).toMatch(/- agents\.defaults\.timeoutSeconds \(line 5\): /);
    const json = JSON.parse((await openclaw("status", "--json")).stdout);
    expect(json.config).toMatchObject({ valid: false, issues: [expect.objectContaining({ line: 5 })] });

    const doctor = await openclaw("doctor", "--json", "--non-interactive");
    expect(doctor.stdout).toContain("the running gateway");
    expect(doctor.stdout).toContain("keeps its last good config");
    expect(doctor.stdout).toContain("agents.defaults.timeoutSeconds");

    // an unrelated key cannot be written on top of the broken one: the error says so
    const unrelated = await openclaw("config", "set", "logging.level", "debug");
    expect(unrelated.code).not.toBe(0);
    expect(unrelated.stderr).toContain("already had these problems");
    // fixing the broken key proceeds, keeps the comment, and the gateway applies it once
    const fixed = await openclaw("config", "set", "agents.defaults.timeoutSeconds", "60");
    expect(fixed.code).toBe(0);
    expect(await readFile(configPath, "utf8")).toContain("// kept");
    const valid = await untilConfig((payload) => payload.valid === true);
    expect((valid as unknown as { config: typeof base }).config.agents.defaults.timeoutSeconds).toBe(60);
    expect(changes).toHaveLength(1);
  });
});

describe("a 0-byte file while the gateway runs (issue 12.13)", () => {
  it("is invalid: the last good config stays, nothing is applied or restarted", async () => {
    await writeFile(configPath, "");
    const broken = await untilConfig((payload) => payload.valid === false);
    expect(broken.issues).toEqual([expect.objectContaining({ message: expect.stringMatching(/empty/) })]);
    expect((broken as unknown as { config: typeof base }).config.agents.defaults.timeoutSeconds).toBe(120);
    expect(changes).toHaveLength(0);
    const skipped = await logged("config reload skipped (invalid config)");
    expect(skipped).toMatchObject({ configPath });
    const second = await connect();
    second.close();

    // the editor finishes its save: applied once
    await writeFile(
      configPath,
      JSON.stringify({ ...base, logging: { file: logFile }, agents: { defaults: { timeoutSeconds: 30 } } }),
    );
    await untilConfig((payload) => payload.valid === true);
    expect(changes).toHaveLength(1);
    expect((changes[0] as typeof base).agents.defaults.timeoutSeconds).toBe(30);
  });
});
