import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, freePort, runCli, STACK, waitForOutput } from "./cli-harness.js";

// Every `openclaw …` line of the user's manual, run by the built CLI against a fresh gateway it
// started itself (no provider, no channel).

let home: string;
let env: NodeJS.ProcessEnv;
let gateway: ChildProcess;

function openclaw(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  return runCli(args, { ...env, ...extraEnv });
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-cli-manual-"));
  const port = await freePort();
  env = {
    PATH: process.env.PATH,
    HOME: home,
    OPENCLAW_STATE_DIR: join(home, "state"),
    NO_COLOR: "1",
  };
  await writeFile(join(home, "logging.json"), "");
  gateway = spawn(process.execPath, [cli, "gateway", "--port", String(port)], {
    env: { ...env, OPENCLAW_CONFIG_PATH: undefined },
  });
  await waitForOutput(gateway, /No model provider configured yet/, { text: "" });
});

afterAll(async () => {
  if (gateway.exitCode === null) gateway.kill("SIGKILL");
  await rm(home, { recursive: true, force: true });
});

describe("the user's manual against a live gateway", () => {
  it("every `openclaw …` line of the user's manual works, fails with its own explanation, or says it is not available yet", async () => {
    // the command lines shown in the user's manual (the Mac chapter, the runbook, the FAQ), each
    // with the exit code and the line a user sees on this fresh install (no provider, no channel)
    const NOT_YET = /not available yet in this version/;
    const lines: Array<[line: string, code: number, says?: RegExp]> = [
      ["status", 0],
      ["status --all", 0],
      ["status --deep", 0],
      ["status --full", 0],
      ["health --json", 0],
      ["health --verbose", 0],
      ["logs --limit 200", 0],
      ["gateway status", 0, /RPC probe: ok/],
      [
        "models status",
        1,
        /anthropic: ✗ no API key\. Run `openclaw models auth paste-token --provider anthropic`/,
      ],
      [
        "models auth paste-token --provider anthropic",
        2,
        /no token given \(pass --token or pipe it on stdin\)/,
      ],
      // the manual's PATH has no Claude Code CLI here
      ["models auth setup-token --provider anthropic", 1, /the Claude Code CLI \(`claude`\) is not on PATH/],
      [
        "models auth login --provider google-gemini-cli --set-default",
        2,
        /OAuth in a browser, which this version does not do\. Use an API key instead/,
      ],
      ["message send --channel telegram --user @moi --message hi", 1, /required option '--to <target>'/],
      ["channels status", 0, /none configured/],
      ["channels status --probe", 0, /none configured/],
      ["config get gateway.auth.token", 0, /^[0-9a-f]{48}\n$/],
      ["config validate", 0, /^Valid: /],
      ["configure --section models", 2, /needs a terminal/],
      ["onboard", 2, /--non-interactive --accept-risk/],
      ["onboard --install-daemon", 2, /--non-interactive --accept-risk/],
      ["login", 2, /give either --provider <id> .* or --channel <id>/],
      ["agents status", 0, /main \(default\): 0 session/],
      ["agents reset", 1, /no session agent:main:main yet: nothing to reset/],
      ["nodes status", 0, /Nodes: 0 known, 0 online/],
      ["nodes list", 0, /Pending \(0\)/],
      ["nodes pending", 0, /No pending node pairing requests/],
      ["nodes approve abc", 1, /unknown node pairing request: abc/],
      ["cron status", 0, /Jobs: 0/],
      ["cron list", 0, /No enabled cron jobs/],
      ["cron runs --id x --limit 50", 0, /No runs of x yet/],
      ["cron run x --force", 1, /unknown cron job: x/],
      ["update status", 0, /Channel: (dev|stable)\nVersion: /],
      // without a terminal an update needs --yes (nothing is changed here)
      ["update --channel stable", 2, /pass --yes to update without a terminal/],
      ["browser extension path", 2, NOT_YET],
      ["plugins enable google-gemini-cli-auth", 1, /plugin "google-gemini-cli-auth" not found/],
      ["pairing list telegram", 0, /No pending pairing requests for telegram/],
      ["gateway discover", 2, NOT_YET],
      // no provider set up on this fresh install: says how to add one
      ["benchmark --quick", 1, /openclaw models auth paste-token --provider anthropic/],
    ];
    const results = new Map<string, Awaited<ReturnType<typeof openclaw>>>();
    for (let index = 0; index < lines.length; index += 4) {
      await Promise.all(
        lines
          .slice(index, index + 4)
          .map(async ([line]) => results.set(line, await openclaw(line.split(" ")))),
      );
    }
    for (const [line, code, says] of lines) {
      const result = results.get(line)!;
      const seen = `${line}: exit ${result.code}\n${result.stdout}${result.stderr}`;
      expect(result.code, seen).toBe(code);
      if (says) expect(code === 0 ? result.stdout : `${result.stdout}${result.stderr}`, seen).toMatch(says);
      if (code !== 0 && !result.stdout) expect(result.stderr.trim().split("\n"), seen).toHaveLength(1);
      expect(result.stderr, line).not.toMatch(/unknown command/);
      expect(result.stderr, line).not.toMatch(STACK);
    }
    // doctor, on a state dir the gateway made: run alone (a concurrent --fix would change its answer)
    const doctor = await openclaw(["doctor"]);
    expect(doctor.stderr).not.toMatch(STACK);
    expect(doctor.stdout).toMatch(/Config is valid/);
    expect(doctor.code, doctor.stdout).toBe(/\[FAIL\]/.test(doctor.stdout) ? 1 : 0);
    const fixed = await openclaw(["doctor", "--fix"]);
    expect(fixed.code, fixed.stdout).toBe(0);
    expect((await openclaw(["doctor"])).stdout).not.toMatch(/\[FAIL\]/);
    // without the tailscale CLI (PATH holds only node here): refused before anything starts
    const tailscale = await openclaw(["gateway", "--tailscale", "serve"], {
      PATH: dirname(process.execPath),
    });
    expect(tailscale.code, tailscale.stderr).toBe(1);
    expect(tailscale.stderr).toMatch(/tailscale is not installed: install it/);
    // the two lines that rewrite the config, on a config file of their own: rewriting the gateway's
    // would change its token (and listener) under the lines running beside them
    const scratch = join(home, "scratch.json");
    await writeFile(scratch, "{}\n", { mode: 0o600 }); // as openclaw writes it (doctor flags a 0644 config)
    const generated = await openclaw(["doctor", "--generate-gateway-token"], {
      OPENCLAW_CONFIG_PATH: scratch,
    });
    expect(generated.code, generated.stdout).toBe(0);
    expect(generated.stdout).toMatch(/generated gateway\.auth\.token/);
    const token = /token: "([0-9a-f]{48})"/.exec(await readFile(scratch, "utf8"))?.[1];
    expect(token).toBeTruthy();
    const init = await openclaw(["config", "init", "--force"], { OPENCLAW_CONFIG_PATH: scratch });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/previous file kept as .+scratch\.json\.bak/);
    expect(await readFile(scratch, "utf8")).toMatch(/token: "[0-9a-f]{48}"/);
  }, 120_000);
});
