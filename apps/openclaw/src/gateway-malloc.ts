/**
 * glibc malloc tunables for the gateway's own image, never for what it runs.
 *
 * After a burst of work, glibc's allocator keeps the memory V8 and Node freed in its arenas (RSS
 * counts it until reused): one arena, and trimming / mmap above 128 KB, give most of it back. glibc
 * reads these variables once, when the process starts, so the CLI puts them in the environment of
 * the re-executed gateway image (`process.execve`), and that image removes them from
 * `process.env` before anything else runs: the commands, tools and channel daemons the gateway
 * starts inherit the environment the user gave it, not these. A variable the user set themselves is
 * left alone (theirs wins, and it is inherited as before).
 */

export const GATEWAY_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: "1",
  MALLOC_TRIM_THRESHOLD_: "131072",
  MALLOC_MMAP_THRESHOLD_: "131072",
};

/** Names the CLI added for the gateway image (comma-separated), so that image can remove them. */
export const GATEWAY_MALLOC_MARKER = "OPENCLAW_GATEWAY_MALLOC_ENV";

/** The environment for the re-executed gateway: `env` plus the tunables it does not set already. */
export function withGatewayMallocEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const added = Object.keys(GATEWAY_MALLOC_ENV).filter((name) => env[name] === undefined);
  if (added.length === 0) return env;
  const next: NodeJS.ProcessEnv = { ...env, [GATEWAY_MALLOC_MARKER]: added.join(",") };
  for (const name of added) next[name] = GATEWAY_MALLOC_ENV[name];
  return next;
}

/** In the gateway image: remove the tunables the CLI added (glibc has read them already). */
export function dropGatewayMallocEnv(env: NodeJS.ProcessEnv): void {
  const added = env[GATEWAY_MALLOC_MARKER];
  if (added === undefined) return;
  delete env[GATEWAY_MALLOC_MARKER];
  for (const name of added.split(","))
    if (Object.hasOwn(GATEWAY_MALLOC_ENV, name) && env[name] === GATEWAY_MALLOC_ENV[name]) delete env[name];
}
