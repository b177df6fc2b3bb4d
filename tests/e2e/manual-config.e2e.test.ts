import { copyFile, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  formatConfigIssue,
  getAtPath,
  loadConfig,
  parseKeyPath,
} from "../../packages/core/src/config/index.js";
import { runCli } from "./cli-harness.js";

// The config examples of the user's manual (the FAQ's json5 blocks and the keys its prose and the
// runbook name), each written verbatim as the `openclaw.json` of a fresh state dir and read the
// way `openclaw config validate` / `config get` read it (core's loadConfig; the built CLI itself
// on a few, a CLI start costing ~0.5 s): accepted, alternate spellings said as such, nothing
// silently dropped, and the meaning the manual gives it. Then the defaults
// the manual states, on an install with no config at all. (The manual's error signatures, which
// need running gateways, are in manual-signatures.e2e.test.ts.)

const FIXTURES = join(import.meta.dirname, "fixtures", "manual-config");

interface Expectation {
  /** `config get --json <path>` → this value (a function of the scratch HOME). */
  get?: [path: string, value: (home: string) => unknown];
  /** Paths `config validate` names as an alternate spelling (translated, kept in the file). */
  spelled?: string[];
  /** Paths `config validate` names as ignored (the manual itself says they are). */
  ignored?: string[];
}

const expectations: Record<string, Expectation> = {
  "faq-workspace": { get: ["agents.defaults.workspace", (home) => `${home}/.openclaw/workspace`] },
  "faq-workspace-repo": { get: ["agents.defaults.workspace", (home) => `${home}/Projects/my-repo`] },
  "faq-bind-lan": {
    get: ["gateway", () => expect.objectContaining({ bind: "lan", port: 18789 })],
  },
  "faq-web-search": {
    get: ["tools.web.search", () => expect.objectContaining({ enabled: true, maxResults: 5 })],
  },
  "faq-minimal": { get: ["channels.whatsapp.allowFrom", () => ["+15555550123"]] },
  "faq-headless": { get: ["browser.headless", () => true] },
  "faq-default-model": {
    get: ["agents.defaults.model", () => ({ primary: "anthropic/claude-3-5-sonnet-20250219" })],
    spelled: ["models.defaults.model"],
  },
  "faq-model-per-agent": {
    get: [
      "agents.list",
      () => [
        { id: "mybot", model: { primary: "openai/gpt-4o" } },
        { id: "expert", model: { primary: "anthropic/claude-3-7-opus-20250219" } },
      ],
    ],
    spelled: ["agents.mybot", "agents.expert"],
  },
  "faq-aliases": {
    get: [
      "agents.defaults.models",
      () => ({
        "openai/gpt-4o-mini": { alias: "fast" },
        "anthropic/claude-3-5-sonnet-20250219": { alias: "smart" },
        "ollama/llama3.2": { alias: "local" },
      }),
    ],
    spelled: ["models.aliases.fast", "models.aliases.smart", "models.aliases.local"],
  },
  "faq-ollama": {
    get: ["agents.defaults.model.primary", () => "ollama/llama3.2"],
    spelled: ["models.defaults.model"],
  },
  "faq-offline": { get: ["tools.web.fetch.enabled", () => false] },
  "faq-failover": {
    get: [
      "agents.defaults.model",
      () => ({
        primary: "anthropic/claude-3-5-sonnet-20250219",
        fallbacks: ["openai/gpt-4o", "google/gemini-2.0-flash-exp"],
      }),
    ],
    spelled: ["models.failover"],
  },
  "faq-failover-per-agent": {
    get: [
      "agents.list",
      () => [
        {
          id: "reliable",
          model: {
            primary: "anthropic/claude-3-5-sonnet-20250219",
            fallbacks: ["openai/gpt-4o", "google/gemini-2.0-flash-exp"],
          },
        },
      ],
    ],
    spelled: ["agents.reliable"],
  },
  "faq-force-failover": {
    get: [
      "agents.defaults.model",
      () => ({ primary: "openai/gpt-nonexistent", fallbacks: ["openai/gpt-4o"] }),
    ],
    spelled: ["models.defaults.model", "models.failover"],
  },
  "faq-remote": {
    get: [
      "gateway",
      () =>
        expect.objectContaining({
          mode: "remote",
          remote: { url: "ws://your-vps.example.com:18789", token: "your-gateway-token" },
        }),
    ],
    spelled: ["gateway.remote.host", "gateway.remote.enabled"],
  },
  "faq-debug-logging": { get: ["logging.level", () => "debug"] },
  "faq-verbose-models": { get: ["logging.verboseModels", () => true] },
  "faq-agent-workspace": {
    get: ["agents.list", () => [{ id: "mybot", workspace: "/chemin/vers/stockage/personnalisé" }]],
    spelled: ["agents.mybot"],
  },
  "faq-telegram-allowfrom": {
    get: ["channels.telegram.allowFrom", () => ["@votre_utilisateur", "123456789"]],
  },
  "faq-cron-jobs": {
    get: [
      "cron.jobs",
      () => [
        expect.objectContaining({
          name: "Rapport quotidien",
          schedule: { kind: "cron", expr: "0 9 * * *" },
          payload: expect.objectContaining({ kind: "command" }),
        }),
      ],
    ],
    spelled: ["automation.cron.jobs"],
  },
  "faq-prose-gateway": {
    get: [
      "gateway",
      () =>
        expect.objectContaining({
          port: 18790,
          reload: expect.objectContaining({ mode: "hot" }),
          auth: expect.objectContaining({ allowTailscale: true }),
        }),
    ],
  },
  "faq-prose-sandbox": {
    get: [
      "agents.defaults.sandbox",
      () =>
        expect.objectContaining({
          mode: "non-main",
          scope: "shared",
          docker: expect.objectContaining({ binds: ["/home/user/src:/src:ro"] }),
        }),
    ],
  },
  "faq-prose-skills-memory": {
    get: [
      "agents.defaults.memorySearch",
      () => expect.objectContaining({ provider: "local", fallback: "none" }),
    ],
    spelled: ["memorySearch"],
  },
  "faq-prose-misc": { get: ["cron.enabled", () => false] },
  "faq-prose-whatsapp-routing": {
    get: ["channels.whatsapp.dmPolicy", () => "allowlist"],
  },
  "runbook-mention-gating": {
    get: ["messages.groupChat.mentionPatterns", () => ["@openclaw", "openclaw"]],
  },
  // named by the FAQ, read by neither OpenClaw nor this project: ignored, and the warning says
  // which key does the job (checked below)
  "faq-prose-not-read": {
    ignored: ["agents.routing", "session.ttl", "session.pruning", "tools.requireApproval"],
  },
  // the runbook: "gateway.token est ignoré ; utilisez gateway.auth.token"
  "runbook-legacy-token": { ignored: ["gateway.token"] },
};

let home: string;

function envFor(dir: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: dir, OPENCLAW_STATE_DIR: join(dir, ".openclaw"), NO_COLOR: "1" };
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-manual-config-"));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

/** What `openclaw config validate` prints and `config get` reads, for one state dir. */
function load(dir: string) {
  return loadConfig({ env: envFor(dir), applyEnv: false });
}

describe("the user's manual's config examples", () => {
  it("every example is accepted (as `config validate` reads it) and means what the manual says", async () => {
    const files = (await readdir(FIXTURES)).filter((file) => file.endsWith(".json5"));
    expect(files.map((file) => file.replace(/\.json5$/, "")).sort()).toEqual(
      Object.keys(expectations).sort(),
    );
    for (const file of files) {
      const name = file.replace(/\.json5$/, "");
      const dir = join(home, name);
      await mkdir(join(dir, ".openclaw"), { recursive: true });
      await copyFile(join(FIXTURES, file), join(dir, ".openclaw", "openclaw.json"));
      const expectation = expectations[name]!;
      const loaded = await load(dir);
      const lines = loaded.issues.map(formatConfigIssue);
      const spelled = lines.flatMap((line) => /^(\S+): accepted alternate spelling/.exec(line)?.[1] ?? []);
      const ignored = lines.flatMap((line) => /^(\S+): unknown key, ignored/.exec(line)?.[1] ?? []);
      expect(spelled, `${name}: ${lines.join("; ")}`).toEqual(expectation.spelled ?? []);
      expect(ignored, `${name}: ${lines.join("; ")}`).toEqual(expectation.ignored ?? []);
      expect(lines, name).toHaveLength(spelled.length + ignored.length);
      if (name === "faq-prose-not-read")
        expect(lines).toEqual([
          'agents.routing: unknown key, ignored (kept in the file) — did you mean "bindings"?',
          'session.ttl: unknown key, ignored (kept in the file) — did you mean "session.reset"?',
          'session.pruning: unknown key, ignored (kept in the file) — did you mean "agents.defaults.contextPruning"?',
          'tools.requireApproval: unknown key, ignored (kept in the file) — did you mean "tools.exec.ask"?',
        ]);
      if (expectation.get) {
        const [path, value] = expectation.get;
        expect(getAtPath(loaded.config, parseKeyPath(path)), `${name} ${path}`).toEqual(value(dir));
      }
    }
  });

  it("the built CLI says the same: valid, alternate spellings named, the ignored key points at the one that works", async () => {
    const run = (name: string, args: string[]) => runCli(args, envFor(join(home, name)));
    const [plain, spelled, legacy, failover] = await Promise.all([
      run("faq-bind-lan", ["config", "validate"]),
      run("faq-aliases", ["config", "validate"]),
      run("runbook-legacy-token", ["config", "validate"]),
      run("faq-failover", ["config", "get", "--json", "agents.defaults.model"]),
    ]);
    for (const result of [plain, spelled, legacy]) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^Valid: .+openclaw\.json\n/);
    }
    expect(plain.stdout).not.toMatch(/warning/);
    expect(spelled.stdout).toMatch(
      /warning: models\.aliases\.fast: accepted alternate spelling of agents\.defaults\.models\["openai\/gpt-4o-mini"\]\.alias/,
    );
    expect(legacy.stdout).toMatch(
      /gateway\.token: unknown key, ignored .*did you mean "gateway\.auth\.token"/,
    );
    expect(JSON.parse(failover.stdout)).toEqual({
      primary: "anthropic/claude-3-5-sonnet-20250219",
      fallbacks: ["openai/gpt-4o", "google/gemini-2.0-flash-exp"],
    });
  });

  it("the runbook's `config set` lines point the CLI at a remote gateway", async () => {
    const dir = join(home, "runbook-remote");
    const run = (args: string[]) => runCli(args, envFor(dir));
    expect((await run(["config", "set", "gateway.mode", "remote"])).code).toBe(0);
    expect((await run(["config", "set", "gateway.remote.url", "wss://gateway.example.com"])).code).toBe(0);
    const gateway = await run(["config", "get", "--json", "gateway"]);
    expect(JSON.parse(gateway.stdout)).toMatchObject({
      mode: "remote",
      remote: { url: "wss://gateway.example.com" },
    });
  });
});

describe("the defaults the manual states", () => {
  it("no config file: port 18789, loopback, hybrid reload, ~/.openclaw paths, web_fetch and cron on", async () => {
    const dir = join(home, "defaults");
    await mkdir(dir, { recursive: true });
    // no OPENCLAW_STATE_DIR: everything from HOME, as on a user's machine
    const env = { PATH: process.env.PATH, HOME: dir, NO_COLOR: "1" };
    const [file, gateway, workspace, cron, elsewhere] = await Promise.all([
      runCli(["config", "file"], env),
      runCli(["config", "get", "--json", "gateway"], env),
      runCli(["config", "get", "agents.defaults.workspace"], env),
      runCli(["config", "get", "--json", "cron.enabled"], env),
      runCli(["config", "file"], { ...env, OPENCLAW_CONFIG_PATH: join(dir, "elsewhere.json") }),
    ]);
    expect(file.stdout.trim()).toBe(`${dir}/.openclaw/openclaw.json`);
    expect(JSON.parse(gateway.stdout)).toMatchObject({
      port: 18789,
      bind: "loopback",
      reload: { mode: "hybrid" },
    });
    expect(workspace.stdout.trim()).toBe(`${dir}/.openclaw/workspace`);
    expect(JSON.parse(cron.stdout)).toBe(true);
    // web_fetch on unless turned off (the FAQ), read from the same defaults
    expect(
      getAtPath((await loadConfig({ env, applyEnv: false })).config, ["tools", "web", "fetch", "enabled"]),
    ).toBe(true);
    expect(elsewhere.stdout.trim()).toBe(join(dir, "elsewhere.json"));
  });
});
