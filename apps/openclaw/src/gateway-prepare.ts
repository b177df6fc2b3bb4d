import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pidAlive } from "./commands/gateway-local.js";
import type { RunFlags } from "./commands/gateway-run.js";
import { type GatewayHandoff, HANDOFF_ENV, handoffPath } from "./gateway-handoff.js";

/**
 * Stage 1 of `openclaw gateway` (before the re-exec, see cli.ts): load and validate the config,
 * write the first-start token the way the gateway would (auth mode token, no secret, loopback
 * bind), and leave the result for the re-executed gateway (gateway-handoff.ts). Best effort:
 * any problem (an invalid config, a bind that needs auth…) leaves no handoff, and the gateway
 * reports it itself. Returns a cleanup for when the re-exec does not happen.
 */
export async function prepareGatewayHandoff(
  flags: RunFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<() => void> {
  const nothing = () => undefined;
  try {
    const [core, gateway] = await Promise.all([
      import("@openclaw/core/config"),
      import("@openclaw/gateway/auth"),
    ]);
    const paths = core.resolvePaths(env);
    mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
    mkdirSync(dirname(paths.configPath), { recursive: true, mode: 0o700 });
    sweepStaleHandoffs(paths.stateDir);
    const store = core.createConfigStore({ env });
    let snapshot = store.snapshot();
    if (!snapshot.valid || !snapshot.loaded) return nothing;
    let generatedToken: string | undefined;
    const overrides = {
      ...(flags.auth ? { mode: flags.auth as "token" | "password" | "none" } : {}),
      ...(flags.token ? { token: flags.token } : {}),
      ...(flags.password ? { password: flags.password } : {}),
    };
    const auth = gateway.resolveAuth(snapshot.config as never, overrides, env);
    const { host } = gateway.resolveListenHost(snapshot.config as never, {
      ...(flags.bind ? { bind: flags.bind as never } : {}),
    });
    const needsToken = gateway.needsGeneratedToken(auth, host);
    // token mode without a secret off loopback: the gateway refuses that start itself
    if (auth.mode === "token" && !auth.token && !needsToken) return nothing;
    if (needsToken) {
      generatedToken = gateway.generateGatewayToken();
      snapshot = await store.setPath("gateway.auth.token", generatedToken);
      if (!snapshot.loaded) return nothing;
    }
    store.close();
    const file = handoffPath(paths.stateDir);
    const handoff: GatewayHandoff = {
      pid: process.pid,
      loaded: snapshot.loaded as never,
      ...(generatedToken ? { generatedToken } : {}),
    };
    rmSync(file, { force: true });
    writeFileSync(file, JSON.stringify(handoff), { mode: 0o600, flag: "wx" });
    env[HANDOFF_ENV] = file;
    return () => {
      delete env[HANDOFF_ENV];
      rmSync(file, { force: true });
    };
  } catch {
    return nothing;
  }
}

/**
 * Handoffs hold the effective config (secrets included): one left behind by a start killed
 * between the two images (a few ms) is removed by the next start.
 */
function sweepStaleHandoffs(stateDir: string): void {
  for (const name of readdirSync(stateDir)) {
    const pid = /^\.gateway-handoff-(\d+)\.json$/.exec(name)?.[1];
    if (pid && Number(pid) !== process.pid && !pidAlive(Number(pid)))
      rmSync(join(stateDir, name), { force: true });
  }
}
