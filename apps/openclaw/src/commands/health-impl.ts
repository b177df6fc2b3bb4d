import { type ClientFlags, print, resolveTarget } from "./gateway-local.js";
import { callGateway, runClient } from "./gateway-rpc.js";

interface Health {
  ok?: boolean;
  durationMs?: number;
  channels?: Record<
    string,
    { configured?: boolean; running?: boolean; connected?: boolean; lastError?: string }
  >;
  sessions?: { count?: number; recent?: { key: string; updatedAt?: number }[] };
  eventLoop?: { delayP99Ms?: number; utilization?: number; degraded?: boolean };
  defaultAgentId?: string;
}

/** `openclaw health [--json] [--verbose]` (also `openclaw gateway health`). */
export async function healthCommand(flags: ClientFlags & { verbose?: boolean }): Promise<void> {
  await runClient(async () => {
    const target = resolveTarget(flags);
    const started = performance.now();
    const health = await callGateway<Health>(target, "health");
    const ms = Math.round(performance.now() - started);
    if (flags.json) {
      print(JSON.stringify(health, null, 2));
    } else {
      const channels = Object.entries(health.channels ?? {});
      const lines = [
        `Gateway: ${health.ok ? "ok" : "degraded"} (${target.url}, ${ms} ms)`,
        `Channels: ${channels.length ? channels.map(([id, state]) => `${id} ${state.connected || state.running ? "ok" : (state.lastError ?? "down")}`).join(", ") : "none configured"}`,
        `Sessions: ${health.sessions?.count ?? 0}`,
      ];
      if (flags.verbose) {
        lines.push(`Default agent: ${health.defaultAgentId ?? "main"}`);
        if (health.eventLoop) {
          lines.push(
            `Event loop: p99 delay ${health.eventLoop.delayP99Ms} ms, utilization ${health.eventLoop.utilization}${health.eventLoop.degraded ? " (degraded)" : ""}`,
          );
        }
        for (const session of health.sessions?.recent ?? [])
          lines.push(
            `  session ${session.key}${session.updatedAt ? ` · ${new Date(session.updatedAt).toISOString()}` : ""}`,
          );
      }
      print(lines.join("\n"));
    }
    if (!health.ok) process.exitCode = 1;
  });
}
