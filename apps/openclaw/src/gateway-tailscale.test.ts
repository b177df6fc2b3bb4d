import { execFile, spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { freePort } from "@openclaw/testkit";
import { afterEach, describe, expect, it } from "vitest";

// `openclaw gateway --tailscale serve|funnel` with a stand-in `tailscale` CLI on PATH that records
// its arguments and answers `status --json` like the real one; the built CLI, real gateway.

const cli = join(import.meta.dirname, "../dist/cli.js");
let home: string;

afterEach(async () => {
  if (home) await rm(home, { recursive: true, force: true });
});

/** A temp HOME with a fake `tailscale` (serve/funnel exit with `serveExit`); returns the env. */
async function setup(serveExit = 0, config?: unknown): Promise<NodeJS.ProcessEnv> {
  home = await mkdtemp(join(tmpdir(), "openclaw-tailscale-"));
  await mkdir(join(home, "bin"));
  await mkdir(join(home, "state"));
  if (config) await writeFile(join(home, "state", "openclaw.json"), JSON.stringify(config));
  const script = join(home, "bin", "tailscale");
  await writeFile(
    script,
    [
      "#!/bin/sh",
      `echo "$@" >> "${join(home, "calls")}"`,
      `if [ "$1" = status ]; then echo '{"Self":{"DNSName":"box.tail1234.ts.net."}}'; exit 0; fi`,
      `if [ "$2" = reset ]; then exit 0; fi`,
      serveExit ? `echo "Serve is not enabled on your tailnet." >&2; exit ${serveExit}` : "exit 0",
      "",
    ].join("\n"),
  );
  await chmod(script, 0o755);
  return {
    PATH: `${join(home, "bin")}${delimiter}${process.env.PATH}`,
    HOME: home,
    OPENCLAW_STATE_DIR: join(home, "state"),
    NO_COLOR: "1",
  };
}

const calls = async () => (await readFile(join(home, "calls"), "utf8")).trim().split("\n");

/** Start the gateway, wait for its start lines, stop it with SIGTERM; returns stdout. */
async function runUntilStarted(
  env: NodeJS.ProcessEnv,
  args: string[],
): Promise<{ out: string; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [cli, "gateway", "--port", String(port), ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const out = await new Promise<string>((resolve, reject) => {
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (/^Tailscale .*$/m.test(text) && text.includes("Logs:")) resolve(text);
    });
    child.once("exit", (code) => reject(new Error(`gateway exited with ${code}: ${text}`)));
  });
  child.kill("SIGTERM");
  await exited;
  return { out, port };
}

function runToEnd(env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [cli, "gateway", ...args], { env, timeout: 60_000 }, (error, _out, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    ),
  );
}

describe("openclaw gateway --tailscale", () => {
  it("serve publishes the loopback port, prints the tailnet URL, and resets on exit when asked", async () => {
    const env = await setup(0, { gateway: { tailscale: { resetOnExit: true } } });
    const { out, port } = await runUntilStarted(env, ["--tailscale", "serve"]);
    expect(out).toContain(`listening on ws://127.0.0.1:${port}`);
    expect(out).toContain("Tailscale Serve: https://box.tail1234.ts.net/");
    expect(await calls()).toEqual([`serve --bg ${port}`, "status --json", "serve reset"]);
  });

  it("gateway.tailscale.mode serve in the config does the same; a refusal leaves the gateway on loopback", async () => {
    const env = await setup(1, { gateway: { tailscale: { mode: "serve" } } });
    const { out, port } = await runUntilStarted(env, []);
    expect(out).toContain(`listening on ws://127.0.0.1:${port}`);
    expect(out).toContain("Tailscale Serve failed: Serve is not enabled on your tailnet.");
    expect(await calls()).toEqual([`serve --bg ${port}`]);
  });

  it("refuses before starting: no tailscale CLI, funnel without a password, a non-loopback bind", async () => {
    const env = await setup();
    const missing = await runToEnd({ ...env, PATH: dirname(process.execPath) }, [
      "--port",
      "0",
      "--tailscale",
      "serve",
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      "tailscale is not installed: install it (https://tailscale.com/download)",
    );
    const funnel = await runToEnd(env, ["--port", "0", "--tailscale", "funnel"]);
    expect(funnel.code).toBe(1);
    expect(funnel.stderr).toContain(
      "--tailscale funnel opens the gateway to the whole internet: it needs password auth",
    );
    const lan = await runToEnd(env, [
      "--port",
      "0",
      "--tailscale",
      "serve",
      "--bind",
      "lan",
      "--token",
      "t0123456789abcdef",
    ]);
    expect(lan.code).toBe(1);
    expect(lan.stderr).toContain("drop --bind lan");
    const bad = await runToEnd(env, ["--port", "0", "--tailscale", "everywhere"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("invalid --tailscale everywhere (expected off, serve or funnel)");
    await expect(calls()).rejects.toThrow(/ENOENT/);
  });
});
