import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, freePort, runCli, STACK, waitForOutput } from "./cli-harness.js";

// The built CLI against a live gateway it started itself (the manual's command lines are in
// cli-manual.e2e.test.ts, against a gateway of their own, so the two files run side by side).

let home: string;
let env: NodeJS.ProcessEnv;
let port: number;
let gateway: ChildProcess;
const gatewayOutput = { text: "" };

function openclaw(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  return runCli(args, { ...env, ...extraEnv });
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
  await waitForOutput(gateway, /No model provider configured yet/, gatewayOutput);
});

afterAll(async () => {
  if (gateway.exitCode === null) {
    gateway.kill("SIGKILL");
  }
  await rm(home, { recursive: true, force: true });
});

describe("openclaw CLI against a live gateway", () => {
  it("with no config and no API key the gateway starts, prints the dashboard URL and how to add a provider", async () => {
    expect(gatewayOutput.text).toContain(`OpenClaw gateway listening on ws://127.0.0.1:${port}`);
    expect(gatewayOutput.text).toContain(`Dashboard: http://127.0.0.1:${port}/`);
    expect(gatewayOutput.text).toContain("openclaw models auth paste-token --provider anthropic");
    expect(gatewayOutput.text).not.toMatch(/token=/);
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
