import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, freePort, runCli, STACK, waitForOutput } from "./cli-harness.js";

// The error signatures the gateway runbook (and the FAQ's "Address already in use") quote, each
// reproduced with the built CLI in the situation the manual gives for it. The channel-side ones
// (`drop guild message (mention required`, `pairing request`, `blocked` / `allowlist`) are in
// packages/core/src/inbound/access-gate.test.ts.

let home: string;

function envFor(name: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: join(home, name),
    OPENCLAW_STATE_DIR: join(home, name, "state"),
    NO_COLOR: "1",
  };
}

async function withConfig(name: string, config: string): Promise<NodeJS.ProcessEnv> {
  await mkdir(join(home, name, "state"), { recursive: true });
  await writeFile(join(home, name, "state", "openclaw.json"), config, { mode: 0o600 });
  return envFor(name);
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-manual-signatures-"));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe("« Gateway ne démarre pas » signatures", () => {
  it("gateway.mode=remote: `Gateway start blocked: set gateway.mode=local`; bind lan without auth: `refusing to bind … without auth`, then `Last gateway error:` in gateway status; a taken port: `another gateway instance is already listening` / `EADDRINUSE`", async () => {
    const remote = await withConfig(
      "remote",
      `{ gateway: { mode: "remote", remote: { url: "ws://127.0.0.1:9" } } }`,
    );
    const noAuth = await withConfig(
      "no-auth",
      `{ gateway: { mode: "local", bind: "lan", auth: { mode: "none" } } }`,
    );
    const taken = await withConfig("taken", `{ gateway: { mode: "local" } }`);
    // a foreign listener on the port the gateway wants
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      const [blocked, refused, inUse] = await Promise.all([
        runCli(["gateway", "--port", String(await freePort())], remote),
        runCli(["gateway", "--port", String(await freePort())], noAuth),
        runCli(["gateway", "--port", String(port)], taken),
      ]);
      expect(blocked.code, blocked.stderr).not.toBe(0);
      expect(blocked.stderr).toMatch(/Gateway start blocked: set gateway\.mode=local/);
      expect(refused.code, refused.stderr).not.toBe(0);
      expect(refused.stderr).toMatch(/refusing to bind gateway to .+ without auth/);
      expect(inUse.code, inUse.stderr).not.toBe(0);
      expect(inUse.stderr).toMatch(/another gateway instance is already listening on .+EADDRINUSE/);
      for (const result of [blocked, refused, inUse]) expect(result.stderr).not.toMatch(STACK);
      // the runbook: "Si `Last gateway error:` mentionne « refusing to bind … without auth »", and
      // "`Config (cli): ...` et `Config (service): ...` devraient normalement correspondre" (a
      // service installed from another state dir: they differ)
      const units = join(home, "no-auth", ".config", "systemd", "user");
      await mkdir(units, { recursive: true });
      await writeFile(
        join(units, "openclaw-gateway.service"),
        `[Service]\nExecStart=node openclaw gateway run\nEnvironment=OPENCLAW_STATE_DIR=${join(home, "other")}\n`,
      );
      const status = await runCli(["gateway", "status"], {
        ...noAuth,
        XDG_CONFIG_HOME: join(home, "no-auth", ".config"),
      });
      expect(status.code).toBe(1);
      expect(status.stdout).toMatch(/^Runtime: stopped$/m);
      expect(status.stdout).toMatch(/^RPC probe: failed/m);
      expect(status.stdout).toMatch(/^Last gateway error: .*refusing to bind gateway to .+ without auth/m);
      expect(status.stdout).toContain(`Config (cli): ${join(home, "no-auth", "state", "openclaw.json")}\n`);
      if (process.platform === "linux")
        expect(status.stdout).toContain(
          `Config (service): ${join(home, "other", "openclaw.json")} (not the CLI's`,
        );
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});

describe("signatures against a running gateway", () => {
  let gateway: ChildProcess;
  let port: number;
  let env: NodeJS.ProcessEnv;
  let logFile: string;
  const output = { text: "" };
  const config = (cronJobs: string) =>
    `{
  gateway: { mode: "local", auth: { token: "manual-token" } },
  logging: { file: ${JSON.stringify(join(home, "live", "gateway.log"))} },
  // the FAQ's checklist: "Confirmez que cron est activé (cron.enabled)"
  cron: { enabled: false, jobs: [${cronJobs}] },
}
`;

  beforeAll(async () => {
    logFile = join(home, "live", "gateway.log");
    env = await withConfig(
      "live",
      config(
        `{ id: "daily", name: "daily", schedule: { kind: "cron", expr: "0 9 * * *" }, payload: { kind: "command", command: "true" } }`,
      ),
    );
    port = await freePort();
    gateway = spawn(process.execPath, [cli, "gateway", "--port", String(port)], { env });
    await waitForOutput(gateway, /No model provider configured yet/, output);
  });

  afterAll(() => {
    if (gateway.exitCode === null) gateway.kill("SIGKILL");
  });

  /** The first line of the gateway's log file matching `pattern` (polled: the gateway appends it). */
  async function logged(pattern: RegExp): Promise<string> {
    let text = "";
    for (let attempt = 0; attempt < 200; attempt++) {
      text = await readFile(logFile, "utf8").catch(() => "");
      const line = text.split("\n").find((entry) => pattern.test(entry));
      if (line) return line;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no log line matches ${pattern}:\n${text}`);
  }

  it("cron.enabled=false with a job: `cron: scheduler disabled; jobs will not run automatically`", async () => {
    expect(await logged(/cron: scheduler disabled; jobs will not run automatically/)).toBeTruthy();
  });

  it("a wrong token: `unauthorized` (CLI and log); a wrong port: `gateway connection failed:`", async () => {
    const url = `ws://127.0.0.1:${port}`;
    const [wrong, nowhere, right] = await Promise.all([
      runCli(["health", "--url", url, "--token", "not-the-token"], env),
      runCli(["health", "--url", `ws://127.0.0.1:${await freePort()}`, "--token", "manual-token"], env),
      runCli(["health", "--url", url, "--token", "manual-token"], env),
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^unauthorized: gateway token mismatch/m);
    expect(await logged(/unauthorized: gateway token mismatch/)).toBeTruthy();
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toMatch(/^gateway connection failed: /m);
    expect(right.code, right.stderr).toBe(0);
  });

  it("a client with neither token nor device identity: `device identity required`", async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}`);
    const frames: Array<{ type: string; event?: string; ok?: boolean; error?: { message: string } }> = [];
    const answer = new Promise<{ error?: { message: string } }>((resolve, reject) => {
      socket.addEventListener("message", (event) => {
        const frame = JSON.parse(String(event.data));
        frames.push(frame);
        if (frame.type === "event" && frame.event === "connect.challenge")
          socket.send(
            JSON.stringify({
              type: "req",
              id: "1",
              method: "connect",
              params: {
                minProtocol: 4,
                maxProtocol: 4,
                client: { id: "cli", version: "manual/1", platform: "linux", mode: "cli" },
                role: "operator",
                scopes: ["operator.read"],
              },
            }),
          );
        if (frame.type === "res") resolve(frame);
      });
      socket.addEventListener("error", () => reject(new Error("socket error")));
    });
    const response = await answer;
    socket.close();
    expect(response.error?.message).toBe("device identity required");
  });

  it("an invalid edit: `config reload skipped (invalid config)`, and the last good config stays active", async () => {
    await writeFile(join(home, "live", "state", "openclaw.json"), `${config("")}\n{ not json5`, {
      mode: 0o600,
    });
    const line = await logged(/config reload skipped \(invalid config\)/);
    expect(line).toMatch(/JSON5 syntax error/);
    const health = await runCli(
      ["health", "--url", `ws://127.0.0.1:${port}`, "--token", "manual-token"],
      env,
    );
    expect(health.code, health.stderr).toBe(0);
    expect(gateway.exitCode).toBeNull();
  });
});
