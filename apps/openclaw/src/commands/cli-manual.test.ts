import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import JSON5 from "json5";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startGateway, TOKEN } from "../../../../packages/gateway/src/__tests__/helpers.js";
import { openclaw, openclawProcess, useTempState } from "./cli-test-helpers.js";

// Command lines of the user's manual that used to mislead (issue: "the manual, for what exists").
const savedEnv = { ...process.env };
let state = "";
beforeEach(() => {
  ({ state } = useTempState("openclaw-cli-manual-"));
});
afterEach(() => {
  process.env = { ...savedEnv };
  process.exitCode = undefined;
});
const config = () => JSON5.parse(readFileSync(join(state, "openclaw.json"), "utf8"));

describe("config set of an alternate spelling", () => {
  it("models.defaults.model writes agents.defaults.model.primary, the key that wins", async () => {
    writeFileSync(
      join(state, "openclaw.json"),
      JSON.stringify({ agents: { defaults: { model: { primary: "openai/gpt-4o" } } } }),
    );
    const set = await openclaw("config", "set", "models.defaults.model", "anthropic/claude-sonnet-4-5");
    expect(set.code).toBe(0);
    expect(set.stdout).toContain("alternate spelling of agents.defaults.model.primary");
    expect(config().agents.defaults.model.primary).toBe("anthropic/claude-sonnet-4-5");
    expect(config().models?.defaults?.model).toBeUndefined();
    expect((await openclaw("config", "get", "agents.defaults.model.primary")).stdout).toBe(
      "anthropic/claude-sonnet-4-5\n",
    );
  });
});

describe("models status --json", () => {
  it("prints JSON (the --json of `models` itself no longer swallows it)", async () => {
    const result = await openclaw("models", "status", "--json");
    expect(result.code).toBe(0);
    expect(() => JSON.parse(result.stdout)).not.toThrow();
  });
});

describe("openclaw agents list|add|delete|status|reset", () => {
  it("adds and deletes agents without editing JSON5; main stays the default", async () => {
    expect(JSON.parse((await openclaw("agents", "list", "--json")).stdout)).toEqual([
      expect.objectContaining({ id: "main", isDefault: true }),
    ]);
    const added = await openclaw("agents", "add", "work", "--name", "Work", "--model", "openai/gpt-4o");
    expect(added.code).toBe(0);
    expect(config().agents.list).toEqual([
      { id: "main" },
      { id: "work", name: "Work", model: { primary: "openai/gpt-4o" } },
    ]);
    const listed = JSON.parse((await openclaw("agents", "list", "--json")).stdout);
    expect(listed.map((row: { id: string; isDefault: boolean }) => [row.id, row.isDefault])).toEqual([
      ["main", true],
      ["work", false],
    ]);
    expect((await openclaw("agents", "add", "work")).stderr).toContain('agent "work" already exists');
    expect((await openclaw("agents", "add", "Bad Id!")).code).toBe(2);
    expect((await openclaw("agents", "delete", "main")).stderr).toContain("is the default agent");
    const deleted = await openclaw("agents", "delete", "work");
    expect(deleted.stdout).toContain("are kept on disk");
    expect(config().agents.list).toEqual([{ id: "main" }]);
  });

  it("status counts sessions; reset (no gateway) archives the main session's transcript", async () => {
    const sessions = join(state, "agents", "main", "sessions");
    mkdirSync(sessions, { recursive: true });
    writeFileSync(
      join(sessions, "sessions.json"),
      JSON.stringify({ "agent:main:main": { sessionId: "s-1", updatedAt: 1_790_000_000_000 } }),
    );
    writeFileSync(
      join(sessions, "s-1.jsonl"),
      `${JSON.stringify({ type: "session", version: 3, id: "s-1", timestamp: "2026-09-01T00:00:00.000Z" })}\n`,
    );
    const status = JSON.parse((await openclaw("agents", "status", "--json")).stdout);
    expect(status[0]).toMatchObject({ id: "main", sessions: { count: 1, lastActivity: 1_790_000_000_000 } });
    // nothing listens on this port: the reset happens on disk
    process.env.OPENCLAW_GATEWAY_PORT = "9";
    const reset = await openclaw("agents", "reset");
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain("Reset agent:main:main on disk");
    expect(readdirSync(sessions).some((name) => name.startsWith("s-1.jsonl.reset."))).toBe(true);
    const index = JSON.parse(readFileSync(join(sessions, "sessions.json"), "utf8"));
    expect(index["agent:main:main"].sessionId).not.toBe("s-1");
  });
});

describe("client commands with an explicit --url", () => {
  it("never send the stored token; the refusal names the missing token", async () => {
    const { resolveTarget } = await import("./gateway-local.js");
    const { openRpc } = await import("./gateway-rpc.js");
    const gw = await startGateway();
    try {
      writeFileSync(join(state, "openclaw.json"), JSON.stringify({ gateway: { auth: { token: TOKEN } } }));
      process.env.OPENCLAW_GATEWAY_TOKEN = TOKEN;
      expect(resolveTarget({}).token).toBe(TOKEN);
      const explicit = resolveTarget({ url: gw.address.url });
      expect(explicit.token).toBeUndefined();
      const refused = await openRpc(explicit).catch((error: Error) => error);
      // the user reads what is missing first; the gateway's own words come after
      expect(String((refused as Error).message)).toMatch(/^unauthorized: gateway token missing/);
      expect(String((refused as Error).message)).toContain("an explicit --url never gets the stored token");
      const session = await openRpc(resolveTarget({ url: gw.address.url, token: TOKEN }));
      expect(await session.call("health")).toMatchObject({ ok: true });
      await session.close();
    } finally {
      await gw.stop();
    }
  });
});

describe("a channel configured but not available in this build", () => {
  it("status and channels status both say so plainly; status --all ends with a log tail", async () => {
    writeFileSync(
      join(state, "openclaw.json"),
      JSON.stringify({ channels: { imessage: { enabled: true } }, logging: { file: join(state, "gw.log") } }),
    );
    writeFileSync(
      join(state, "gw.log"),
      `${JSON.stringify({ level: 30, time: 1_796_000_000_000, pid: 1, msg: "gateway listening" })}\n`,
    );
    const status = await openclaw("status");
    expect(status.stdout).toMatch(
      /Channels: imessage \(not available: no plugin provides channel "imessage"/,
    );
    const all = await openclaw("status", "--all");
    expect(all.stdout).toMatch(/Log tail \(.*gw\.log\):\n\s+2026-\S+ gateway listening/);
    const channels = await openclawProcess(
      { HOME: process.env.HOME, OPENCLAW_STATE_DIR: state, OPENCLAW_GATEWAY_PORT: "1" },
      "channels",
      "status",
    );
    expect(channels.stdout).not.toContain("none configured");
    expect(channels.stdout).toMatch(/imessage\/default: .*no plugin provides channel "imessage"/);
  });
});

describe("gateway restart", () => {
  it("comes back with the running gateway's port and flags", async () => {
    const { spawn } = await import("node:child_process");
    const { runningGatewayArgs } = await import("./gateway-service.js");
    const child = spawn(
      process.execPath,
      [
        "-e",
        "setInterval(() => {}, 1000)",
        "--",
        "gateway",
        "run",
        "--bind",
        "lan",
        "--port",
        "19999",
        "--verbose",
      ],
      { stdio: "ignore" },
    );
    try {
      await new Promise((resolve) => child.once("spawn", resolve));
      await expect
        .poll(() => runningGatewayArgs({ pid: child.pid!, port: 19999 }))
        .toEqual(["run", "--bind", "lan", "--port", "19999", "--verbose"]);
      // started without --port (config port 18790): the lock's port is kept explicitly
      expect(runningGatewayArgs({ pid: process.pid, port: 18790 })).toEqual(["run", "--port", "18790"]);
    } finally {
      child.kill();
    }
  });
});

describe("gateway probe|status|health with --url/--token", () => {
  it("use the given token (commander no longer hands --token to `gateway` itself)", async () => {
    const gw = await startGateway();
    try {
      const env = { HOME: process.env.HOME, OPENCLAW_STATE_DIR: state };
      const probe = await openclawProcess(env, "gateway", "probe", "--url", gw.address.url, "--token", TOKEN);
      expect(probe.code).toBe(0);
      const health = await openclawProcess(
        env,
        "gateway",
        "health",
        "--url",
        gw.address.url,
        "--token",
        TOKEN,
        "--json",
      );
      expect(JSON.parse(health.stdout)).toMatchObject({ ok: true });
      const refused = await openclawProcess(env, "gateway", "probe", "--url", gw.address.url);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/gateway token missing/);
    } finally {
      await gw.stop();
    }
  });
});

describe("doctor --fix without a terminal", () => {
  it("applies the safe repairs and lists the ones that need a yes, instead of skipping silently", async () => {
    writeFileSync(join(state, "openclaw.json"), JSON.stringify({ gateway: { port: 18789 }, notAKey: true }));
    const fixed = await openclaw("doctor", "--fix");
    expect(fixed.stdout).toMatch(
      /skipped: needs a yes at a prompt \(run openclaw doctor --fix in a terminal\): Remove the ignored key notAKey/,
    );
    expect(config().notAKey).toBe(true);
  });
});
