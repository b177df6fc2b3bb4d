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

async function main(argv: string[]): Promise<number> {
  const args = argv.slice(2);
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
