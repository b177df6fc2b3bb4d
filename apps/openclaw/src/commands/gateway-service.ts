import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { localPaths, pidAlive, print, readLock } from "./gateway-local.js";

export interface ServiceState {
  manager: "systemd" | "launchd" | "none";
  installed: boolean;
  active?: boolean;
  unitPath?: string;
  /** The config file the installed service reads (from the unit's environment). */
  configPath?: string;
}

function profileSuffix(): string {
  const profile = process.env.OPENCLAW_PROFILE?.trim();
  return profile && profile !== "default" ? `-${profile}` : "";
}

export type ServiceUnit = { manager: ServiceState["manager"]; path?: string; name: string };

/** Where this platform's service unit of the gateway or the node lives (systemd user unit, launchd agent), if it has one. */
export function unitPath(kind: "gateway" | "node" = "gateway"): ServiceUnit {
  const home = process.env.HOME || homedir();
  if (process.platform === "darwin") {
    const name = `ai.openclaw.${kind}${profileSuffix()}`;
    return { manager: "launchd", path: join(home, "Library/LaunchAgents", `${name}.plist`), name };
  }
  if (process.platform === "linux") {
    const name = `openclaw-${kind}${profileSuffix()}.service`;
    return {
      manager: "systemd",
      path: join(process.env.XDG_CONFIG_HOME || join(home, ".config"), "systemd/user", name),
      name,
    };
  }
  return { manager: "none", name: `openclaw-${kind}` };
}

export function serviceState(): ServiceState {
  const unit = unitPath();
  const installed = Boolean(unit.path && existsSync(unit.path));
  const state: ServiceState = { manager: unit.manager, installed };
  if (unit.path) state.unitPath = unit.path;
  if (installed && unit.path) state.configPath = serviceConfigPath(readFileSync(unit.path, "utf8"));
  if (installed && unit.manager === "systemd") {
    const result = spawnSync("systemctl", ["--user", "is-active", unit.name], {
      encoding: "utf8",
      timeout: 2000,
    });
    if (!result.error) state.active = result.stdout.trim() === "active";
  }
  return state;
}

/** The variables a unit sets (`Environment=K=V` in a systemd unit, `<key>K</key><string>V</string>` in a plist). */
export function unitEnvironment(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of text.matchAll(/^Environment="?([A-Z_][A-Z0-9_]*)=(.*?)"?$/gm))
    env[match[1]!] = match[2]!;
  for (const match of text.matchAll(/<key>([A-Z_][A-Z0-9_]*)<\/key>\s*<string>([^<]*)<\/string>/g))
    env[match[1]!] = match[2]!;
  return env;
}

/**
 * The config path the service resolves: this user's home with the unit's OPENCLAW_* variables
 * (what `gateway status` shows as `Config (service):`, next to `Config (cli):`).
 */
export function serviceConfigPath(unitText: string): string {
  const env = unitEnvironment(unitText);
  const only: NodeJS.ProcessEnv = { HOME: process.env.HOME };
  for (const key of ["OPENCLAW_STATE_DIR", "OPENCLAW_CONFIG_PATH", "OPENCLAW_PROFILE", "OPENCLAW_HOME"])
    if (env[key]) only[key] = env[key];
  return localPaths(only).configPath;
}

function cliPath(): string {
  return process.argv[1] ?? fileURLToPath(new URL("../cli.js", import.meta.url));
}

function serviceEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of [
    "OPENCLAW_STATE_DIR",
    "OPENCLAW_CONFIG_PATH",
    "OPENCLAW_PROFILE",
    "OPENCLAW_HOME",
    "OPENCLAW_GATEWAY_PORT",
  ]) {
    const value = process.env[key];
    if (value) env[key] = value;
  }
  env.PATH = process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin";
  return env;
}

/**
 * The units run `node <cli> gateway run` without node flags on purpose: the CLI validates the
 * config, then re-executes itself with the gateway's flags and hands the config over (cli.ts),
 * which keeps the validation code out of the long-running process.
 */
export function systemdUnit(port?: string): string {
  return systemdUnitFor({
    description: "OpenClaw Gateway",
    args: [process.execPath, cliPath(), "gateway", "run", ...(port ? ["--port", port] : [])],
    env: serviceEnv(),
    extra: ["Restart=on-failure", "RestartSec=5", "KillSignal=SIGTERM", "TimeoutStopSec=15"],
  });
}

/** A systemd user unit running `args` (the gateway's, the node's). */
export function systemdUnitFor(unit: {
  description: string;
  args: string[];
  env: Record<string, string>;
  extra: string[];
}): string {
  const exec = unit.args.map((part) => (part.includes(" ") ? `"${part}"` : part)).join(" ");
  const env = Object.entries(unit.env).map(([key, value]) => `Environment=${key}=${value}`);
  return [
    "[Unit]",
    `Description=${unit.description}`,
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${exec}`,
    ...env,
    ...unit.extra,
    "",
    "[Install]",
    "WantedBy=default.target",
    "",
  ].join("\n");
}

export function launchdPlist(name: string, port?: string): string {
  return launchdPlistFor({
    name,
    args: [process.execPath, cliPath(), "gateway", "run", ...(port ? ["--port", port] : [])],
    env: serviceEnv(),
    log: "gateway",
  });
}

/** A launchd agent running `args`; output in /tmp/openclaw/<log>.out.log and .err.log. */
export function launchdPlistFor(agent: {
  name: string;
  args: string[];
  env: Record<string, string>;
  log: string;
}): string {
  const xml = (value: string) => value.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const env = Object.entries(agent.env)
    .map(([key, value]) => `      <key>${xml(key)}</key><string>${xml(value)}</string>`)
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
  <dict>
    <key>Label</key><string>${agent.name}</string>
    <key>ProgramArguments</key>
    <array>
${agent.args.map((arg) => `      <string>${xml(arg)}</string>`).join("\n")}
    </array>
    <key>EnvironmentVariables</key>
    <dict>
${env}
    </dict>
    <key>RunAtLoad</key><true/>
    <key>KeepAlive</key><true/>
    <key>StandardOutPath</key><string>/tmp/openclaw/${agent.log}.out.log</string>
    <key>StandardErrorPath</key><string>/tmp/openclaw/${agent.log}.err.log</string>
  </dict>
</plist>
`;
}

/** Runs a service manager command (`systemctl`, `launchctl`) on this terminal: true when it succeeded. */
function runServiceCommand(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: "inherit", timeout: 15_000 });
  return !result.error && result.status === 0;
}

/** Asks systemd or launchd to enable, disable, start, stop or restart an installed unit: true when it did. */
export function controlService(
  unit: ServiceUnit & { path: string },
  op: "enable" | "disable" | "start" | "stop" | "restart",
): boolean {
  if (unit.manager === "systemd") {
    if (op === "enable")
      return (
        runServiceCommand("systemctl", ["--user", "daemon-reload"]) &&
        runServiceCommand("systemctl", ["--user", "enable", "--now", unit.name])
      );
    if (op === "disable") return runServiceCommand("systemctl", ["--user", "disable", "--now", unit.name]);
    return runServiceCommand("systemctl", ["--user", op, unit.name]);
  }
  if (op === "enable") return runServiceCommand("launchctl", ["load", "-w", unit.path]);
  if (op === "disable") return runServiceCommand("launchctl", ["unload", "-w", unit.path]);
  if (op === "start") return runServiceCommand("launchctl", ["load", unit.path]);
  if (op === "stop") return runServiceCommand("launchctl", ["unload", unit.path]);
  return (
    runServiceCommand("launchctl", ["unload", unit.path]) &&
    runServiceCommand("launchctl", ["load", unit.path])
  );
}

async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return predicate();
}

async function stopProcess(): Promise<boolean> {
  const lock = readLock();
  if (!lock) {
    print("Gateway is not running.");
    return true;
  }
  process.kill(lock.pid, "SIGTERM");
  const stopped = await waitFor(() => !pidAlive(lock.pid), 15_000);
  print(
    stopped ? `Gateway stopped (pid ${lock.pid}).` : `Gateway (pid ${lock.pid}) did not stop within 15 s.`,
  );
  return stopped;
}

/**
 * The arguments a running gateway was started with (`gateway run --port … --bind …`), read from
 * /proc where there is one, else its port from the lock: `restart` brings it back the same way.
 */
export function runningGatewayArgs(lock: { pid: number; port: number }): string[] {
  try {
    const argv = readFileSync(`/proc/${lock.pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    const at = argv.lastIndexOf("gateway");
    if (at >= 0) {
      const args = argv.slice(at + 1);
      const rest = args[0] === "run" ? args.slice(1) : args;
      const hasPort = rest.some((arg) => arg === "--port" || arg.startsWith("--port="));
      return ["run", ...rest, ...(hasPort ? [] : ["--port", String(lock.port)])];
    }
  } catch {
    // no /proc (macOS) or the process is gone
  }
  return ["run", "--port", String(lock.port)];
}

async function startProcess(port?: string, args?: string[]): Promise<boolean> {
  const running = readLock();
  if (running) {
    print(`Gateway already running (pid ${running.pid}, ${running.url}).`);
    return true;
  }
  mkdirSync("/tmp/openclaw", { recursive: true });
  const out = openSync(join("/tmp/openclaw", "gateway.out.log"), "a");
  const gatewayArgs = args ?? ["run", ...(port ? ["--port", port] : [])];
  const child = spawn(process.execPath, [cliPath(), "gateway", ...gatewayArgs], {
    detached: true,
    stdio: ["ignore", out, out],
    env: { ...process.env, NO_COLOR: "1" },
  });
  child.unref();
  const up = await waitFor(() => readLock() !== undefined, 10_000);
  const lock = readLock();
  print(
    up && lock
      ? `Gateway started in the background (pid ${lock.pid}, ${lock.url}).`
      : "Gateway did not start; see /tmp/openclaw/gateway.out.log and `openclaw gateway status`.",
  );
  return up;
}

/** install | uninstall | start | stop | restart */
export async function serviceCommand(
  action: string,
  options: { dryRun?: boolean; port?: string; json?: boolean; quiet?: boolean },
): Promise<void> {
  const unit = unitPath();
  const state = serviceState();
  if (action === "install") {
    if (unit.manager === "none" || !unit.path) {
      process.stderr.write(
        `openclaw gateway install: no supported service manager on ${process.platform}; run \`openclaw gateway\` under your own supervisor\n`,
      );
      process.exitCode = 1;
      return;
    }
    const content =
      unit.manager === "systemd" ? systemdUnit(options.port) : launchdPlist(unit.name, options.port);
    if (options.dryRun) {
      print(`# ${unit.path}\n${content}`);
      return;
    }
    mkdirSync(dirname(unit.path), { recursive: true });
    writeFileSync(unit.path, content);
    if (!options.quiet) print(`Wrote ${unit.path}`); // quiet: a caller printing JSON reports the path
    const ok = controlService({ ...unit, path: unit.path }, "enable");
    if (!ok) {
      process.stderr.write(
        `openclaw gateway install: the unit was written but the service manager refused it; start it with \`${unit.manager === "systemd" ? `systemctl --user start ${unit.name}` : `launchctl load ${unit.path}`}\`\n`,
      );
      process.exitCode = 1;
    }
    return;
  }
  if (action === "uninstall") {
    if (!state.installed || !unit.path) {
      print("No gateway service installed.");
      return;
    }
    if (options.dryRun) {
      print(`would remove ${unit.path}`);
      return;
    }
    controlService({ ...unit, path: unit.path }, "disable");
    rmSync(unit.path, { force: true });
    print(`Removed ${unit.path}`);
    return;
  }
  if (options.dryRun) {
    print(
      state.installed
        ? `would ${action} the ${unit.manager} service ${unit.name}`
        : `would ${action} the gateway process (state dir ${localPaths().stateDir})`,
    );
    return;
  }
  if (state.installed && unit.path) {
    const ok = controlService({ ...unit, path: unit.path }, action as "start" | "stop" | "restart");
    if (!ok) process.exitCode = 1;
    return;
  }
  let ok = true;
  // restart keeps the running gateway's port and flags (an explicit --port wins)
  const running = action === "restart" ? readLock() : undefined;
  const previous = running && !options.port ? runningGatewayArgs(running) : undefined;
  if (action === "stop" || action === "restart") ok = await stopProcess();
  if (ok && (action === "start" || action === "restart")) ok = await startProcess(options.port, previous);
  if (!ok) process.exitCode = 1;
}
