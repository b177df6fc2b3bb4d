import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import JSON5 from "json5";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openclaw, useTempState } from "./cli-test-helpers.js";

// `openclaw onboard --non-interactive --install-daemon` with a scratch HOME and XDG dirs: the
// systemd user unit is the one `openclaw gateway install` writes, and the service manager is asked
// to enable and start it. systemctl here is a stand-in on PATH that records its arguments (and can
// refuse), so the machine's own service manager is never touched.
const savedEnv = { ...process.env };
let root = "";
let state = "";
let calls = "";

/** A `systemctl` on PATH that appends its arguments to a file and exits with `code`. */
function fakeSystemctl(code: number): void {
  const bin = join(root, "bin");
  mkdirSync(bin, { recursive: true });
  calls = join(root, "systemctl.calls");
  writeFileSync(join(bin, "systemctl"), `#!/bin/sh\necho "$@" >> "${calls}"\nexit ${code}\n`);
  chmodSync(join(bin, "systemctl"), 0o755);
  process.env.PATH = `${bin}:${savedEnv.PATH ?? ""}`;
}

const onboardFlags = [
  "onboard",
  "--non-interactive",
  "--accept-risk",
  "--mode",
  "local",
  "--auth-choice",
  "skip",
  "--gateway-port",
  "28790",
  "--skip-channels",
  "--skip-health",
  "--install-daemon",
];

beforeEach(() => {
  ({ root, state } = useTempState("openclaw-onboard-daemon-"));
  process.env.XDG_CONFIG_HOME = join(root, "xdg-config");
  delete process.env.ANTHROPIC_API_KEY;
  delete process.env.OPENAI_API_KEY;
});
afterEach(() => {
  process.env = { ...savedEnv };
  rmSync(root, { recursive: true, force: true });
});

describe.runIf(process.platform === "linux")("openclaw onboard --install-daemon (systemd user unit)", () => {
  const unitPath = () => join(root, "xdg-config", "systemd/user/openclaw-gateway.service");

  it("writes the unit `openclaw gateway install` writes, enables and starts it, and says so", async () => {
    fakeSystemctl(0);
    const result = await openclaw(...onboardFlags);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Wrote ${unitPath()}`);
    expect(result.stdout).toContain("Service: installed and started");
    const unit = readFileSync(unitPath(), "utf8");
    expect(unit).toContain("ExecStart=");
    expect(unit).toMatch(/ gateway run --port 28790\n/);
    expect(unit).toContain(`Environment=OPENCLAW_STATE_DIR=${state}`);
    expect(readFileSync(calls, "utf8").split("\n").filter(Boolean)).toEqual([
      "--user daemon-reload",
      "--user enable --now openclaw-gateway.service",
    ]);
    // the config the unit's gateway will read
    const config = JSON5.parse(readFileSync(join(state, "openclaw.json"), "utf8"));
    expect(config.gateway).toMatchObject({ mode: "local", port: 28790, auth: { mode: "token" } });

    // byte for byte what `openclaw gateway install` writes for the same port
    rmSync(unitPath());
    const install = await openclaw("gateway", "install", "--port", "28790");
    expect(install.code).toBe(0);
    expect(readFileSync(unitPath(), "utf8")).toBe(unit);
  });

  it("--json: the report says the service is installed and stays one JSON document", async () => {
    fakeSystemctl(0);
    const result = await openclaw(...onboardFlags, "--json");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      ok: true,
      daemonInstalled: true,
      service: { manager: "systemd", unitPath: unitPath(), started: true },
    });
    expect(existsSync(unitPath())).toBe(true);
  });

  it("a service manager that refuses: the unit stays written, the user is told how to start it, the config is kept", async () => {
    fakeSystemctl(1);
    const result = await openclaw(...onboardFlags);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("the service manager refused it");
    expect(result.stderr).toContain("systemctl --user start openclaw-gateway.service");
    expect(result.stdout).not.toContain("Service: installed and started");
    expect(result.stdout).toContain(`Service: ${unitPath()} written but not started`);
    expect(existsSync(unitPath())).toBe(true);
    expect(JSON5.parse(readFileSync(join(state, "openclaw.json"), "utf8")).gateway.port).toBe(28790);
  });
});
