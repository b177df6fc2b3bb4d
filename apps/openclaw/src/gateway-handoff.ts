import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { LoadedConfig } from "@openclaw/core/config/store";

/**
 * The config `openclaw gateway` loads and validates *before* it re-executes itself with the
 * gateway's V8 flags (cli.ts), handed to the re-executed image so that the long-running process
 * never loads the validation code (zod and the config schema: ~10 MB resident) unless an edit
 * needs it. Same pid on both sides (`process.execve`), a 0600 file in the state dir named after
 * that pid, removed as soon as it is read. Anything unexpected ⇒ no handoff: the gateway simply
 * loads the config itself.
 */
export interface GatewayHandoff {
  pid: number;
  loaded: LoadedConfig;
  /** The token written into gateway.auth.token by this start (first start on loopback). */
  generatedToken?: string;
}

export const HANDOFF_ENV = "OPENCLAW_GATEWAY_HANDOFF";

export function handoffPath(stateDir: string, pid = process.pid): string {
  return join(stateDir, `.gateway-handoff-${pid}.json`);
}

/** Read and remove the handoff meant for this process, if any (stage 2). */
export function takeHandoff(
  stateDir: string,
  env: NodeJS.ProcessEnv = process.env,
): GatewayHandoff | undefined {
  const given = env[HANDOFF_ENV];
  delete env[HANDOFF_ENV];
  if (!given) return undefined;
  const expected = handoffPath(stateDir);
  // only our own file: in our state dir, named after our pid
  if (given !== expected) return undefined;
  try {
    const data = JSON.parse(readFileSync(expected, "utf8")) as GatewayHandoff;
    return data.pid === process.pid && data.loaded && typeof data.loaded.hash === "string" ? data : undefined;
  } catch {
    return undefined;
  } finally {
    rmSync(expected, { force: true });
  }
}
