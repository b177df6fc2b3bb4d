import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import { detectProvider } from "../gateway-assembly.js";
import { CLI_VERSION } from "../version.js";
import {
  type ClientFlags,
  get,
  lastGatewayError,
  localPaths,
  logFileFor,
  print,
  readLocalConfig,
  readLock,
  resolveTarget,
} from "./gateway-local.js";

const SECRET = /(token|password|secret|apikey|api_key|privatekey)s?$/i;

export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      SECRET.test(key) && typeof child === "string" ? "[redacted]" : redact(child),
    ]),
  );
}

function countSessions(stateDir: string): { agents: number; sessions: number } {
  let agents = 0;
  let sessions = 0;
  try {
    for (const agent of readdirSync(join(stateDir, "agents"))) {
      agents++;
      try {
        const store = JSON.parse(
          readFileSync(join(stateDir, "agents", agent, "sessions", "sessions.json"), "utf8"),
        );
        sessions += Object.keys(store).length;
      } catch {
        // no sessions yet
      }
    }
  } catch {
    // no agents dir yet
  }
  return { agents, sessions };
}

/** Channels this build ships (their plugins are bundled); others are looked up in the plugin registry. */
const BUNDLED_CHANNELS = new Set(["telegram", "discord", "slack"]);

/** Configured channels no plugin here can run (`channels.whatsapp`), with the reason. */
async function unavailableChannels(ids: string[]): Promise<Record<string, string>> {
  const others = ids.filter((id) => !BUNDLED_CHANNELS.has(id));
  if (others.length === 0) return {};
  const { localPluginRegistry } = await import("./plugins-registry.js");
  const registry = await localPluginRegistry();
  const out: Record<string, string> = {};
  for (const id of others) {
    const problem = registry.channelProblem(id);
    if (problem) out[id] = problem;
  }
  return out;
}

/** The last `count` lines of the gateway's log file, pretty-printed (`status --all`, as the FAQ says). */
function logTail(file: string, count: number): string[] {
  let text = "";
  try {
    const fd = openSync(file, "r");
    try {
      const size = fstatSync(fd).size;
      const start = Math.max(0, size - 256 * 1024);
      const buffer = Buffer.alloc(size - start);
      readSync(fd, buffer, 0, buffer.length, start);
      text = buffer.toString("utf8");
    } finally {
      closeSync(fd);
    }
  } catch {
    return ["  (no log file yet)"];
  }
  const lines: string[] = [];
  for (const line of text.split("\n").reverse()) {
    if (lines.length >= count) break;
    try {
      const entry = JSON.parse(line) as { level?: unknown; time?: unknown; msg?: unknown };
      if (typeof entry.level !== "number" || typeof entry.time !== "number") continue;
      lines.push(`  ${new Date(entry.time).toISOString()} ${String(entry.msg ?? "")}`);
    } catch {
      // another program's line or a torn one
    }
  }
  return lines.length ? lines.reverse() : ["  (no gateway lines yet)"];
}

type ConfigCheck = { valid: boolean; issues: { path: string; message: string; line?: number }[] };

/**
 * The config file as a running gateway's reload sees it (syntax, schema, empty file): invalid ⇒
 * the gateway keeps running on its last good config. The schema check (zod) runs only when a
 * gateway is running; otherwise the cheap checks (parse, empty) keep `status` fast.
 */
async function checkLocalConfig(
  local: { path: string; exists: boolean; error?: string },
  gatewayRunning: boolean,
): Promise<ConfigCheck> {
  if (!local.exists) return { valid: true, issues: [] };
  if (gatewayRunning) {
    const { checkConfigFile } = await import("@openclaw/core/config");
    return checkConfigFile({ path: local.path });
  }
  if (local.error) return { valid: false, issues: [{ path: "", message: local.error }] };
  let text = "";
  try {
    text = readFileSync(local.path, "utf8");
  } catch {
    return { valid: true, issues: [] };
  }
  return text.trim() === ""
    ? { valid: false, issues: [{ path: "", message: "the file is empty", line: 1 }] }
    : { valid: true, issues: [] };
}

/** `openclaw status [--all] [--deep] [--json]`: local facts first, the gateway only with --deep/--all. */
export async function statusCommand(
  flags: ClientFlags & { all?: boolean; full?: boolean; deep?: boolean },
): Promise<void> {
  const all = flags.all || flags.full;
  const paths = localPaths();
  const local = readLocalConfig(paths);
  const lock = readLock(paths);
  const check = await checkLocalConfig(local, Boolean(lock));
  const target = resolveTarget(flags);
  const config = local.config;
  const model = get(config, "agents.defaults.model");
  const channels = Object.entries(
    (config.channels as Record<string, { enabled?: boolean }> | undefined) ?? {},
  )
    .filter(([id, value]) => id !== "defaults" && value?.enabled !== false)
    .map(([id]) => id);
  const unavailable = await unavailableChannels(channels);
  const provider = detectProvider(config, process.env);
  const summary: Record<string, unknown> = {
    version: CLI_VERSION,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    stateDir: paths.stateDir,
    config: {
      path: local.path,
      exists: local.exists,
      valid: check.valid,
      ...(check.valid ? {} : { issues: check.issues }),
      ...(local.error ? { error: local.error } : {}),
    },
    gateway: {
      mode: (get(config, "gateway.mode") as string | undefined) ?? "local",
      url: target.url,
      running: Boolean(lock),
      ...(lock ? { pid: lock.pid, since: lock.startedAt } : {}),
      authMode:
        (get(config, "gateway.auth.mode") as string | undefined) ??
        (get(config, "gateway.auth.password") ? "password" : "token"),
      bind: (get(config, "gateway.bind") as string | undefined) ?? "loopback",
      dashboard: target.httpUrl,
    },
    model: typeof model === "string" ? model : ((model as { primary?: string } | undefined)?.primary ?? null),
    provider: provider ?? null,
    channels,
    ...(Object.keys(unavailable).length ? { channelsUnavailable: unavailable } : {}),
    ...countSessions(paths.stateDir),
    logFile: logFileFor(config),
  };
  const lastError = lastGatewayError(paths);
  if (lastError && !lock) summary.lastGatewayError = lastError;
  if (flags.deep || all) {
    const { openRpc } = await import("./gateway-rpc.js");
    const started = performance.now();
    try {
      const session = await openRpc(target, ["operator.read"]);
      const [health, status, channelStatus] = await Promise.all([
        session.call("health"),
        session.call("status"),
        session.call("channels.status", { probe: true }),
      ]);
      await session.close();
      summary.probe = {
        ok: true,
        ms: Math.round(performance.now() - started),
        health,
        status,
        channels: channelStatus,
      };
    } catch (error) {
      summary.probe = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }
  if (all) summary.effectiveConfig = redact(config);
  if (flags.json) {
    print(JSON.stringify(redact(summary), null, 2));
    return;
  }
  const gateway = summary.gateway as Record<string, unknown>;
  const lines = [
    `OpenClaw ${CLI_VERSION} (node ${process.version}, ${summary.platform})`,
    `Config: ${local.path}${local.exists ? "" : " (not created yet: defaults apply)"}${local.error ? ` (invalid: ${local.error})` : check.valid ? "" : " (invalid)"}`,
    `State: ${paths.stateDir}`,
    `Gateway: ${gateway.running ? `running (pid ${gateway.pid})` : "not running"} · ${gateway.url} · mode ${gateway.mode} · bind ${gateway.bind} · auth ${gateway.authMode}`,
    `Dashboard: ${gateway.dashboard}`,
    `Model: ${summary.model ?? "not set"} · provider: ${summary.provider ?? "none configured (openclaw models auth paste-token --provider anthropic)"}`,
    `Channels: ${
      channels.length
        ? channels
            .map((id) => (unavailable[id] ? `${id} (not available: ${unavailable[id]})` : id))
            .join(", ")
        : "none configured"
    }`,
    `Sessions: ${summary.sessions} across ${summary.agents} agent(s)`,
    `Logs: ${summary.logFile}`,
  ];
  if (!check.valid) {
    const where = (issue: { file?: string; line?: number }) => (issue.line ? ` (line ${issue.line})` : "");
    lines.push(
      `Config problem: ${lock ? `the running gateway (pid ${lock.pid}) skipped this edit and keeps its last good config` : "the gateway will not use this file"}; fix it or restore ${local.path}.bak (openclaw doctor)`,
      ...check.issues.map(
        (issue) => `  - ${issue.path || "(file)"}${where(issue)}: ${issue.message.split("\n")[0]}`,
      ),
    );
  }
  if (summary.lastGatewayError) lines.push(`Last gateway error: ${summary.lastGatewayError}`);
  const probe = summary.probe as
    | { ok: boolean; ms?: number; error?: string; health?: { ok?: boolean } }
    | undefined;
  if (probe)
    lines.push(
      probe.ok
        ? `RPC probe: ok (${probe.ms} ms) · health ${probe.health?.ok ? "ok" : "degraded"}`
        : `RPC probe: failed: ${probe.error}`,
    );
  if (all) {
    lines.push("", "Effective config (secrets redacted):", JSON.stringify(summary.effectiveConfig, null, 2));
    lines.push("", `Log tail (${summary.logFile}):`, ...logTail(String(summary.logFile), 20));
  }
  print(lines.join("\n"));
  if (probe && !probe.ok) process.exitCode = 1;
}
