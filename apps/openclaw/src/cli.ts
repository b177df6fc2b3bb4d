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
 * V8 flags the long-running gateway gets (docs/gateway.md "Memory"): a 1 MB semi-space keeps the
 * young generation from growing to 16 MB, ~10 MB less resident memory at no measurable throughput
 * cost. `OPENCLAW_GATEWAY_NODE_FLAGS` overrides them ("" = none).
 */
const GATEWAY_NODE_FLAGS = "--max-semi-space-size=1";

/** `openclaw [--profile x|--dev|--no-color] gateway [run] …` (the foreground server), not `gateway status|call|…` or help. */
function runsGateway(args: string[]): boolean {
  if (args.includes("--help") || args.includes("-h")) return false;
  let index = 0;
  // the program's global options may come first
  while (index < args.length) {
    const arg = args[index] ?? "";
    if (arg === "--profile") index += 2;
    else if (arg === "--dev" || arg === "--no-color" || arg.startsWith("--profile=")) index += 1;
    else break;
  }
  if (args[index] !== "gateway") return false;
  const sub = args[index + 1];
  return sub === undefined || sub === "run" || sub.startsWith("-");
}

/**
 * Re-execute in place (same pid, so service managers, lock files and benchmarks see one process)
 * with the gateway's node flags, when they are not set yet and the runtime can (`process.execve`,
 * Node ≥ 22.15 on Unix). Otherwise the gateway simply runs without them.
 */
function reexecWithGatewayFlags(argv: string[]): void {
  const flags = (process.env.OPENCLAW_GATEWAY_NODE_FLAGS ?? GATEWAY_NODE_FLAGS).split(/\s+/).filter(Boolean);
  if (flags.length === 0 || flags.every((flag) => process.execArgv.includes(flag))) return;
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never })
    .execve;
  if (typeof execve !== "function" || !argv[1]) return;
  try {
    execve.call(
      process,
      process.execPath,
      [process.execPath, ...flags, ...process.execArgv, ...argv.slice(1)],
      process.env,
    );
  } catch {
    // cannot exec (e.g. a sandbox forbids it): run as we are
  }
}

async function main(argv: string[]): Promise<number> {
  const args = argv.slice(2);
  if (runsGateway(args)) reexecWithGatewayFlags(argv);
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V" || args[0] === "-v")) {
    process.stdout.write(`${CLI_VERSION}\n`);
    return 0;
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
