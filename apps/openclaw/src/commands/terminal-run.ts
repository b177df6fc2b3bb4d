import { spawn } from "node:child_process";

/**
 * Runs a command on this terminal (inherited stdio: the user sees its output and answers its
 * prompts). Resolves with its exit code (128 when a signal ended it), or the spawn error when it
 * could not start (command not found, not executable).
 */
export function runOnTerminal(command: string, args: string[], cwd?: string): Promise<number | Error> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "inherit", ...(cwd ? { cwd } : {}) });
    child.once("error", (error) => resolve(error));
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
