import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The built CLI against a live gateway it started itself (build first:
// `pnpm turbo run build --filter=@openclaw/cli...`).
const cli = join(import.meta.dirname, "../../apps/openclaw/dist/cli.js");
const STACK = /\n\s+at .+\(.+:\d+:\d+\)/;

let home: string;
let env: NodeJS.ProcessEnv;
let port: number;
let gateway: ChildProcess;
let gatewayOut = "";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as { port: number };
      server.close(() => resolve(address.port));
    });
  });
}

function openclaw(
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cli, ...args],
      { env: { ...env, ...extraEnv }, timeout: 15_000 },
      (error, stdout, stderr) => {
        // -1: killed (the 15 s timeout), never mistaken for an exit code
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
      },
    );
    // no terminal, no piped input: a command that reads stdin (paste-token) sees its end at once
    child.stdin?.end();
  });
}

function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      gatewayOut += chunk.toString();
      if (pattern.test(gatewayOut)) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`gateway exited ${code}: ${gatewayOut}`)));
  });
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-cli-e2e-"));
  port = await freePort();
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
  await waitForOutput(gateway, /No model provider configured yet/);
});

afterAll(async () => {
  if (gateway.exitCode === null) {
    gateway.kill("SIGKILL");
  }
  await rm(home, { recursive: true, force: true });
});

describe("openclaw CLI against a live gateway", () => {
  it("with no config and no API key the gateway starts, prints the dashboard URL and how to add a provider", async () => {
    expect(gatewayOut).toContain(`OpenClaw gateway listening on ws://127.0.0.1:${port}`);
    expect(gatewayOut).toContain(`Dashboard: http://127.0.0.1:${port}/`);
    expect(gatewayOut).toContain("openclaw models auth paste-token --provider anthropic");
    expect(gatewayOut).not.toMatch(/token=/);
    const config = await readFile(join(home, "state", "openclaw.json"), "utf8");
    expect(config).toMatch(/token/);
  });

  it("/health, /ready and /api/health answer", async () => {
    expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toEqual({
      ok: true,
      status: "live",
    });
    expect((await (await fetch(`http://127.0.0.1:${port}/ready`)).json()).ready).toBe(true);
    expect(await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()).toEqual({ status: "healthy" });
  });

  it("gateway status shows `Runtime: running` and `RPC probe: ok`", async () => {
    const result = await openclaw(["gateway", "status"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Runtime: running \(pid \d+\)$/m);
    expect(result.stdout).toMatch(/^RPC probe: ok/m);
  });

  it("status is a local summary; --deep probes; --all is redacted; --json parses", async () => {
    const plain = await openclaw(["status"]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/Gateway: running/);
    const deep = await openclaw(["status", "--deep"]);
    expect(deep.stdout).toMatch(/RPC probe: ok/);
    const all = await openclaw(["status", "--all"]);
    expect(all.stdout).toContain("[redacted]");
    const config = await readFile(join(home, "state", "openclaw.json"), "utf8");
    const token = /token: "([^"]+)"/.exec(config)?.[1] ?? /"token": "([^"]+)"/.exec(config)?.[1];
    expect(token).toBeTruthy();
    expect(all.stdout).not.toContain(token);
    const json = JSON.parse((await openclaw(["status", "--json", "--deep"])).stdout);
    expect(json.gateway.running).toBe(true);
    expect(json.probe.ok).toBe(true);
    expect(JSON.stringify(json)).not.toContain(token);
  });

  it("health, health --json, health --verbose, gateway health/probe/call", async () => {
    const health = await openclaw(["health"]);
    expect(health.code).toBe(0);
    expect(health.stdout).toMatch(/^Gateway: ok/);
    expect(JSON.parse((await openclaw(["health", "--json"])).stdout).ok).toBe(true);
    expect((await openclaw(["health", "--verbose"])).stdout).toMatch(/Event loop: p99 delay/);
    expect((await openclaw(["gateway", "health"])).code).toBe(0);
    expect((await openclaw(["gateway", "probe"])).stdout).toMatch(/^RPC probe: ok/);
    const call = await openclaw(["gateway", "call", "system-presence", "--params", "{}"]);
    expect(JSON.parse(call.stdout)[0].mode).toBe("gateway");
    const bad = await openclaw(["gateway", "call", "logs.tail", "--params", '{"limit":0}']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/params\.limit/);
    const badJson = await openclaw(["gateway", "call", "health", "--params", "{nope"]);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toMatch(/^invalid --params/);
  });

  it("in remote mode client commands use gateway.remote.url / token", async () => {
    const config = await readFile(join(home, "state", "openclaw.json"), "utf8");
    const token = /token: "([^"]+)"/.exec(config)?.[1] ?? /"token": "([^"]+)"/.exec(config)?.[1];
    const remoteState = join(home, "state-remote");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(remoteState, { recursive: true });
    await writeFile(
      join(remoteState, "openclaw.json"),
      JSON.stringify({ gateway: { mode: "remote", remote: { url: `ws://127.0.0.1:${port}`, token } } }),
    );
    const health = await openclaw(["health"], {
      OPENCLAW_STATE_DIR: remoteState,
      OPENCLAW_GATEWAY_PORT: "1",
    });
    expect(health.code).toBe(0);
    expect(health.stdout).toContain(`ws://127.0.0.1:${port}`);
    const blocked = await openclaw(["gateway", "--port", "0"], { OPENCLAW_STATE_DIR: remoteState });
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/^openclaw gateway: Gateway start blocked: set gateway.mode=local/);
  });

  it("logs --limit prints recent lines; --json prints JSON lines", async () => {
    const logs = await openclaw(["logs", "--limit", "5"]);
    expect(logs.code).toBe(0);
    expect(logs.stdout.trim().split("\n").length).toBeLessThanOrEqual(5);
    expect(logs.stdout).toMatch(/client connected|gateway listening/);
    const json = await openclaw(["logs", "--json", "--limit", "3"]);
    for (const line of json.stdout.trim().split("\n")) expect(JSON.parse(line)).toHaveProperty("msg");
  });

  it("logs --follow prints new lines as they are written", async () => {
    const follower = spawn(process.execPath, [cli, "logs", "--follow", "--limit", "1"], { env });
    let out = "";
    let initial = "";
    let markFirst: () => void = () => undefined;
    const first = new Promise<void>((resolve) => {
      markFirst = resolve;
    });
    const seen = new Promise<void>((resolve) => {
      follower.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (!initial) {
          initial = out;
          markFirst();
        }
        if (/client connected/.test(out.slice(initial.length))) resolve();
      });
    });
    await first; // the initial tail is printed: the follower is connected and polling
    await openclaw(["health"]);
    await seen;
    const exited = new Promise((resolve) => follower.once("exit", resolve));
    follower.kill("SIGINT");
    await exited;
  });

  it("devices list and dashboard", async () => {
    const devices = await openclaw(["devices", "list"]);
    expect(devices.code).toBe(0);
    expect(devices.stdout).toMatch(/^Pending \(0\):/);
    const missing = await openclaw(["devices", "approve", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/unknown pairing request/);
    const dashboard = await openclaw(["dashboard", "--no-open"]);
    expect(dashboard.stdout).toContain(`Dashboard: http://127.0.0.1:${port}/`);
    expect(dashboard.stdout).not.toMatch(/token=/);
  });

  it("runbook signatures: unauthorized, gateway connection failed:, another gateway instance, refusing to bind", async () => {
    const wrong = await openclaw(["health", "--token", "wrong"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^unauthorized: gateway token mismatch/);
    const closed = await freePort();
    const down = await openclaw(["health", "--url", `ws://127.0.0.1:${closed}`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^gateway connection failed: ws:\/\/127\.0\.0\.1:\d+/);
    const second = await openclaw(["gateway", "--port", String(port)]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      /another gateway instance is already listening on ws:\/\/127\.0\.0\.1:\d+ \(EADDRINUSE/,
    );
    expect(second.stderr.trim().split("\n")).toHaveLength(1);
    const otherState = { OPENCLAW_STATE_DIR: join(home, "state-2") };
    const samePort = await openclaw(["gateway", "--port", String(port)], otherState);
    expect(samePort.stderr).toMatch(/another gateway instance is already listening on .*EADDRINUSE/);
    const lan = await openclaw(
      ["gateway", "--bind", "lan", "--auth", "none", "--port", String(closed)],
      otherState,
    );
    expect(lan.code).toBe(1);
    expect(lan.stderr).toMatch(/refusing to bind gateway to 0\.0\.0\.0:\d+ without auth/);
    const status = await openclaw(["gateway", "status"], otherState);
    expect(status.stdout).toMatch(/^Last gateway error: .*refusing to bind .* without auth/m);
    for (const result of [wrong, down, second, lan]) expect(result.stderr).not.toMatch(STACK);
  });

  it("gateway install --dry-run prints the unit without installing it", async () => {
    const result = await openclaw(["gateway", "install", "--dry-run"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      process.platform === "darwin" ? /<plist/ : /\[Service\]\nType=simple\nExecStart=.+ gateway run/,
    );
  });

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
      ["doctor --generate-gateway-token", 0],
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
      ["models auth setup-token --provider anthropic", 2, NOT_YET],
      ["models auth login --provider google-gemini-cli --set-default", 2, NOT_YET],
      ["message send --channel telegram --user @moi --message hi", 1, /required option '--to <target>'/],
      ["channels status", 0, /none configured/],
      ["channels status --probe", 0, /none configured/],
      ["config get gateway.auth.token", 0, /^[0-9a-f]{48}\n$/],
      ["config validate", 0, /^Valid: /],
      ["configure --section models", 2, /needs a terminal/],
      ["onboard", 2, /--non-interactive --accept-risk/],
      ["onboard --install-daemon", 2, /--non-interactive --accept-risk/],
      ["login", 2, NOT_YET],
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
      ["update status", 2, NOT_YET],
      ["update --channel stable", 2, NOT_YET],
      ["browser extension path", 2, NOT_YET],
      ["plugins enable google-gemini-cli-auth", 1, /plugin "google-gemini-cli-auth" not found/],
      ["pairing list telegram", 0, /No pending pairing requests for telegram/],
      ["gateway --tailscale serve", 2, NOT_YET],
      ["gateway discover", 2, NOT_YET],
      ["benchmark --quick", 2, NOT_YET],
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
    // `config init --force` on a config file of its own: rewriting the gateway's file would restart
    // the gateway's listener (new port, bind and token keys) under the tests that follow
    const scratch = join(home, "init-scratch.json");
    await writeFile(scratch, "{}\n");
    const init = await openclaw(["config", "init", "--force"], { OPENCLAW_CONFIG_PATH: scratch });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/previous file kept as .+init-scratch\.json\.bak/);
    expect(await readFile(scratch, "utf8")).toMatch(/token: "[0-9a-f]{48}"/);
  }, 120_000);

  it("SIGUSR1 restarts in-process: shutdown with restartExpectedMs, then the same port answers again", async () => {
    const config = await readFile(join(home, "state", "openclaw.json"), "utf8");
    const token = /token: "([^"]+)"/.exec(config)?.[1] ?? /"token": "([^"]+)"/.exec(config)?.[1];
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    const shutdown = new Promise<{ reason?: string; restartExpectedMs?: number }>((resolve) => {
      ws.addEventListener("message", (event) => {
        const frame = JSON.parse(String(event.data));
        if (frame.event === "connect.challenge") {
          ws.send(
            JSON.stringify({
              type: "req",
              id: "1",
              method: "connect",
              params: {
                minProtocol: 3,
                maxProtocol: 4,
                client: { id: "test", version: "1", platform: "linux", mode: "test" },
                auth: { token },
              },
            }),
          );
        }
        if (frame.type === "res" && frame.ok) gateway.kill("SIGUSR1");
        if (frame.event === "shutdown") resolve(frame.payload);
      });
    });
    const closed = new Promise<number>((resolve) =>
      ws.addEventListener("close", (event) => resolve(event.code)),
    );
    expect(await shutdown).toMatchObject({ reason: "gateway restarting", restartExpectedMs: 1500 });
    expect(await closed).toBe(1012);
    await expect
      .poll(async () => (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined))?.status, {
        timeout: 10_000,
      })
      .toBe(200);
    expect(gateway.exitCode).toBeNull();
    expect((await openclaw(["health"])).code).toBe(0);
  });

  it("a config edit that needs a new listener (hybrid reload) restarts the gateway in-process", async () => {
    const path = join(home, "state", "openclaw.json");
    const before = (await (await fetch(`http://127.0.0.1:${port}/ready`)).json()) as { uptimeMs: number };
    const text = await readFile(path, "utf8");
    const token = /token: "([^"]+)"/.exec(text)?.[1] ?? /"token": "([^"]+)"/.exec(text)?.[1];
    const config = { gateway: { auth: { token }, controlUi: { allowedOrigins: ["https://ui.example"] } } };
    await writeFile(path, JSON.stringify(config, null, 2));
    await expect
      .poll(
        async () => {
          const ready = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined);
          return ready?.status === 200
            ? ((await ready.json()) as { uptimeMs: number }).uptimeMs < before.uptimeMs
            : false;
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    expect(gateway.exitCode).toBeNull();
  });

  it("SIGTERM sends the shutdown event to clients, then exits 0", async () => {
    const config = await readFile(join(home, "state", "openclaw.json"), "utf8");
    const token = /token: "([^"]+)"/.exec(config)?.[1] ?? /"token": "([^"]+)"/.exec(config)?.[1];
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    const frames: { type: string; event?: string; payload?: { reason?: string }; ok?: boolean }[] = [];
    const hello = new Promise<void>((resolve) => {
      ws.addEventListener("message", (event) => {
        const frame = JSON.parse(String(event.data));
        frames.push(frame);
        if (frame.event === "connect.challenge") {
          ws.send(
            JSON.stringify({
              type: "req",
              id: "1",
              method: "connect",
              params: {
                minProtocol: 3,
                maxProtocol: 4,
                client: { id: "test", version: "1", platform: "linux", mode: "test" },
                auth: { token },
              },
            }),
          );
        }
        if (frame.type === "res" && frame.ok) resolve();
      });
    });
    await hello;
    const closed = new Promise<number>((resolve) =>
      ws.addEventListener("close", (event) => resolve(event.code)),
    );
    const exited = new Promise<number | null>((resolve) => gateway.once("exit", (code) => resolve(code)));
    gateway.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(await closed).toBe(1001);
    expect(frames.find((frame) => frame.event === "shutdown")?.payload?.reason).toMatch(/gateway stopping/);
    const after = await openclaw(["gateway", "status"]);
    expect(after.stdout).toMatch(/^Runtime: stopped$/m);
  });
});
