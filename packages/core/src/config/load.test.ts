import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getDefaultAgentId, resolveAgent } from "./agents.js";
import { ConfigError } from "./errors.js";
import { defaultConfig, loadConfig } from "./load.js";
import { resolvePaths } from "./paths.js";
import { REDACTED, redactConfig } from "./redact.js";

const REAL = join(import.meta.dirname, "__fixtures__", "real");

function sandbox() {
  const root = mkdtempSync(join(tmpdir(), "openclaw-config-"));
  const home = join(root, "home");
  const state = join(root, "state");
  mkdirSync(home, { recursive: true });
  mkdirSync(state, { recursive: true });
  const cwd = join(root, "cwd");
  mkdirSync(cwd);
  return { root, home, state, cwd, env: { HOME: home, OPENCLAW_STATE_DIR: state } as NodeJS.ProcessEnv };
}

function write(path: string, text: string): string {
  writeFileSync(path, text);
  return path;
}

async function expectConfigError(promise: Promise<unknown>, code: string): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(ConfigError.isInstance(error), `expected a ConfigError, got ${String(error)}`).toBe(true);
  expect((error as ConfigError).code).toBe(code);
  return error as ConfigError;
}

describe("paths and defaults", () => {
  it("no file gives safe defaults: agent main, default workspace, loopback:18789", async () => {
    const box = sandbox();
    const loaded = await loadConfig({ env: { HOME: box.home }, cwd: box.cwd });
    expect(loaded.exists).toBe(false);
    expect(loaded.path).toBe(join(box.home, ".openclaw", "openclaw.json"));
    expect(loaded.config.gateway).toMatchObject({ port: 18789, bind: "loopback" });
    expect(getDefaultAgentId(loaded.config)).toBe("main");
    expect(loaded.config.agents.defaults.workspace).toBe(join(box.home, ".openclaw", "workspace"));
  });

  it("profiles, OPENCLAW_HOME, OPENCLAW_STATE_DIR and OPENCLAW_CONFIG_PATH move the files", () => {
    expect(resolvePaths({ HOME: "/h" }, "work")).toMatchObject({
      stateDir: "/h/.openclaw-work",
      configPath: "/h/.openclaw-work/openclaw.json",
      workspaceDir: "/h/.openclaw/workspace-work",
    });
    expect(resolvePaths({ HOME: "/h", OPENCLAW_HOME: "/o" }).configPath).toBe("/o/.openclaw/openclaw.json");
    expect(resolvePaths({ HOME: "/h", OPENCLAW_STATE_DIR: "~/state" }).configPath).toBe(
      "/h/state/openclaw.json",
    );
    expect(resolvePaths({ HOME: "/h", OPENCLAW_CONFIG_PATH: "/etc/claw.json5" }).configPath).toBe(
      "/etc/claw.json5",
    );
    expect(resolvePaths({ HOME: "/h" }).agentDir("main")).toBe("/h/.openclaw/agents/main/agent");
  });

  it("the dev profile moves the default port to 19001", () => {
    expect(defaultConfig({ env: { HOME: "/h" }, profile: "dev" }).gateway.port).toBe(19001);
  });
});

describe("real OpenClaw config files", () => {
  it("minimal onboarding config", async () => {
    const box = sandbox();
    const loaded = await loadConfig({ path: join(REAL, "minimal.json5"), env: box.env, cwd: box.cwd });
    const { config } = loaded;
    expect(config.gateway).toMatchObject({
      mode: "local",
      port: 18789,
      bind: "loopback",
      auth: { mode: "token" },
    });
    expect(config.agents.defaults.model).toEqual({ primary: "anthropic/claude-opus-4-5" });
    expect(config.agents.defaults.workspace).toBe(join(box.home, ".openclaw", "workspace"));
    expect(config.channels.telegram).toMatchObject({
      enabled: true,
      dmPolicy: "pairing",
      streamMode: "partial",
    });
    expect(config.plugins.entries.telegram).toEqual({ enabled: true });
    expect(loaded.ignoredKeys).toEqual([]);
    expect(loaded.issues).toEqual([]);
  });

  it("multi-agent with bindings", async () => {
    const box = sandbox();
    const { config } = await loadConfig({
      path: join(REAL, "multi-agent.json5"),
      env: box.env,
      cwd: box.cwd,
    });
    expect(config.agents.list.map((agent) => agent.id)).toEqual(["home", "work"]);
    expect(getDefaultAgentId(config)).toBe("home");
    const paths = resolvePaths(box.env);
    const work = resolveAgent(config, "work", paths);
    expect(work).toMatchObject({
      workspace: "/srv/agents/work",
      model: { primary: "openai/gpt-5", fallbacks: ["openai/gpt-5-mini"] },
    });
    expect(resolveAgent(config, "home", paths).workspace).toBe(join(box.home, ".openclaw", "workspace-home"));
    expect(config.bindings[1]?.match.peer).toEqual({ kind: "direct", id: "+15551230000" });
    expect(config.bindings[2]?.match.accountId).toBe("*");
    expect(config.session).toMatchObject({ dmScope: "per-channel-peer", mainKey: "main" });
    expect(config.channels.whatsapp?.accounts?.biz).toEqual({ name: "Business" });
  });

  it("multi-channel: shared vocabulary validated, channel extras kept", async () => {
    const box = sandbox();
    const loaded = await loadConfig({ path: join(REAL, "multi-channel.json5"), env: box.env, cwd: box.cwd });
    const { channels, messages } = loaded.config;
    expect(channels.telegram?.groups?.["-1001234567890"]).toMatchObject({ requireMention: false });
    expect(channels.discord?.guilds).toEqual({
      "998877": { requireMention: true, channels: { general: { allow: true } } },
    });
    expect(channels.signal).toMatchObject({ enabled: false, account: "+15550001111" });
    expect(messages.groupChat.historyLimit).toBe(30);
    expect(loaded.ignoredKeys).toEqual([]);
  });

  it("$include (arrays merged, sibling keys win, nested) and ${VAR} from .env files and the process", async () => {
    const box = sandbox();
    write(join(box.cwd, ".env"), "VLLM_BASE_URL=http://gpu-box:8000/v1\nTELEGRAM_BOT_TOKEN=from-cwd\n");
    write(
      join(box.state, ".env"),
      "VLLM_API_KEY=sk-state\nTELEGRAM_BOT_TOKEN=from-state\nOPENCLAW_GATEWAY_TOKEN=from-state\n",
    );
    const env: NodeJS.ProcessEnv = { ...box.env, OPENCLAW_GATEWAY_TOKEN: "from-process" };
    const loaded = await loadConfig({ path: join(REAL, "includes", "openclaw.json5"), env, cwd: box.cwd });
    const { config } = loaded;
    expect(config.gateway.port).toBe(18790);
    expect(config.gateway.bind).toBe("lan");
    expect(config.gateway.auth.token).toBe("from-process"); // already-set variables are never overridden
    expect(config.models.providers.vllm).toMatchObject({
      baseUrl: "http://gpu-box:8000/v1",
      apiKey: "sk-state",
    });
    expect(config.channels.telegram).toMatchObject({
      botToken: "from-cwd",
      textChunkLimit: 3500,
      dmPolicy: "pairing",
    });
    expect(config.bindings.map((binding) => binding.agentId)).toEqual(["ops", "main"]);
    expect(config.messages.responsePrefix).toBe("${NOT_A_VAR}");
    expect(loaded.includedFiles.map((file) => file.split("/").pop())).toEqual([
      "gateway.json5",
      "agents.json5",
      "telegram.json5",
    ]);
    expect(env.VLLM_API_KEY).toBe("sk-state");
  });

  it("OpenClaw 2026.9 files: agents.entries, plugins.entries, meta, wizard; unknown keys listed once with a suggestion", async () => {
    const box = sandbox();
    const loaded = await loadConfig({ path: join(REAL, "v2026-9.json5"), env: box.env, cwd: box.cwd });
    const { config } = loaded;
    expect(config.agents.list.map((agent) => agent.id)).toEqual(["main", "research"]);
    expect(resolveAgent(config, "research", resolvePaths(box.env)).model.primary).toBe(
      "google/gemini-2.5-pro",
    );
    expect(config.agents.defaults.workspace).toBe(join(box.home, "claw"));
    expect(config.plugins.entries["memory-core"]).toEqual({ enabled: true, config: { provider: "local" } });
    expect(config.meta).toMatchObject({ lastTouchedVersion: "2026.9.14" });
    expect(loaded.ignoredKeys.sort()).toEqual([
      "agentSkillsPolicy",
      "gateway_extra",
      "session.threadBindings",
    ]);
    const extra = loaded.issues.find((issue) => issue.path === "gateway_extra");
    expect(extra).toMatchObject({ code: "unknown_key", suggestion: "gateway" });
    expect(loaded.parsed.agentSkillsPolicy).toEqual({ strict: true });
    expect("agentSkillsPolicy" in config).toBe(false);
  });
});

describe("more alternate spellings", () => {
  it("top-level memorySearch.* (FAQ) becomes agents.defaults.memorySearch; canonical keys win", async () => {
    const box = sandbox();
    const file = write(
      join(box.root, "c.json5"),
      '{ memorySearch: { provider: "local", fallback: "none", remote: { apiKey: "k" } }, agents: { defaults: { memorySearch: { fallback: "openai" } } } }',
    );
    const loaded = await loadConfig({ path: file, env: box.env, cwd: box.cwd });
    expect(loaded.config.agents.defaults.memorySearch).toEqual({
      provider: "local",
      fallback: "openai",
      remote: { apiKey: "k" },
    });
    expect(loaded.legacyKeys.map((use) => use.path)).toEqual(["memorySearch"]);
  });

  it("legacy CLAWDBOT_* variables locate the state dir and the gateway token", async () => {
    const paths = resolvePaths({ HOME: "/h", CLAWDBOT_STATE_DIR: "/legacy" });
    expect(paths.configPath).toBe("/legacy/openclaw.json");
  });
});

describe("bad input gives a clear error, never a crash", () => {
  it("JSON5 syntax error names file, line and column", async () => {
    const box = sandbox();
    const file = write(join(box.root, "bad.json5"), "{\n  gateway: {\n    port: 18789,,\n  },\n}\n");
    const error = await expectConfigError(
      loadConfig({ path: file, env: box.env, cwd: box.cwd }),
      "CONFIG_PARSE",
    );
    expect(error.file).toBe(file);
    expect(error.line).toBe(3);
    expect(error.column).toBe(17);
    expect(error.message).toContain(`${file}:3:17`);
  });

  it("wrong type: path, value, expected", async () => {
    const box = sandbox();
    const file = write(join(box.root, "c.json5"), '{ gateway: { port: "eighty", bind: "everywhere" } }');
    const error = await expectConfigError(
      loadConfig({ path: file, env: box.env, cwd: box.cwd }),
      "CONFIG_INVALID",
    );
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "gateway.port", value: "eighty", expected: "number" }),
        expect.objectContaining({
          path: "gateway.bind",
          value: "everywhere",
          expected: expect.stringContaining('"loopback"'),
        }),
      ]),
    );
    expect(error.message).toContain('gateway.port: wrong type (got "eighty", expected number)');
  });

  it('dmPolicy "open" without "*" in allowFrom, and duplicate agent ids, are errors', async () => {
    const box = sandbox();
    const file = write(
      join(box.root, "c.json5"),
      '{ channels: { telegram: { dmPolicy: "open", allowFrom: ["123"] } }, agents: { list: [{ id: "a" }, { id: "A" }] } }',
    );
    const error = await expectConfigError(
      loadConfig({ path: file, env: box.env, cwd: box.cwd }),
      "CONFIG_INVALID",
    );
    expect(error.issues.map((issue) => issue.path)).toEqual([
      "channels.telegram.allowFrom",
      "agents.list[1].id",
    ]);
  });

  it("a bad secret value is redacted in the error", async () => {
    const box = sandbox();
    const file = write(join(box.root, "c.json5"), "{ gateway: { auth: { token: 12345678 } } }");
    const error = await expectConfigError(
      loadConfig({ path: file, env: box.env, cwd: box.cwd }),
      "CONFIG_INVALID",
    );
    expect(error.issues[0]).toMatchObject({ path: "gateway.auth.token", value: REDACTED });
    expect(error.message).not.toContain("12345678");
  });

  it("unknown key: warning with did-you-mean, config still loads", async () => {
    const box = sandbox();
    const file = write(join(box.root, "c.json5"), '{ gateway: { prot: 1234, bind: "lan" } }');
    const loaded = await loadConfig({ path: file, env: box.env, cwd: box.cwd });
    expect(loaded.config.gateway.port).toBe(18789);
    expect(loaded.issues).toEqual([
      expect.objectContaining({ severity: "warning", path: "gateway.prot", suggestion: "gateway.port" }),
    ]);
  });

  it("missing env var names the key path", async () => {
    const box = sandbox();
    const file = write(
      join(box.root, "c.json5"),
      '{ models: { providers: { openai: { apiKey: "${OPENAI_KEY_NOPE}" } } } }',
    );
    const error = await expectConfigError(
      loadConfig({ path: file, env: box.env, cwd: box.cwd }),
      "CONFIG_ENV_MISSING",
    );
    expect(error.keyPath).toBe("models.providers.openai.apiKey");
    expect(error.message).toContain("OPENAI_KEY_NOPE is not set");
  });

  it("include cycle is detected", async () => {
    const box = sandbox();
    write(join(box.root, "a.json5"), '{ $include: "./b.json5" }');
    write(join(box.root, "b.json5"), '{ $include: "./a.json5" }');
    const file = write(join(box.root, "main.json5"), '{ gateway: { $include: "./a.json5" } }');
    const error = await expectConfigError(
      loadConfig({ path: file, env: box.env, cwd: box.cwd }),
      "CONFIG_INCLUDE",
    );
    expect(error.message).toMatch(/cycle: .*a\.json5 -> .*b\.json5 -> .*a\.json5/);
  });

  it("include depth is limited", async () => {
    const box = sandbox();
    for (let level = 0; level < 12; level++)
      write(join(box.root, `l${level}.json5`), `{ $include: "./l${level + 1}.json5" }`);
    write(join(box.root, "l12.json5"), "{}");
    const file = write(join(box.root, "main.json5"), '{ $include: "./l0.json5" }');
    const error = await expectConfigError(
      loadConfig({ path: file, env: box.env, cwd: box.cwd }),
      "CONFIG_INCLUDE",
    );
    expect(error.message).toContain("deeper than 10");
  });

  it("include outside the config/state directories is refused; a missing include is named", async () => {
    const box = sandbox();
    const confDir = join(box.root, "conf");
    mkdirSync(confDir);
    write(join(box.root, "secret.json5"), "{ gateway: { port: 1 } }");
    const outside = write(join(confDir, "c.json5"), '{ $include: "../secret.json5" }');
    const error = await expectConfigError(
      loadConfig({ path: outside, env: box.env, cwd: box.cwd }),
      "CONFIG_INCLUDE",
    );
    expect(error.message).toContain("outside the allowed directories");
    const missing = write(join(confDir, "d.json5"), '{ channels: { $include: "./nope.json5" } }');
    const missingError = await expectConfigError(
      loadConfig({ path: missing, env: box.env, cwd: box.cwd }),
      "CONFIG_INCLUDE",
    );
    expect(missingError.message).toContain('channels.$include: cannot read $include "./nope.json5"');
    expect(missingError.message).toContain("file not found");
  });

  it("a config path that cannot be read is a CONFIG_READ error", async () => {
    const box = sandbox();
    const directory = join(box.root, "openclaw.json");
    mkdirSync(directory);
    const error = await expectConfigError(
      loadConfig({ path: directory, env: box.env, cwd: box.cwd }),
      "CONFIG_READ",
    );
    expect(error.message).toContain("is a directory");
  });

  it("a root that is not an object is rejected", async () => {
    const box = sandbox();
    const file = write(join(box.root, "c.json5"), "[1, 2]");
    await expectConfigError(loadConfig({ path: file, env: box.env, cwd: box.cwd }), "CONFIG_INVALID");
  });
});

describe("channel plugins contribute their config schema", () => {
  it("the plugin's configSchema validates channels.<id>: defaults applied, bad values are errors, unknown keys warnings", async () => {
    const { z } = await import("zod");
    const plugin = {
      id: "matrix",
      configSchema: z.strictObject({
        enabled: z.boolean().optional(),
        dmPolicy: z.string().optional(),
        homeserver: z.string().url(),
        syncTimeoutMs: z.number().int().default(30000),
      }),
    };
    const box = sandbox();
    const good = write(
      join(box.root, "good.json5"),
      '{ channels: { matrix: { homeserver: "https://m.example.org", dmPolicy: "pairing", extra: 1 } } }',
    );
    const loaded = await loadConfig({ path: good, env: box.env, cwd: box.cwd, channelPlugins: [plugin] });
    expect(loaded.config.channels.matrix).toMatchObject({
      homeserver: "https://m.example.org",
      syncTimeoutMs: 30000,
      dmPolicy: "pairing",
    });
    expect(loaded.ignoredKeys).toEqual(["channels.matrix.extra"]);
    const bad = write(join(box.root, "bad.json5"), '{ channels: { matrix: { homeserver: "not a url" } } }');
    const error = await expectConfigError(
      loadConfig({ path: bad, env: box.env, cwd: box.cwd, channelPlugins: [plugin] }),
      "CONFIG_INVALID",
    );
    expect(error.issues[0]).toMatchObject({ path: "channels.matrix.homeserver", value: "not a url" });
  });
});

describe("redaction", () => {
  it("redactConfig masks every sensitive field, including plugin channel secrets", async () => {
    const box = sandbox();
    const { config } = await loadConfig({
      path: join(REAL, "multi-agent.json5"),
      env: box.env,
      cwd: box.cwd,
    });
    const redacted = redactConfig(config);
    expect(redacted.gateway.auth.token).toBe(REDACTED);
    expect(redacted.channels.slack).toMatchObject({ botToken: REDACTED, appToken: REDACTED });
    expect(redacted.channels.telegram?.botToken).toBe(REDACTED);
    expect(redacted.channels.whatsapp?.allowFrom).toEqual(["+15551230000", "+15557654321"]);
    expect(config.gateway.auth.token).toBe("0123456789abcdef0123456789abcdef");
  });
});
