import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import JSON5 from "json5";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runProgram } from "../program.js";

// The commands run in-process through the real commander program, against a temp state dir.
let state = "";
const savedEnv = { ...process.env };

beforeEach(() => {
  const root = mkdtempSync(join(tmpdir(), "openclaw-cli-"));
  state = join(root, "state");
  mkdirSync(state, { mode: 0o700 });
  process.env.HOME = root;
  process.env.OPENCLAW_STATE_DIR = state;
  delete process.env.OPENCLAW_CONFIG_PATH;
  delete process.env.OPENCLAW_PROFILE;
  delete process.env.OPENCLAW_GATEWAY_TOKEN;
  delete process.env.OPENCLAW_GATEWAY_PORT;
});
afterEach(() => {
  process.env = { ...savedEnv };
  process.exitCode = undefined;
});

async function openclaw(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
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
    process.exitCode = undefined;
  }
}

const configFile = () => join(state, "openclaw.json");

describe("openclaw config", () => {
  it("get works without a file (defaults), init writes a starter config, set/unset edit one key", async () => {
    expect(await openclaw("config", "get", "gateway.port")).toMatchObject({ code: 0, stdout: "18789\n" });
    expect((await openclaw("config", "file")).stdout).toBe(`${configFile()}\n`);
    expect((await openclaw("config", "init")).code).toBe(0);
    expect(statSync(configFile()).mode & 0o777).toBe(0o600);
    expect((await openclaw("config", "init")).code).toBe(1); // exists: needs --force
    writeFileSync(configFile(), `${readFileSync(configFile(), "utf8").replace("{", "{\n  // my note")}`);
    expect(await openclaw("config", "set", "gateway.port", "19001")).toMatchObject({ code: 0 });
    expect(await openclaw("config", "set", "channels.telegram.allowFrom", '["123", 456]')).toMatchObject({
      code: 0,
    });
    expect(await openclaw("config", "set", "logging.level", "debug")).toMatchObject({ code: 0 });
    expect(await openclaw("config", "get", "gateway.port")).toMatchObject({ stdout: "19001\n" });
    expect(await openclaw("config", "get", "logging.level")).toMatchObject({ stdout: "debug\n" });
    const text = readFileSync(configFile(), "utf8");
    expect(text).toContain("// my note");
    expect(JSON5.parse(text).channels.telegram.allowFrom).toEqual(["123", 456]);
    expect((await openclaw("config", "unset", "logging")).code).toBe(0);
    expect(await openclaw("config", "get", "logging.level")).toMatchObject({ stdout: "info\n" });
  });

  it("get prints the token when asked for it, and redacts secrets inside objects", async () => {
    writeFileSync(configFile(), '{ gateway: { auth: { mode: "token", token: "tok-abcdef-123456" } } }');
    expect((await openclaw("config", "get", "gateway.auth.token")).stdout).toBe("tok-abcdef-123456\n");
    const object = await openclaw("config", "get", "gateway.auth");
    expect(JSON.parse(object.stdout)).toEqual({ mode: "token", token: "__OPENCLAW_REDACTED__" });
    expect(JSON.parse((await openclaw("config", "get", "gateway.auth", "--show-secrets")).stdout).token).toBe(
      "tok-abcdef-123456",
    );
    expect(await openclaw("config", "get", "gateway.remote.url")).toMatchObject({
      code: 1,
      stderr: "gateway.remote.url: not set\n",
    });
    expect(await openclaw("config", "get", "gateway.prot")).toMatchObject({
      code: 1,
      stderr: 'gateway.prot: not a known key — did you mean "gateway.port"?\n',
    });
    const typo = await openclaw("config", "set", "gateway.prot", "1");
    expect(typo).toMatchObject({ code: 1 });
    expect(typo.stderr).toContain('did you mean "gateway.port"');
  });

  it("get works when the file references a variable this shell lacks", async () => {
    writeFileSync(
      configFile(),
      '{ gateway: { port: 18790 }, models: { providers: { x: { apiKey: "${ONLY_IN_SERVICE_ENV}" } } } }',
    );
    expect(await openclaw("config", "get", "gateway.port")).toMatchObject({ code: 0, stdout: "18790\n" });
    expect(await openclaw("config", "get", "gateway.bind")).toMatchObject({ code: 0, stdout: "loopback\n" });
    expect(await openclaw("config", "set", "gateway.port", "18791")).toMatchObject({ code: 0 });
  });

  it("invalid values are refused with the key, the value and what was expected; the file is untouched", async () => {
    writeFileSync(configFile(), "{ gateway: { port: 18789 } }\n");
    const result = await openclaw("config", "set", "gateway.bind", "everywhere");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'gateway.bind: invalid value (got "everywhere", expected one of "loopback"',
    );
    expect(readFileSync(configFile(), "utf8")).toBe("{ gateway: { port: 18789 } }\n");
  });

  it("validate reports syntax errors with line:column, ignored keys and alternate spellings", async () => {
    writeFileSync(
      configFile(),
      "{\n  gateway: { port: 1 },\n  models: { defaults: { model: 'a/b' } },\n  gatway: {},\n}\n",
    );
    const ok = await openclaw("config", "validate");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('gatway: unknown key, ignored (kept in the file) — did you mean "gateway"?');
    expect(ok.stdout).toContain(
      "models.defaults.model: accepted alternate spelling of agents.defaults.model.primary",
    );
    writeFileSync(configFile(), "{\n  gateway: { port: 1 }\n  x: 2\n}\n");
    const bad = await openclaw("config", "validate");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${configFile()}:3:3: JSON5 syntax error`);
  });
});

describe("openclaw sessions", () => {
  it("lists with filters, exports and imports a bundle", async () => {
    const { SessionStore, createFileStateStore } = await import("@openclaw/core/state");
    const store = new SessionStore({ state: createFileStateStore(state) });
    await store.create("main", { label: "home" });
    await store.create("agent:work:slack:channel:c1", { label: "ops", updatedAt: Date.now() - 3 * 3600_000 });
    await store.append("main", [{ type: "message", message: { role: "user", content: "hello" } }]);
    await store.close();
    const all = JSON.parse((await openclaw("sessions", "--json")).stdout);
    expect(all.sessions.map((s: { key: string }) => s.key)).toEqual([
      "agent:main:main",
      "agent:work:slack:channel:c1",
    ]);
    const recent = JSON.parse((await openclaw("sessions", "--active", "60", "--json")).stdout);
    expect(recent.count).toBe(1);
    expect((await openclaw("sessions", "--agent", "work")).stdout).toContain("agent:work:slack:channel:c1");
    const bundle = join(state, "..", "bundle.jsonl");
    expect((await openclaw("sessions", "export", "--out", bundle)).stdout).toContain("Exported 2 session(s)");
    process.env.OPENCLAW_STATE_DIR = join(state, "..", "other");
    expect((await openclaw("sessions", "import", bundle)).stdout).toContain("Imported 2 session(s)");
    const copy = new SessionStore({ state: createFileStateStore(process.env.OPENCLAW_STATE_DIR) });
    expect((await copy.readTranscript("main")).entries).toHaveLength(1);
    const broken = await openclaw("sessions", "import", configFile());
    expect(broken.code).toBe(1);
  });
});

describe("openclaw doctor", () => {
  it("warns about a 0644 config and fixes it with --fix --yes (after a backup)", async () => {
    writeFileSync(configFile(), '{ gateway: { auth: { token: "0123456789abcdef" } } }');
    chmodSync(configFile(), 0o644);
    const check = await openclaw("doctor");
    expect(check.stdout).toContain(
      `${configFile()} is a file with mode 644 (world readable, group readable)`,
    );
    expect(check.code).toBe(1);
    mkdirSync(join(state, "agents/main/agent"), { recursive: true });
    writeFileSync(join(state, "agents/main/agent/auth-profiles.json"), '{"version":1,"profiles":{}}', {
      mode: 0o644,
    });
    chmodSync(join(state, "agents/main/agent/auth-profiles.json"), 0o644);
    expect((await openclaw("doctor")).stdout).toContain(
      "auth-profiles.json is a file with mode 644 (world readable, group readable)",
    );
    const fixed = await openclaw("doctor", "--fix", "--yes");
    expect(statSync(join(state, "agents/main/agent/auth-profiles.json")).mode & 0o777).toBe(0o600);
    expect(fixed.stdout).toContain("fixed: chmod 600");
    expect(statSync(configFile()).mode & 0o777).toBe(0o600);
    expect(existsSync(`${configFile()}.bak`)).toBe(true);
  });

  it("warns about a 0644 SecretRef file and chmods it 600 with --fix --yes", async () => {
    const secret = join(state, "gateway.token");
    writeFileSync(secret, "tok-from-file-0123456789\n");
    chmodSync(secret, 0o644);
    writeFileSync(
      configFile(),
      '{ gateway: { auth: { mode: "token", token: { source: "file", id: "./gateway.token" } } } }',
    );
    chmodSync(configFile(), 0o600);
    const check = await openclaw("doctor", "--non-interactive");
    expect(check.stdout).toContain(`${secret} is a file with mode 644 (world readable, group readable)`);
    expect(check.stdout).not.toContain("tok-from-file");
    await openclaw("doctor", "--fix", "--yes", "--non-interactive");
    expect(statSync(secret).mode & 0o777).toBe(0o600);
  });

  it("non-loopback bind without a token is critical; --generate-gateway-token fixes it", async () => {
    writeFileSync(configFile(), '{ gateway: { bind: "lan" } }');
    chmodSync(configFile(), 0o600);
    const check = await openclaw("doctor", "--non-interactive");
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('gateway.bind is "lan" but no token or password is set');
    const generated = await openclaw("doctor", "--generate-gateway-token");
    expect(generated.code).toBe(0);
    const token = (await openclaw("config", "get", "gateway.auth.token")).stdout.trim();
    expect(token).toMatch(/^[0-9a-f]{48}$/);
  });

  it("legacy spellings: offered, rewritten only with --fix; unknown keys are never removed without a prompt", async () => {
    writeFileSync(
      configFile(),
      '{\n  // mine\n  models: { defaults: { model: "openai/gpt-4o" } },\n  futureKey: 1,\n}\n',
    );
    chmodSync(configFile(), 0o600);
    const report = await openclaw("doctor");
    expect(report.stdout).toContain("models.defaults.model → agents.defaults.model.primary");
    expect(report.stdout).toContain("Ignored key futureKey");
    expect(readFileSync(configFile(), "utf8")).toContain("models: { defaults");
    await openclaw("doctor", "--fix", "--yes", "--non-interactive");
    const text = readFileSync(configFile(), "utf8");
    expect(JSON5.parse(text)).toEqual({
      futureKey: 1,
      agents: { defaults: { model: { primary: "openai/gpt-4o" } } },
    });
    expect(text).toContain("// mine");
    expect((await openclaw("config", "get", "agents.defaults.model.primary")).stdout).toBe("openai/gpt-4o\n");
  });
});

describe("openclaw doctor (state)", () => {
  it("reports an unreadable sessions.json and cleans old temp files left by interrupted writes", async () => {
    const sessions = join(state, "agents/main/sessions");
    mkdirSync(sessions, { recursive: true });
    writeFileSync(join(sessions, "sessions.json"), "{ torn");
    const temp = join(state, ".openclaw.json.4242.deadbeef.tmp");
    writeFileSync(temp, "partial");
    const old = new Date(Date.now() - 5 * 60_000);
    utimesSync(temp, old, old);
    const report = await openclaw("doctor", "--non-interactive");
    expect(report.code).toBe(1);
    expect(report.stdout).toContain("sessions.json is not valid JSON");
    expect(report.stdout).toContain("1 temp file(s) left by interrupted writes");
    await openclaw("doctor", "--fix", "--yes", "--non-interactive");
    expect(existsSync(temp)).toBe(false);
  });
});

describe("openclaw reset", () => {
  it("refuses without confirmation; --yes removes the config but keeps a backup", async () => {
    writeFileSync(configFile(), "{ gateway: { port: 1234 } }");
    const refused = await openclaw("reset", "--scope", "config", "--non-interactive");
    expect(refused.code).toBe(1);
    expect(existsSync(configFile())).toBe(true);
    expect((await openclaw("reset", "--scope", "nonsense", "--yes")).code).toBe(1);
    const done = await openclaw("reset", "--scope", "config", "--yes");
    expect(done.code).toBe(0);
    expect(existsSync(configFile())).toBe(false);
    expect(readFileSync(`${configFile()}.bak`, "utf8")).toContain("1234");
  });

  it("config+creds+sessions removes credentials and sessions too", async () => {
    mkdirSync(join(state, "credentials"));
    writeFileSync(join(state, "credentials", "telegram-allowFrom.json"), "{}");
    mkdirSync(join(state, "agents/main/sessions"), { recursive: true });
    writeFileSync(join(state, "agents/main/sessions/sessions.json"), "{}");
    await openclaw("reset", "--scope", "config+creds+sessions", "--yes");
    expect(existsSync(join(state, "credentials"))).toBe(false);
    expect(existsSync(join(state, "agents/main/sessions"))).toBe(false);
  });
});
