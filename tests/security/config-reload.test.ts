import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Assembled, assembleGateway } from "../../apps/openclaw/src/gateway-assembly.js";
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

async function logLines(): Promise<Record<string, unknown>[]> {
  const text = await readFile(logFile, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
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
  assembled = await assembleGateway({
    env: { PATH: process.env.PATH ?? "", HOME: home, OPENCLAW_STATE_DIR: stateDir },
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
    await writeFile(configPath, `{\n  gateway: { auth: { token: "${TOKEN}" } },\n  agents: {{\n}\n`);
    const broken = await untilConfig((payload) => payload.valid === false);
    expect(broken.issues).toEqual([
      expect.objectContaining({ line: 3, message: expect.stringContaining("openclaw.json:3:") }),
    ]);
    // the running config is still the last good one
    expect((broken as unknown as { config: typeof base }).config.agents.defaults.timeoutSeconds).toBe(120);
    expect(changes).toHaveLength(0);
    const skipped = (await logLines()).find((line) => line.msg === "config reload skipped (invalid config)");
    expect(skipped).toMatchObject({ configPath, line: 3 });
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
    const skipped = (await logLines()).find((line) => line.msg === "config reload skipped (invalid config)");
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

describe("a 0-byte file while the gateway runs (issue 12.13)", () => {
  it("is invalid: the last good config stays, nothing is applied or restarted", async () => {
    await writeFile(configPath, "");
    const broken = await untilConfig((payload) => payload.valid === false);
    expect(broken.issues).toEqual([expect.objectContaining({ message: expect.stringMatching(/empty/) })]);
    expect((broken as unknown as { config: typeof base }).config.agents.defaults.timeoutSeconds).toBe(120);
    expect(changes).toHaveLength(0);
    const skipped = (await logLines()).find((line) => line.msg === "config reload skipped (invalid config)");
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
