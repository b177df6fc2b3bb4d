import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeOpenAIServer, startFakeOpenAI } from "@openclaw/testkit";
import JSON5 from "json5";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliCommand, killTmuxServer, TmuxSession } from "./tmux-test-helpers.js";

// The guided `openclaw onboard` in a real pseudo-terminal (tmux): answers typed, the result on disk
// checked; Ctrl-C in the middle leaves the existing config exactly as it was.
let home: string;
let fake: FakeOpenAIServer;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-onboard-tty-"));
  fake = await startFakeOpenAI();
});

afterAll(async () => {
  await killTmuxServer();
  await fake?.close();
  await rm(home, { recursive: true, force: true });
});

async function freshState(name: string): Promise<{ state: string; env: Record<string, string> }> {
  const state = join(home, name);
  await mkdir(state, { recursive: true, mode: 0o700 });
  return { state, env: { HOME: home, OPENCLAW_STATE_DIR: state, TERM: "xterm-256color", NO_COLOR: "1" } };
}

describe("openclaw onboard in a terminal", () => {
  it("walks through risk, provider (probed), workspace, gateway, channels, service and writes the config", async () => {
    const { state, env } = await freshState("guided");
    const session = await TmuxSession.start(cliCommand("onboard", "--skip-health"), env);
    try {
      await session.waitFor("I understand; continue");
      await session.keys("Left", "Enter");
      await session.waitFor("Where does the gateway run?");
      await session.keys("Enter");
      await session.waitFor("Model provider");
      await session.keys("Down", "Down", "Down", "Down", "Down", "Enter");
      await session.waitFor("Base URL");
      await session.type(fake.baseURL);
      await session.keys("Enter");
      await session.waitFor(`${fake.baseURL}: reachable`);
      await session.waitFor("Model id");
      await session.type("gpt-test");
      await session.keys("Enter");
      await session.waitFor("API key (empty for none)");
      await session.type("sk-typed");
      await session.keys("Enter");
      await session.waitFor("Workspace");
      await session.keys("Enter");
      await session.waitFor("Gateway port");
      await session.type("28790");
      await session.keys("Enter");
      await session.waitFor("Listen on");
      await session.keys("Enter");
      await session.waitFor("Gateway auth");
      await session.keys("Enter");
      await session.waitFor("Channels to connect");
      await session.keys("Enter");
      await session.waitFor("Install the gateway as a user service");
      await session.keys("Enter");
      const done = await session.waitFor("openclaw dashboard");
      expect(done).toContain("Model: custom/gpt-test");
      await expect.poll(() => session.exited(), { timeout: 10_000 }).toBe(true);
    } finally {
      await session.kill();
    }
    const config = JSON5.parse(readFileSync(join(state, "openclaw.json"), "utf8"));
    expect(config.gateway).toMatchObject({
      mode: "local",
      port: 28790,
      bind: "loopback",
      auth: { mode: "token" },
    });
    expect(config.gateway.auth.token).toMatch(/^[0-9a-f]{48}$/);
    expect(config.models.providers.custom).toMatchObject({ baseUrl: fake.baseURL, apiKey: "sk-typed" });
    expect(config.agents.defaults).toMatchObject({
      workspace: join(state, "workspace"),
      model: { primary: "custom/gpt-test" },
    });
    expect(await readdir(join(state, "workspace"))).toContain("AGENTS.md");
    // the probe of the endpoint reached the fake server
    expect(fake.requests.some((request) => request.path.endsWith("/models"))).toBe(true);
  });

  it("configure --section gateway re-runs one step: the port changes, the token and comments stay", async () => {
    const { state, env } = await freshState("configure");
    await writeFile(
      join(state, "openclaw.json"),
      `// hand-written\n{ gateway: { port: 18789, auth: { mode: "token", token: "keep-me-0123456789" } } }\n`,
    );
    const session = await TmuxSession.start(cliCommand("configure", "--section", "gateway"), env);
    try {
      await session.waitFor("Gateway port");
      await session.keys("BSpace", "BSpace", "BSpace", "BSpace", "BSpace");
      await session.type("18800");
      await session.keys("Enter");
      await session.waitFor("Listen on");
      await session.keys("Enter");
      await session.waitFor("Gateway auth");
      await session.keys("Enter");
      await session.waitFor("Saved gateway");
    } finally {
      await session.kill();
    }
    const text = readFileSync(join(state, "openclaw.json"), "utf8");
    expect(text).toContain("// hand-written");
    const config = JSON5.parse(text);
    expect(config.gateway).toMatchObject({
      port: 18800,
      auth: { mode: "token", token: "keep-me-0123456789" },
    });
  });

  it("Ctrl-C in the middle writes nothing: the existing file stays byte for byte", async () => {
    const { state, env } = await freshState("cancelled");
    const original = `// mine\n{ gateway: { port: 18789 } }\n`;
    await writeFile(join(state, "openclaw.json"), original);
    const session = await TmuxSession.start(cliCommand("onboard", "--accept-risk"), env);
    try {
      await session.waitFor("Where does the gateway run?");
      await session.keys("Enter");
      await session.waitFor("Model provider");
      await session.keys("C-c");
      await session.waitFor("nothing was written");
    } finally {
      await session.kill();
    }
    expect(readFileSync(join(state, "openclaw.json"), "utf8")).toBe(original);
    expect(existsSync(join(state, "workspace"))).toBe(false);
    expect((await readdir(state)).filter((name) => name.includes(".tmp"))).toEqual([]);
  });
});
