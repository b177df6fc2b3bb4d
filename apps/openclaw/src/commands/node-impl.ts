import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fail, get, localPaths, print, readLocalConfig } from "./gateway-local.js";
import { controlService, launchdPlistFor, systemdUnitFor, unitPath } from "./gateway-service.js";

export interface NodeRunFlags {
  host?: string;
  port?: string;
  tls?: boolean;
  tlsFingerprint?: string;
  displayName?: string;
  token?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** Options of `node run` (the same as commands/node.ts registers for commander). */
export const NODE_RUN_OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  tls: { type: "boolean" },
  "tls-fingerprint": { type: "string" },
  "display-name": { type: "string" },
  token: { type: "string" },
} as const;

/**
 * `openclaw node run [flags]` parsed without commander, so the long-running node never loads it
 * (cli.ts). Anything else — help, an unknown flag, a stray argument — returns undefined and goes
 * through the full program (same messages).
 */
export function nodeRunArgs(args: string[]): NodeRunFlags | undefined {
  if (args.includes("--help") || args.includes("-h")) return undefined;
  try {
    // not `import … from "node:util"`: an ESM import of node:util builds its whole module facade,
    // which loads worker_threads, the diff and colour helpers… (~0.7 MB resident for the node)
    const { parseArgs } = process.getBuiltinModule("node:util");
    const { values } = parseArgs({ args, options: NODE_RUN_OPTIONS, strict: true, allowPositionals: false });
    const flags: NodeRunFlags = {};
    if (values.host !== undefined) flags.host = values.host;
    if (values.port !== undefined) flags.port = values.port;
    if (values.tls) flags.tls = true;
    if (values["tls-fingerprint"] !== undefined) flags.tlsFingerprint = values["tls-fingerprint"];
    if (values["display-name"] !== undefined) flags.displayName = values["display-name"];
    if (values.token !== undefined) flags.token = values.token;
    return flags;
  } catch {
    return undefined;
  }
}

/**
 * ws(s)://host:port from the flags, else node.json's last gateway, else gateway.remote.url, else
 * loopback; the TLS fingerprint pin from the flags, else node.json's.
 */
export function nodeTarget(
  flags: NodeRunFlags,
  env: NodeJS.ProcessEnv = process.env,
): { url: string; token?: string; tlsFingerprint?: string } {
  const paths = localPaths(env);
  const { config } = readLocalConfig(paths);
  let saved: { host?: string; port?: number; tls?: boolean; tlsFingerprint?: string } = {};
  try {
    saved =
      (JSON.parse(readFileSync(join(paths.stateDir, "node.json"), "utf8")) as { gateway?: typeof saved })
        .gateway ?? {};
  } catch {
    saved = {};
  }
  const remote = get(config, "gateway.remote.url");
  const remoteUrl = typeof remote === "string" ? new URL(remote) : undefined;
  const host = flags.host ?? saved.host ?? remoteUrl?.hostname ?? "127.0.0.1";
  const port = flags.port ?? (saved.port ? String(saved.port) : undefined) ?? remoteUrl?.port ?? "18789";
  const tlsFingerprint =
    flags.tlsFingerprint ?? (typeof saved.tlsFingerprint === "string" ? saved.tlsFingerprint : undefined);
  const tls = flags.tls || Boolean(tlsFingerprint) || saved.tls || remoteUrl?.protocol === "wss:";
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const token =
    flags.token ??
    env.OPENCLAW_GATEWAY_TOKEN ??
    (typeof get(config, "gateway.remote.token") === "string"
      ? (get(config, "gateway.remote.token") as string)
      : undefined) ??
    (typeof get(config, "gateway.auth.token") === "string"
      ? (get(config, "gateway.auth.token") as string)
      : undefined);
  return {
    url: `${tls ? "wss" : "ws"}://${bracketed}:${port}`,
    ...(token ? { token } : {}),
    ...(tlsFingerprint ? { tlsFingerprint } : {}),
  };
}

/**
 * Node and V8 flags of the long-running node (docs/nodes.md "Memory"), each measured on an idle
 * node (VmRSS, medians of alternating runs):
 * - `--lite-mode` runs everything in the interpreter (no JIT, lazily allocated feedback, no
 *   WebAssembly): the optimizing compilers' code and output cost ~11 MB once a few thousand
 *   invokes have warmed them up, with no measurable gain in the invoke round trip (the gateway
 *   and the network dominate it);
 * - a 1 MB semi-space keeps the young generation small after a burst of output;
 * - `--single-threaded --v8-pool-size=1`: no background compile or GC tasks and one V8 worker
 *   thread instead of one per core (a node waits; its GCs are small);
 * - `--use-openssl-ca` when the node never verifies a certificate chain (`ws://`, or `wss://`
 *   pinned by `--tls-fingerprint`): loading `tls` (which `ws` always does) otherwise starts
 *   parsing Node's ~150 bundled root certificates in the background, ~1 MB kept for nothing.
 *   An unpinned `wss://` gateway keeps Node's bundled roots.
 * `OPENCLAW_NODE_NODE_FLAGS` overrides them ("" = none). The commands a node runs are separate
 * processes and get none of these.
 */
export function nodeRunFlags(target: { url: string; tlsFingerprint?: string }): string[] {
  const flags = ["--max-semi-space-size=1", "--lite-mode", "--single-threaded", "--v8-pool-size=1"];
  if (target.url.startsWith("ws://") || target.tlsFingerprint) flags.push("--use-openssl-ca");
  return flags;
}

/** Re-execute in place (same pid) with the node's flags when this image runs without them. */
function reexecWithFlags(defaults: string[]): void {
  const override = process.env.OPENCLAW_NODE_NODE_FLAGS;
  const flags = override === undefined ? defaults : override.split(/\s+/).filter(Boolean);
  if (!flags.length || flags.every((flag) => process.execArgv.includes(flag))) return;
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never })
    .execve;
  if (typeof execve !== "function" || !process.argv[1]) return;
  try {
    execve.call(
      process,
      process.execPath,
      [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)],
      process.env,
    );
  } catch {
    // cannot exec: run as we are
  }
}

/** `openclaw node run`: a NodeHost in the foreground until SIGINT/SIGTERM. */
export async function nodeRun(flags: NodeRunFlags): Promise<void> {
  const target = nodeTarget(flags);
  reexecWithFlags(nodeRunFlags(target));
  const { NodeHost, readNodeFile, writeNodeFile, pinnedWebSocket } = await import("@openclaw/node-host");
  const { stateDir } = localPaths();
  const url = new URL(target.url);
  const nodeFile = join(stateDir, "node.json");
  const file = readNodeFile(nodeFile);
  file.gateway = {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: Number(url.port || 18789),
    tls: url.protocol === "wss:",
    ...(target.tlsFingerprint ? { tlsFingerprint: target.tlsFingerprint } : {}),
  };
  writeNodeFile(nodeFile, file);
  const fingerprint = target.tlsFingerprint;
  const host = new NodeHost({
    url: target.url,
    ...(target.token ? { auth: { token: target.token } } : {}),
    stateDir,
    ...(flags.displayName ? { displayName: flags.displayName } : {}),
    ...(fingerprint ? { WebSocket: await pinnedWebSocket(fingerprint) } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const stop = () => {
    void host.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  process.stderr.write(`node: connecting to ${target.url} (state in ${stateDir})\n`);
  await host.start();
}

function runArgs(flags: NodeRunFlags): string[] {
  const cli = process.argv[1] ?? fileURLToPath(new URL("../cli.js", import.meta.url));
  const args = [process.execPath, cli, "node", "run"];
  if (flags.host) args.push("--host", flags.host);
  if (flags.port) args.push("--port", flags.port);
  if (flags.tls) args.push("--tls");
  if (flags.tlsFingerprint) args.push("--tls-fingerprint", flags.tlsFingerprint);
  if (flags.displayName) args.push("--display-name", flags.displayName);
  return args;
}

function serviceEnv(): Record<string, string> {
  const keys = [
    "OPENCLAW_STATE_DIR",
    "OPENCLAW_CONFIG_PATH",
    "OPENCLAW_PROFILE",
    "OPENCLAW_HOME",
    "OPENCLAW_GATEWAY_TOKEN",
  ];
  const env: Record<string, string> = {};
  for (const key of keys) if (process.env[key]) env[key] = process.env[key];
  env.PATH = process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin";
  return env;
}

export function nodeSystemdUnit(flags: NodeRunFlags): string {
  return systemdUnitFor({
    description: "OpenClaw Node",
    args: runArgs(flags),
    env: serviceEnv(),
    extra: ["Restart=always", "RestartSec=5"],
  });
}

/** `openclaw node install|uninstall|start|stop|restart|status`: the node as a user service. */
export async function nodeService(action: string, flags: NodeRunFlags): Promise<void> {
  const service = unitPath("node");
  const installed = Boolean(service.path && existsSync(service.path));
  if (action === "status") {
    let active: boolean | undefined;
    if (installed && service.manager === "systemd") {
      const result = spawnSync("systemctl", ["--user", "is-active", service.name], {
        encoding: "utf8",
        timeout: 2000,
      });
      if (!result.error) active = result.stdout.trim() === "active";
    }
    const nodeFile = join(localPaths().stateDir, "node.json");
    let nodeId: string | undefined;
    try {
      nodeId = (JSON.parse(readFileSync(nodeFile, "utf8")) as { nodeId?: string }).nodeId;
    } catch {
      nodeId = undefined;
    }
    const state = {
      manager: service.manager,
      installed,
      ...(active !== undefined ? { active } : {}),
      unitPath: service.path,
      nodeId: nodeId ?? null,
    };
    if (flags.json) return print(JSON.stringify(state, null, 2));
    return print(
      `Node service: ${installed ? `installed (${service.manager}${active === undefined ? "" : active ? ", active" : ", inactive"})` : "not installed"}${service.path ? `\nUnit: ${service.path}` : ""}\nNode id: ${nodeId ?? "(none yet: run `openclaw node run` once)"}`,
    );
  }
  if (service.manager === "none" || !service.path)
    return fail(
      `openclaw node ${action}: no supported service manager on ${process.platform}; run \`openclaw node run\` under your own supervisor`,
    );
  if (action === "install") {
    const content =
      service.manager === "systemd"
        ? nodeSystemdUnit(flags)
        : launchdPlistFor({ name: service.name, args: runArgs(flags), env: serviceEnv(), log: "node" });
    if (flags.dryRun) return print(`# ${service.path}\n${content}`);
    mkdirSync(dirname(service.path), { recursive: true });
    writeFileSync(service.path, content);
    print(`Wrote ${service.path}`);
    const ok = controlService({ ...service, path: service.path }, "enable");
    if (!ok) fail(`openclaw node install: the unit was written but the service manager refused it`);
    return;
  }
  if (!installed)
    return fail(
      `openclaw node ${action}: no node service installed (run \`openclaw node install --host <gateway>\` first)`,
    );
  if (flags.dryRun) return print(`would ${action} the ${service.manager} service ${service.name}`);
  if (action === "uninstall") {
    controlService({ ...service, path: service.path }, "disable");
    rmSync(service.path, { force: true });
    return print(`Removed ${service.path}`);
  }
  const ok = controlService({ ...service, path: service.path }, action as "start" | "stop" | "restart");
  if (!ok) process.exitCode = 1;
}
