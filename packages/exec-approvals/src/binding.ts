import type { PolicyHints } from "./approvals-file.js";
import { hashText } from "./approvals-file.js";

/** `system.run` params (OpenClaw's shape: argv `command`, `cwd`, `env`, `commandTimeoutMs`). */
export interface SystemRunParams {
  command: string[] | string;
  rawCommand?: string;
  cwd?: string;
  env?: Record<string, string>;
  commandTimeoutMs?: number;
  timeoutMs?: number;
  agentId?: string;
  sessionKey?: string;
  /** The caller's `tools.exec.*`: the stricter of these and this host's file applies. */
  security?: PolicyHints["security"];
  ask?: PolicyHints["ask"];
  askFallback?: PolicyHints["askFallback"];
  /** An approval obtained beforehand; it must have been given for exactly this argv, cwd and env. */
  approvalId?: string;
}

const SHELLS = new Set(["sh", "bash", "zsh", "dash"]);

/** argv and the shell text the policy reads (a `sh -c <text>` argv is judged by its text). */
export function normalizeRun(params: SystemRunParams): { argv: string[]; shellText?: string } {
  if (typeof params.command === "string") {
    return { argv: ["/bin/sh", "-c", params.command], shellText: params.rawCommand ?? params.command };
  }
  const argv = params.command;
  const base = argv[0]?.split("/").pop() ?? "";
  if (SHELLS.has(base) && (argv[1] === "-c" || argv[1] === "-lc") && typeof argv[2] === "string")
    return { argv, shellText: argv[2] };
  return { argv };
}

/** The hash an approval is bound to: argv, cwd and env exactly. */
export function runBindingHash(
  argv: string[],
  cwd: string | undefined,
  env: Record<string, string> | undefined,
): string {
  const envEntries = Object.entries(env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return hashText(JSON.stringify({ argv, cwd: cwd ?? null, env: envEntries }));
}
