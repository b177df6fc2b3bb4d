import type { RunFlags } from "./commands/gateway-run.js";
import { dropGatewayMallocEnv, withGatewayMallocEnv } from "./gateway-malloc.js";
import { CLI_VERSION } from "./version.js";

// Entry point of the `openclaw` binary. It must stay tiny: `--version` answers before anything
// else is imported, and every command's module is imported only when that command runs.
// `openclaw … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

/**
 * Node's compile cache (V8 code cache on disk) for every module imported after this point: ~15 %
 * faster starts (the gateway reaches /ready ~50 ms sooner), no memory cost. The cache lives in a
 * per-user directory under the temp dir that must be ours and private (0700, not a symlink):
 * cached bytecode from a directory someone else can write to would be code they chose.
 * `NODE_DISABLE_COMPILE_CACHE=1` turns it off (Node's own switch).
 */
function enableCompileCache(): void {
  if (process.env.NODE_DISABLE_COMPILE_CACHE || typeof process.getuid !== "function") return;
  try {
    const { enableCompileCache: enable } = process.getBuiltinModule("node:module");
    if (typeof enable !== "function") return;
    const fs = process.getBuiltinModule("node:fs");
    const { tmpdir } = process.getBuiltinModule("node:os");
    const uid = process.getuid();
    const dir = `${tmpdir()}/openclaw-compile-cache-${uid}`;
    fs.mkdirSync(dir, { mode: 0o700, recursive: true });
    const stat = fs.lstatSync(dir);
    if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o077) !== 0) return;
    enable(dir);
  } catch {
    // no cache: a normal (slower) start
  }
}

/** Write what this process compiled to the cache now (before an exec, or once the gateway listens). */
function flushCompileCache(): void {
  try {
    process.getBuiltinModule("node:module").flushCompileCache?.();
  } catch {
    // best effort
  }
}

/**
 * V8 flags the long-running gateway gets (docs/gateway.md "Memory"):
 * - a 1 MB semi-space keeps the young generation from growing to 16 MB, ~10 MB less resident
 *   memory at no measurable throughput cost;
 * - higher tier-up thresholds: start-up code (module loading, config parsing) runs once and
 *   would otherwise get Maglev/TurboFan-compiled, which pages in ~8 MB of compiler code for
 *   nothing; code that is really hot under load (thousands of calls) is still optimized.
 * `OPENCLAW_GATEWAY_NODE_FLAGS` overrides them ("" = none).
 */
const GATEWAY_NODE_FLAGS = [
  "--max-semi-space-size=1",
  "--invocation-count-for-maglev=10000",
  "--invocation-count-for-maglev-osr=5000",
  "--invocation-count-for-turbofan=12000",
  "--invocation-count-for-osr=10000",
].join(" ");

/** Options of `gateway [run]` (the same as commands/gateway.ts registers for commander). */
const RUN_OPTIONS = {
  port: { type: "string" },
  bind: { type: "string" },
  token: { type: "string" },
  password: { type: "string" },
  auth: { type: "string" },
  "allow-unconfigured": { type: "boolean" },
  force: { type: "boolean" },
  verbose: { type: "boolean" },
  tailscale: { type: "string" },
} as const;

interface GatewayRun {
  flags: RunFlags;
  profile: string | undefined;
}

/**
 * `openclaw [--profile x|--dev|--no-color] gateway [run] [flags]` (the foreground server), parsed
 * here so the gateway process never loads commander. Anything else — `gateway status|call|…`,
 * help, an unknown flag — returns undefined and goes through the full program (same messages).
 */
function gatewayRun(args: string[]): GatewayRun | undefined {
  if (args.includes("--help") || args.includes("-h")) return undefined;
  let index = 0;
  let profile: string | undefined;
  // the program's global options may come first
  while (index < args.length) {
    const arg = args[index] ?? "";
    if (arg === "--profile") {
      profile = args[index + 1];
      if (profile === undefined) return undefined;
      index += 2;
    } else if (arg.startsWith("--profile=")) {
      profile = arg.slice("--profile=".length);
      index += 1;
    } else if (arg === "--dev") {
      profile = "dev";
      index += 1;
    } else if (arg === "--no-color") index += 1;
    else break;
  }
  if (args[index] !== "gateway") return undefined;
  let rest = args.slice(index + 1);
  if (rest[0] === "run") rest = rest.slice(1);
  else if (rest[0] !== undefined && !rest[0].startsWith("-")) return undefined;
  try {
    const { parseArgs } = process.getBuiltinModule("node:util");
    const { values } = parseArgs({ args: rest, options: RUN_OPTIONS, strict: true, allowPositionals: false });
    const flags: RunFlags = {
      ...(values.port !== undefined ? { port: values.port } : {}),
      ...(values.bind !== undefined ? { bind: values.bind } : {}),
      ...(values.token !== undefined ? { token: values.token } : {}),
      ...(values.password !== undefined ? { password: values.password } : {}),
      ...(values.auth !== undefined ? { auth: values.auth } : {}),
      ...(values["allow-unconfigured"] ? { allowUnconfigured: true } : {}),
      ...(values.force ? { force: true } : {}),
      ...(values.verbose ? { verbose: true } : {}),
      ...(values.tailscale !== undefined ? { tailscale: values.tailscale } : {}),
    };
    return { flags, profile };
  } catch {
    return undefined;
  }
}

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/** The gateway's node flags when this process does not run with them yet and can re-exec. */
function pendingReexec(argv: string[]): { execve: Execve; flags: string[] } | undefined {
  const flags = (process.env.OPENCLAW_GATEWAY_NODE_FLAGS ?? GATEWAY_NODE_FLAGS).split(/\s+/).filter(Boolean);
  if (flags.length === 0 || flags.every((flag) => process.execArgv.includes(flag))) return undefined;
  const execve = (process as { execve?: Execve }).execve;
  if (typeof execve !== "function" || !argv[1]) return undefined;
  return { execve, flags };
}

/**
 * Re-execute in place (same pid, so service managers, lock files and benchmarks see one process)
 * with the gateway's node flags (`process.execve`, Node ≥ 22.15 on Unix). Before that, this
 * short-lived image loads and validates the config and hands it over (gateway-prepare.ts), so
 * the long-running image starts without the validation code. Without execve the gateway simply
 * runs as it is, loading the config itself.
 */
async function reexecForGateway(argv: string[], run: GatewayRun): Promise<void> {
  const pending = pendingReexec(argv);
  if (!pending) return;
  const { prepareGatewayHandoff } = await import("./gateway-prepare.js");
  const cleanup = await prepareGatewayHandoff(run.flags);
  flushCompileCache();
  try {
    pending.execve.call(
      process,
      process.execPath,
      [process.execPath, ...pending.flags, ...process.execArgv, ...argv.slice(1)],
      withGatewayMallocEnv(process.env),
    );
  } catch {
    // cannot exec (e.g. a sandbox forbids it): run as we are
    cleanup();
  }
}

async function main(argv: string[]): Promise<number> {
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V" || args[0] === "-v")) {
    process.stdout.write(`${CLI_VERSION}\n`);
    return 0;
  }
  // not for the node: it starts once and then waits for days; the code cache would only add
  // resident memory (~0.2 MB, docs/nodes.md "Memory")
  if (!(args[0] === "node" && args[1] === "run")) enableCompileCache();
  const run = gatewayRun(args);
  if (run) {
    // the re-executed image: glibc has read its malloc tunables, nothing it starts inherits them
    dropGatewayMallocEnv(process.env);
    if (run.profile) process.env.OPENCLAW_PROFILE = run.profile;
    await reexecForGateway(argv, run);
    const { runGateway } = await import("./commands/gateway-run.js");
    await runGateway(run.flags);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  }
  if (args[0] === "node" && args[1] === "run") {
    // the node runs for days: `node run` is parsed without commander (commands/node-impl.ts)
    const { nodeRun, nodeRunArgs } = await import("./commands/node-impl.js");
    const flags = nodeRunArgs(args.slice(2));
    if (flags) {
      await nodeRun(flags);
      return typeof process.exitCode === "number" ? process.exitCode : 0;
    }
  }
  const { runProgram } = await import("./program.js");
  return runProgram(argv);
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`openclaw: ${message}\n`);
    if (process.env.OPENCLAW_DEBUG && error instanceof Error && error.stack)
      process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  },
);
