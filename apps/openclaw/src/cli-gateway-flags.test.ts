import { execFile, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "@openclaw/testkit";
import { afterEach, describe, expect, it } from "vitest";

// `openclaw gateway` re-executes itself in place with --max-semi-space-size=1 (docs/gateway.md
// "Memory"): same pid, so service managers and lock files see one process.

const cli = join(import.meta.dirname, "../dist/cli.js");
const homes: string[] = [];

afterEach(async () => {
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

/** Start `openclaw gateway`, wait for its "listening … (pid N)" line, return the command line of pid N. */
async function startGateway(extraEnv: Record<string, string> = {}, globalArgs: string[] = []) {
  const home = await mkdtemp(join(tmpdir(), "openclaw-cli-flags-"));
  homes.push(home);
  const port = await freePort();
  const child = spawn(process.execPath, [cli, ...globalArgs, "gateway", "--port", String(port)], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      OPENCLAW_STATE_DIR: join(home, "state"),
      NO_COLOR: "1",
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    let output = "";
    const listeningPid = await new Promise<number>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        output = out;
        const match = /listening on ws:\/\/\S+ \(pid (\d+)\)/.exec(out);
        if (match && out.includes("Logs:")) resolve(Number(match[1]));
      });
      child.once("exit", (code) => reject(new Error(`gateway exited with ${code}: ${out}`)));
    });
    const { stdout } = await promisify(execFile)("ps", ["-o", "args=", "-p", String(listeningPid)]);
    return {
      spawnedPid: child.pid,
      listeningPid,
      commandLine: stdout.trim(),
      output,
      stateFiles: readdirSync(join(home, "state")),
      config: readFileSync(join(home, "state", "openclaw.json"), "utf8"),
    };
  } finally {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
}

/** Run the CLI to completion on a fresh state dir. */
async function runCli(args: string[]): Promise<{ home: string; code: number; stderr: string }> {
  const home = await mkdtemp(join(tmpdir(), "openclaw-cli-flags-"));
  homes.push(home);
  const env = { PATH: process.env.PATH, HOME: home, OPENCLAW_STATE_DIR: join(home, "state"), NO_COLOR: "1" };
  return promisify(execFile)(process.execPath, [cli, ...args], { env }).then(
    (done) => ({ home, code: 0, stderr: done.stderr }),
    (error: { code: number; stderr: string }) => ({ home, code: error.code, stderr: error.stderr }),
  );
}

describe("openclaw gateway node flags", () => {
  it("runs the gateway with --max-semi-space-size=1 in the process that was started", async () => {
    const run = await startGateway();
    expect(run.listeningPid).toBe(run.spawnedPid);
    expect(run.commandLine).toContain("--max-semi-space-size=1");
    expect(run.commandLine).toMatch(/cli\.js gateway --port \d+$/);
  });

  it("also after the program's global options (--profile)", async () => {
    const run = await startGateway({}, ["--profile", "flags"]);
    expect(run.listeningPid).toBe(run.spawnedPid);
    expect(run.commandLine).toContain("--max-semi-space-size=1");
  });

  it("hands the validated config over: first-start token written and announced, no handoff file left", async () => {
    const run = await startGateway();
    const token = /token:\s*"([0-9a-f]{48})"/.exec(run.config)?.[1];
    expect(token).toBeDefined();
    expect(run.output).toContain("Auth: token generated into gateway.auth.token");
    expect(run.stateFiles.filter((name) => name.startsWith(".gateway-handoff"))).toEqual([]);
  });

  it("a start that fails after the re-exec (bad --port) leaves no handoff behind", async () => {
    const { home, code, stderr } = await runCli(["gateway", "--port", "eighty"]);
    expect(code).toBe(1);
    expect(stderr).toContain("invalid --port eighty");
    expect(readdirSync(join(home, "state")).filter((name) => name.startsWith(".gateway-handoff"))).toEqual(
      [],
    );
  });

  it("an unknown gateway flag gets the program's error, not a start", async () => {
    const { code, stderr } = await runCli(["gateway", "--prot", "1"]);
    expect(code).toBe(1);
    expect(stderr).toContain("unknown option '--prot'");
  });

  it('OPENCLAW_GATEWAY_NODE_FLAGS="" runs it without extra flags', async () => {
    const run = await startGateway({ OPENCLAW_GATEWAY_NODE_FLAGS: "" });
    expect(run.listeningPid).toBe(run.spawnedPid);
    expect(run.commandLine).not.toContain("--max-semi-space-size");
  });
});
