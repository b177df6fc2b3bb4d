import { availableParallelism, hostname, platform } from "node:os";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { PresenceEntry } from "@openclaw/protocol";
import type { Connection } from "./gateway.js";
import type { JsonObject } from "./types.js";

/** `system-presence`: the gateway itself, then each authenticated client. */
export function presenceEntries(
  self: { version: string; host: string | undefined; instanceId: string },
  connections: Iterable<Connection>,
): PresenceEntry[] {
  const gateway: PresenceEntry = {
    host: hostname(),
    ip: self.host,
    version: self.version,
    platform: `${platform()}`,
    mode: "gateway",
    reason: "self",
    instanceId: self.instanceId,
    text: `Gateway: ${hostname()} · app ${self.version} · mode gateway · reason self`,
    ts: Date.now(),
  };
  const clients = [...connections]
    .filter((conn) => conn.state === "open" && conn.client)
    .map((conn) => ({
      host: conn.client?.displayName ?? conn.client?.id,
      ip: conn.address,
      version: conn.client?.version,
      platform: conn.client?.platform,
      ...(conn.client?.deviceFamily ? { deviceFamily: conn.client.deviceFamily } : {}),
      mode: conn.client?.mode,
      reason: "connect",
      ...(conn.client?.instanceId ? { instanceId: conn.client.instanceId } : {}),
      ...(conn.deviceId ? { deviceId: conn.deviceId } : {}),
      roles: conn.role ? [conn.role] : [],
      scopes: [...conn.scopes],
      ts: conn.connectedAt,
    }));
  return [gateway, ...clients];
}

/** Event-loop delay and utilization for `health` (sampled while the gateway listens). */
export class EventLoopMonitor {
  private histogram: ReturnType<typeof monitorEventLoopDelay> | undefined;
  private elu = performance.eventLoopUtilization();
  private cpu = { usage: process.cpuUsage(), at: performance.now() };

  start(): void {
    this.histogram = monitorEventLoopDelay({ resolution: 20 });
    this.histogram.enable();
  }

  stop(): void {
    this.histogram?.disable();
  }

  /** Utilization since the previous call; delay percentiles since start. */
  snapshot(): JsonObject {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, this.elu);
    this.elu = now;
    const histogram = this.histogram;
    const p99 = histogram ? histogram.percentile(99) / 1e6 : 0;
    const max = histogram ? histogram.max / 1e6 : 0;
    const round = (value: number) => Math.round(value * 10) / 10;
    // CPU time of this process per wall-clock time and core since the previous call
    const usage = process.cpuUsage();
    const at = performance.now();
    const cpuMs = (usage.user + usage.system - this.cpu.usage.user - this.cpu.usage.system) / 1000;
    const cores = Math.max(1, availableParallelism());
    const cpuCoreRatio =
      at > this.cpu.at ? Math.round((cpuMs / (at - this.cpu.at) / cores) * 1000) / 1000 : 0;
    this.cpu = { usage, at };
    const degraded = p99 > 500;
    return {
      degraded,
      degradedSinceMs: null,
      reasons: degraded ? ["event_loop_delay"] : [],
      intervalMs: histogram ? 20 : 0,
      delayP99Ms: round(p99),
      delayMaxMs: round(Number.isFinite(max) ? max : 0),
      utilization: Math.round(delta.utilization * 1000) / 1000,
      cpuCoreRatio: Math.max(0, cpuCoreRatio),
    };
  }
}
