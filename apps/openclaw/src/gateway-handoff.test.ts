import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HANDOFF_ENV, handoffPath, takeHandoff } from "./gateway-handoff.js";
import { prepareGatewayHandoff } from "./gateway-prepare.js";

// `openclaw gateway` validates the config before re-executing itself and hands the result to the
// re-executed image (cli.ts): these are the two sides of that handoff.

const homes: string[] = [];
afterEach(async () => {
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

async function home(config?: string) {
  const root = await mkdtemp(join(tmpdir(), "openclaw-handoff-"));
  homes.push(root);
  const state = join(root, "state");
  if (config !== undefined) {
    mkdirSync(state, { recursive: true });
    writeFileSync(join(state, "openclaw.json"), config);
  }
  const env: NodeJS.ProcessEnv = { HOME: root, OPENCLAW_STATE_DIR: state, PATH: process.env.PATH };
  return { state, env, configFile: join(state, "openclaw.json") };
}

const handoffFiles = (state: string) =>
  readdirSync(state).filter((name) => name.startsWith(".gateway-handoff"));

describe("prepareGatewayHandoff (before the re-exec)", () => {
  it("on a first start writes the token into the config and a private handoff naming it", async () => {
    const { state, env, configFile } = await home();
    await prepareGatewayHandoff({}, env);
    const token = /token:\s*"([0-9a-f]{48})"/.exec(readFileSync(configFile, "utf8"))?.[1];
    expect(token).toBeDefined();
    expect(env[HANDOFF_ENV]).toBe(handoffPath(state));
    expect(statSync(handoffPath(state)).mode & 0o777).toBe(0o600);
    const handoff = takeHandoff(state, env);
    expect(handoff?.generatedToken).toBe(token);
    const handed = handoff?.loaded.config as { gateway: { auth: { token: string } } } | undefined;
    expect(handed?.gateway.auth.token).toBe(token);
    // read once: the file and the variable are gone
    expect(handoffFiles(state)).toEqual([]);
    expect(env[HANDOFF_ENV]).toBeUndefined();
  });

  it("leaves a configured token alone", async () => {
    const { state, env, configFile } = await home('{ gateway: { auth: { token: "mine" } } }');
    await prepareGatewayHandoff({}, env);
    expect(readFileSync(configFile, "utf8")).toBe('{ gateway: { auth: { token: "mine" } } }');
    expect(takeHandoff(state, env)?.generatedToken).toBeUndefined();
  });

  it("writes nothing for a non-loopback bind without a secret (the gateway refuses it itself)", async () => {
    const { state, env, configFile } = await home("{}");
    await prepareGatewayHandoff({ bind: "lan" }, env);
    expect(readFileSync(configFile, "utf8")).toBe("{}");
    expect(env[HANDOFF_ENV]).toBeUndefined();
    expect(handoffFiles(state)).toEqual([]);
  });

  it("writes nothing for an invalid config (the gateway reports it itself)", async () => {
    const { state, env } = await home("{ gateway: { port: 'eighty' } }");
    await prepareGatewayHandoff({}, env);
    expect(env[HANDOFF_ENV]).toBeUndefined();
    expect(handoffFiles(state)).toEqual([]);
  });

  it("the cleanup (when the re-exec fails) removes the handoff", async () => {
    const { state, env } = await home("{}");
    const cleanup = await prepareGatewayHandoff({ token: "from-flag" }, env);
    expect(handoffFiles(state)).toHaveLength(1);
    cleanup();
    expect(handoffFiles(state)).toEqual([]);
    expect(env[HANDOFF_ENV]).toBeUndefined();
  });

  it("removes handoffs a killed start left behind (dead pid), not a live process's", async () => {
    const { state, env } = await home("{}");
    const dead = handoffPath(state, 2 ** 22 + 12345); // above Linux's pid_max: never a live process
    const live = handoffPath(state, process.ppid);
    writeFileSync(dead, "{}");
    writeFileSync(live, "{}");
    await prepareGatewayHandoff({}, env);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });
});

describe("takeHandoff (after the re-exec)", () => {
  it("accepts only its own file: in its state dir, named after its pid", async () => {
    const { state, env } = await home("{}");
    await prepareGatewayHandoff({}, env);
    const elsewhere = join(state, "..", "other.json");
    writeFileSync(elsewhere, readFileSync(handoffPath(state)));
    expect(takeHandoff(state, { ...env, [HANDOFF_ENV]: elsewhere })).toBeUndefined();
    const otherPid = handoffPath(state, process.pid + 1);
    writeFileSync(otherPid, readFileSync(handoffPath(state)));
    expect(takeHandoff(state, { ...env, [HANDOFF_ENV]: otherPid })).toBeUndefined();
  });

  it("a damaged file is no handoff, and is removed", async () => {
    const { state, env } = await home("{}");
    writeFileSync(handoffPath(state), '{"pid":');
    expect(takeHandoff(state, { ...env, [HANDOFF_ENV]: handoffPath(state) })).toBeUndefined();
    expect(existsSync(handoffPath(state))).toBe(false);
  });
});
