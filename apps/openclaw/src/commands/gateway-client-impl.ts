import {
  type ClientFlags,
  lastGatewayError,
  localPaths,
  logFileFor,
  print,
  readLocalConfig,
  readLock,
  resolveTarget,
} from "./gateway-local.js";
import { CliError, callGateway, openRpc, runClient } from "./gateway-rpc.js";

/** `openclaw gateway status`: service + runtime + RPC probe, in the runbook's words. */
export async function gatewayStatus(flags: ClientFlags): Promise<void> {
  await runClient(async () => {
    const paths = localPaths();
    const local = readLocalConfig(paths);
    const target = resolveTarget(flags);
    const lock = readLock(paths);
    const { serviceState } = await import("./gateway-service.js");
    const service = serviceState();
    const started = performance.now();
    let probe: { ok: boolean; ms: number; error?: string; version?: string } = { ok: false, ms: 0 };
    try {
      const session = await openRpc(target, ["operator.read"]);
      await session.call("health");
      probe = {
        ok: true,
        ms: Math.round(performance.now() - started),
        version: String((session.hello.server as { version?: string })?.version ?? ""),
      };
      await session.close();
    } catch (error) {
      probe = {
        ok: false,
        ms: Math.round(performance.now() - started),
        error: error instanceof Error ? error.message : String(error),
      };
    }
    const runtime = lock ? "running" : probe.ok ? "running (not started from this state dir)" : "stopped";
    const lastError = lastGatewayError(paths);
    const report = {
      service,
      configCli: local.path,
      configService: service.configPath,
      runtime,
      pid: lock?.pid,
      url: target.url,
      rpcProbe: probe.ok ? "ok" : "failed",
      probe,
      dashboard: target.httpUrl,
      logFile: logFileFor(local.config),
      lastError,
    };
    if (flags.json) {
      print(JSON.stringify(report, null, 2));
    } else {
      const lines = [
        `Service: ${service.manager} (${service.installed ? "installed" : "not installed"}${service.active === undefined ? "" : service.active ? ", active" : ", inactive"})`,
        `Config (cli): ${local.path}${local.exists ? "" : " (missing)"}`,
        ...(service.configPath
          ? [
              `Config (service): ${service.configPath}${service.configPath === local.path ? "" : " (not the CLI's: reinstall the service with `openclaw gateway install` from the state dir you use)"}`,
            ]
          : []),
        `Runtime: ${runtime}${lock ? ` (pid ${lock.pid})` : ""}`,
        `RPC probe: ${probe.ok ? `ok (${probe.ms} ms, ${target.url})` : `failed: ${probe.error}`}`,
        `Dashboard: ${target.httpUrl}`,
        `Logs: ${report.logFile}`,
      ];
      if (!probe.ok && lastError) lines.push(`Last gateway error: ${lastError}`);
      if (!probe.ok && !lock)
        lines.push("Start it with `openclaw gateway` (foreground) or `openclaw gateway start`.");
      print(lines.join("\n"));
    }
    if (!probe.ok) process.exitCode = 1;
  });
}

/** `openclaw gateway probe` */
export async function gatewayProbe(flags: ClientFlags): Promise<void> {
  await runClient(async () => {
    const target = resolveTarget(flags);
    const started = performance.now();
    const session = await openRpc(target, ["operator.read"]);
    const health = await session.call<Record<string, unknown>>("health");
    await session.close();
    const ms = Math.round(performance.now() - started);
    if (flags.json) print(JSON.stringify({ ok: true, url: target.url, ms, health }, null, 2));
    else print(`RPC probe: ok (${ms} ms, ${target.url})`);
  });
}

/** `openclaw gateway call <method> --params <json>` */
export async function gatewayCall(method: string, flags: ClientFlags & { params?: string }): Promise<void> {
  await runClient(async () => {
    let params: unknown;
    try {
      params = JSON.parse(flags.params ?? "{}");
    } catch (error) {
      throw new CliError(`invalid --params: ${error instanceof Error ? error.message : String(error)}`, 2);
    }
    const result = await callGateway(resolveTarget(flags), method, params);
    print(JSON.stringify(result, null, 2));
  });
}
