import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

// Light local reads shared by the client commands (status, health, logs, devices, gateway *):
// no zod, no core barrel, so they start in a few milliseconds.

export interface LocalPaths {
  stateDir: string;
  configPath: string;
}

function expand(path: string, home: string): string {
  const expanded = path === "~" ? home : path.startsWith("~/") ? join(home, path.slice(2)) : path;
  return isAbsolute(expanded) ? expanded : resolve(expanded);
}

/** Same precedence as core's `resolvePaths`: env overrides > profile > ~/.openclaw. */
export function localPaths(env: NodeJS.ProcessEnv = process.env): LocalPaths {
  const home = env.OPENCLAW_HOME?.trim() || env.HOME?.trim() || homedir();
  const profile = env.OPENCLAW_PROFILE?.trim();
  const active = profile && profile !== "default" ? profile : undefined;
  const stateDir = env.OPENCLAW_STATE_DIR?.trim()
    ? expand(env.OPENCLAW_STATE_DIR.trim(), home)
    : join(home, active ? `.openclaw-${active}` : ".openclaw");
  const configPath = env.OPENCLAW_CONFIG_PATH?.trim()
    ? expand(env.OPENCLAW_CONFIG_PATH.trim(), home)
    : join(stateDir, "openclaw.json");
  return { stateDir, configPath };
}

export interface LocalConfig {
  path: string;
  exists: boolean;
  config: Record<string, unknown>;
  error?: string;
}

export function readLocalConfig(paths = localPaths()): LocalConfig {
  if (!existsSync(paths.configPath)) return { path: paths.configPath, exists: false, config: {} };
  try {
    const text = readFileSync(paths.configPath, "utf8");
    // json5 loads here, on first use: `openclaw gateway` reaches this module without parsing
    const parsed = text.trim()
      ? (createRequire(import.meta.url)("json5") as typeof import("json5")).parse(text)
      : {};
    return {
      path: paths.configPath,
      exists: true,
      config: typeof parsed === "object" && parsed ? parsed : {},
    };
  } catch (error) {
    return {
      path: paths.configPath,
      exists: true,
      config: {},
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

export function get(object: unknown, path: string): unknown {
  let current = object;
  for (const key of path.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function secret(value: unknown, env: NodeJS.ProcessEnv): string | undefined {
  if (typeof value === "string" && value) return value;
  if (typeof value === "object" && value && (value as { source?: string }).source === "env") {
    return env[(value as { id: string }).id] || undefined;
  }
  return undefined;
}

export interface LockInfo {
  pid: number;
  host: string;
  port: number;
  url: string;
  startedAt: string;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The running gateway's lock (state dir), when its process is alive. */
export function readLock(paths = localPaths()): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(join(paths.stateDir, "gateway.lock"), "utf8")) as LockInfo;
    return typeof info.pid === "number" && pidAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

export function lastGatewayError(paths = localPaths()): string | undefined {
  try {
    return readFileSync(join(paths.stateDir, "gateway-last-error.txt"), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface ClientFlags {
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
  json?: boolean;
}

export interface GatewayTarget {
  url: string;
  token?: string;
  password?: string;
  timeoutMs: number;
  remote: boolean;
  httpUrl: string;
  /** The user gave --url (stored credentials are not sent there). */
  explicitUrl?: boolean;
}

/** Where client commands connect: flags > remote mode (`gateway.remote.*`) > the local gateway. */
export function resolveTarget(flags: ClientFlags, env: NodeJS.ProcessEnv = process.env): GatewayTarget {
  const paths = localPaths(env);
  const { config } = readLocalConfig(paths);
  const remote = get(config, "gateway.mode") === "remote" && !flags.url;
  let url = flags.url;
  let token = flags.token;
  let password = flags.password;
  if (!url && remote) {
    url = (get(config, "gateway.remote.url") as string | undefined) ?? undefined;
    token ??= secret(get(config, "gateway.remote.token"), env);
    password ??= secret(get(config, "gateway.remote.password"), env);
  }
  if (!url) {
    const lock = readLock(paths);
    const envPort = env.OPENCLAW_GATEWAY_PORT ? Number(env.OPENCLAW_GATEWAY_PORT) : undefined;
    const port = lock?.port ?? envPort ?? (get(config, "gateway.port") as number | undefined) ?? 18789;
    url = lock?.url ?? `ws://127.0.0.1:${port}`;
  }
  // an explicit --url never gets stored credentials (runbook): only --token/--password go there
  if (!remote && !flags.url) {
    token ??= env.OPENCLAW_GATEWAY_TOKEN || secret(get(config, "gateway.auth.token"), env);
    password ??= env.OPENCLAW_GATEWAY_PASSWORD || secret(get(config, "gateway.auth.password"), env);
  }
  const timeoutMs = flags.timeout ? Number(flags.timeout) : 10_000;
  const target: GatewayTarget = {
    url,
    timeoutMs: Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : 10_000,
    remote,
    httpUrl: `${url.replace(/^ws/, "http").replace(/\/+$/, "")}/`,
  };
  if (token) target.token = token;
  if (password) target.password = password;
  if (flags.url) target.explicitUrl = true;
  return target;
}

/** Commander option set shared by every client command. */
export const CLIENT_OPTIONS: [string, string][] = [
  ["--url <url>", "gateway WebSocket URL (default: the local gateway, or gateway.remote.url in remote mode)"],
  ["--token <token>", "gateway token (default: gateway.auth.token / OPENCLAW_GATEWAY_TOKEN)"],
  ["--password <password>", "gateway password"],
  ["--timeout <ms>", "timeout in milliseconds (default 10000)"],
  ["--json", "print JSON"],
];

export function print(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

export function fail(message: string, code = 1): void {
  process.stderr.write(`${message.split("\n")[0]}\n`);
  process.exitCode = code;
}

/** The log file the gateway writes: `logging.file`, else /tmp/openclaw/openclaw-YYYY-MM-DD.log (local date). */
export function logFileFor(config: Record<string, unknown>, date = new Date()): string {
  const configured = get(config, "logging.file");
  if (typeof configured === "string" && configured) return configured;
  const pad = (value: number) => String(value).padStart(2, "0");
  return join(
    "/tmp/openclaw",
    `openclaw-${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}.log`,
  );
}
