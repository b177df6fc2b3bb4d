import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Started, startGateway, TOKEN } from "../../../../packages/gateway/src/__tests__/helpers.js";
import { openclaw, openclawProcess, useTempState } from "./cli-test-helpers.js";

// `openclaw approvals get|set|allowlist` against a running gateway (child processes: client
// commands exit when done) and `openclaw exec-policy` on the local files.

let gw: Started | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

describe("openclaw approvals", () => {
  it("set takes JSON5, allowlist add/remove edit the gateway host's file, an invalid file is refused", async () => {
    gw = await startGateway();
    const run = (...args: string[]) =>
      openclawProcess(
        { HOME: gw!.stateDir, OPENCLAW_STATE_DIR: gw!.stateDir },
        "approvals",
        ...args,
        "--url",
        gw!.address.url,
        "--token",
        TOKEN,
      );
    const policy = join(gw.stateDir, "policy.json5");
    await writeFile(
      policy,
      "{ version: 1, // comments are fine\n defaults: { security: 'allowlist', ask: 'on-miss' } }",
    );
    expect((await run("set", "--gateway", "--file", policy)).code).toBe(0);
    expect((await run("allowlist", "add", "/usr/bin/git")).stdout).toContain(
      "Allowed for main: /usr/bin/git",
    );
    const file = JSON.parse(await readFile(join(gw.stateDir, "exec-approvals.json"), "utf8"));
    expect(file).toMatchObject({
      version: 1,
      defaults: { ask: "on-miss" },
      agents: { main: { allowlist: [{ pattern: "/usr/bin/git" }] } },
    });
    expect((await run("allowlist", "remove", "/usr/bin/git")).code).toBe(0);
    const shown = JSON.parse((await run("get", "--json")).stdout);
    expect(shown.file.agents.main.allowlist).toEqual([]);
    await writeFile(policy, "{ version: 1, defaults: { security: 'sometimes' } }");
    const refused = await run("set", "--file", policy);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/defaults\.security.*"deny"\|"allowlist"\|"full"/);
  });
});

describe("openclaw exec-policy", () => {
  it("presets keep tools.exec.* and exec-approvals.json in step; show reports the effective policy", async () => {
    const { state } = useTempState();
    expect((await openclaw("exec-policy", "preset", "cautious")).code).toBe(0);
    const config = await readFile(join(state, "openclaw.json"), "utf8");
    expect(config).toMatch(/security.*allowlist/);
    const approvals = JSON.parse(await readFile(join(state, "exec-approvals.json"), "utf8"));
    expect(approvals.defaults).toEqual({ security: "allowlist", ask: "on-miss", askFallback: "deny" });
    const shown = JSON.parse((await openclaw("exec-policy", "show", "--json")).stdout);
    expect(shown.effective).toMatchObject({ security: "allowlist", ask: "on-miss", askFallback: "deny" });
    const unknown = await openclaw("exec-policy", "preset", "reckless");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/use yolo, cautious, deny-all/);
  });
});

describe("openclaw node install", () => {
  it("--dry-run prints the user service that runs `openclaw node run` with the given gateway", async () => {
    useTempState();
    const result = await openclaw(
      "node",
      "install",
      "--dry-run",
      "--host",
      "gw.example",
      "--port",
      "18789",
      "--display-name",
      "build box",
    );
    expect(result.code).toBe(0);
    if (process.platform === "linux") {
      expect(result.stdout).toMatch(/openclaw-node\.service/);
      expect(result.stdout).toMatch(
        /ExecStart=.* node run --host gw\.example --port 18789 --display-name "build box"/,
      );
      expect(result.stdout).toContain("Restart=always");
    }
  });
});
