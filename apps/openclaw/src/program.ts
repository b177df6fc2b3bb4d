import { Command, CommanderError } from "commander";
import { registerCommands } from "./commands/index.js";
import { CLI_VERSION } from "./version.js";

/** Build the commander program and run it; resolves to the process exit code. */
export async function runProgram(argv: string[]): Promise<number> {
  const program = new Command("openclaw")
    .description("OpenClaw: your personal AI assistant, on your own hardware")
    .version(CLI_VERSION, "-V, --version")
    .option("--profile <name>", "use ~/.openclaw-<name> as the state directory")
    .option("--dev", "use the dev profile (~/.openclaw-dev, port 19001)")
    .option("--no-color", "disable colors")
    .showSuggestionAfterError(true)
    .exitOverride();
  program.hook("preAction", (command) => {
    const options = command.optsWithGlobals() as { profile?: string; dev?: boolean };
    const profile = options.dev ? "dev" : options.profile;
    if (profile) process.env.OPENCLAW_PROFILE = profile;
  });
  registerCommands(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version are "errors" only to commander
      return error.exitCode;
    }
    throw error;
  }
}
