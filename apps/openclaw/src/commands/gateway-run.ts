import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BindMode } from "@openclaw/gateway";
import { get, localPaths, readLocalConfig, readLock } from "./gateway-local.js";

export interface RunFlags {
  port?: string;
  bind?: string;
  token?: string;
  password?: string;
  auth?: string;
  allowUnconfigured?: boolean;
  force?: boolean;
  verbose?: boolean;
  tailscale?: string;
}

const BINDS = ["loopback", "lan", "custom", "auto", "tailnet"];

function recordError(stateDir: string, message: string): void {
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(stateDir, "gateway-last-error.txt"), `${new Date().toISOString()} ${message}\n`, {
      mode: 0o600,
    });
  } catch {
    // best effort
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const { pidAlive } = await import("./gateway-local.js");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !pidAlive(pid);
}

/** `openclaw gateway [run]`: assemble, listen, print where to go next, then run until a signal. */
export async function runGateway(flags: RunFlags): Promise<void> {
  const paths = localPaths();
  const fail = (message: string) => {
    recordError(paths.stateDir, message);
    process.stderr.write(`openclaw gateway: ${message}\n`);
    process.exitCode = 1;
  };
  if (flags.tailscale && flags.tailscale !== "off") {
    process.stderr.write(
      "openclaw gateway --tailscale: not available yet in this version (lands with the remote-access issue)\n",
    );
    process.exitCode = 2;
    return;
  }
  if (flags.bind && !BINDS.includes(flags.bind)) {
    fail(`invalid --bind ${flags.bind} (expected one of ${BINDS.join(", ")})`);
    return;
  }
  const port = flags.port !== undefined ? Number(flags.port) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    fail(`invalid --port ${flags.port} (expected 0-65535)`);
    return;
  }
  if (flags.auth && !["token", "password", "none"].includes(flags.auth)) {
    fail(`invalid --auth ${flags.auth} (expected token, password or none)`);
    return;
  }
  const local = readLocalConfig(paths);
  if (local.exists && get(local.config, "gateway.mode") === "remote" && !flags.allowUnconfigured) {
    fail(
      "Gateway start blocked: set gateway.mode=local (this config points at a remote gateway) or pass --allow-unconfigured",
    );
    return;
  }
  if (flags.force) {
    const held = readLock(paths);
    if (held && held.pid !== process.pid) {
      process.kill(held.pid, "SIGTERM");
      if (!(await waitForExit(held.pid, 5000))) process.kill(held.pid, "SIGKILL");
    }
  }
  const { assembleGateway } = await import("../gateway-assembly.js");
  const auth = {
    ...(flags.auth ? { mode: flags.auth as "token" | "password" | "none" } : {}),
    ...(flags.token ? { token: flags.token } : {}),
    ...(flags.password ? { password: flags.password } : {}),
  };
  let assembled: Awaited<ReturnType<typeof assembleGateway>>;
  try {
    assembled = await assembleGateway({
      ...(port !== undefined ? { port } : {}),
      ...(flags.bind ? { bind: flags.bind as BindMode } : {}),
      ...(Object.keys(auth).length ? { auth } : {}),
      ...(flags.verbose ? { verbose: true } : {}),
    });
  } catch (error) {
    // an invalid config (or state dir) is a one-line start failure, recorded for `gateway status`
    const message = error instanceof Error ? error.message : String(error);
    fail(`${message.replace(/\n\s*/g, " ")} (fix it, or run \`openclaw doctor\`)`);
    return;
  }
  const { GatewayStartError } = await import("@openclaw/gateway");
  const start = async () => {
    const address = await assembled.gateway.listen();
    assembled
      .start()
      .catch((error: unknown) =>
        assembled.gateway.logger.error(
          { err: error instanceof Error ? error.message : String(error) },
          "channels failed to start",
        ),
      );
    const lines = [
      `OpenClaw gateway listening on ${address.url} (pid ${process.pid})`,
      `Dashboard: ${address.httpUrl}`,
      `Auth: ${assembled.gateway.generatedToken ? "token generated into gateway.auth.token" : "as configured"}; show the token with \`openclaw config get gateway.auth.token\``,
      `Config: ${assembled.configPath}`,
      `Logs: ${assembled.logFile}`,
    ];
    if (!assembled.provider) {
      lines.push(
        "No model provider configured yet: run `openclaw models auth paste-token --provider anthropic` (or set ANTHROPIC_API_KEY / OPENAI_API_KEY) and restart the gateway.",
      );
    }
    process.stdout.write(`${lines.join("\n")}\n`);
  };
  try {
    await start();
    rmSync(join(paths.stateDir, "gateway-last-error.txt"), { force: true });
  } catch (error) {
    await assembled.close();
    fail(
      error instanceof GatewayStartError || error instanceof Error
        ? error.message.replace(/\n\s*/g, " ")
        : String(error),
    );
    return;
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    await assembled.gateway.close({ reason: `gateway stopping (${signal})` });
    await assembled.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  let restarting = false;
  let unsubscribe: (() => void) | undefined;
  const restart = async (why: string) => {
    if (stopping || restarting) return;
    restarting = true;
    unsubscribe?.();
    assembled.gateway.logger.info({ why }, "restarting in-process");
    await assembled.gateway.close({ reason: "gateway restarting", restartExpectedMs: 1500 });
    await assembled.close();
    assembled = await assembleGateway({
      ...(port !== undefined ? { port } : {}),
      ...(flags.bind ? { bind: flags.bind as BindMode } : {}),
      ...(Object.keys(auth).length ? { auth } : {}),
      ...(flags.verbose ? { verbose: true } : {}),
    });
    try {
      await start();
      watchRestartKeys();
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
      process.exit(1);
    } finally {
      restarting = false;
    }
  };
  // hot reload (gateway.reload.mode hybrid|restart): keys that need a new listener restart in-process
  const watchRestartKeys = () => {
    let before = restartKeys(assembled.config());
    unsubscribe = assembled.onConfigChange((config) => {
      const after = restartKeys(config);
      const mode = (get(config, "gateway.reload.mode") as string | undefined) ?? "hybrid";
      if (after !== before && (mode === "hybrid" || mode === "restart"))
        void restart("config change needs a restart");
      else if (after !== before)
        assembled.gateway.logger.warn(
          { mode },
          "config change needs a gateway restart (reload mode keeps running)",
        );
      before = after;
    });
  };
  watchRestartKeys();
  process.on("SIGUSR1", () => void restart("SIGUSR1"));
  // keep running: the server holds the event loop open
}

/** The settings a running listener cannot change (a change restarts the gateway in-process). */
function restartKeys(config: Record<string, unknown>): string {
  return JSON.stringify([
    get(config, "gateway.port"),
    get(config, "gateway.bind"),
    get(config, "gateway.customBindHost"),
    get(config, "gateway.auth.mode"),
    get(config, "gateway.controlUi"),
    get(config, "gateway.http"),
    get(config, "gateway.tls"),
    get(config, "plugins"),
    get(config, "models"),
    // `channels.*` is applied live by the assembly (core's channel manager reload)
  ]);
}
