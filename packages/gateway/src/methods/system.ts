import type { MethodResult } from "@openclaw/protocol";
import type { GatewayRuntime } from "../gateway.js";
import { tailLogFile } from "../logging.js";
import type { GatewayMethodContext, GatewayMethods } from "./context.js";

type Health = MethodResult<"health">;
type JsonObject = Record<string, unknown>;

/** The last health summary per gateway: answered again for a second (hello-ok, polling UIs). */
const healthCache = new WeakMap<GatewayRuntime, { at: number; value: Health }>();

async function health(ctx: GatewayMethodContext): Promise<Health> {
  const runtime = ctx.gateway;
  const started = Date.now();
  const cached = healthCache.get(runtime);
  if (cached && started - cached.at < 1000) return cached.value;
  let channelMap: JsonObject = {};
  try {
    if (runtime.options.channels)
      channelMap = (await runtime.options.channels.status({ probe: false })).channels;
  } catch {
    channelMap = {};
  }
  let sessions: { count: number; recent: { key: string; updatedAt: unknown }[] } = { count: 0, recent: [] };
  try {
    if (runtime.options.assistant) {
      const listed = await ctx.call("sessions.list", { limit: 5 });
      const rows = listed.sessions;
      sessions = {
        count: listed.count ?? rows.length,
        recent: rows.map((row) => ({ key: row.key, updatedAt: row.updatedAt })),
      };
    }
  } catch {
    // health stays answerable when the session store is not
  }
  const value: Health = {
    ok: true,
    ts: started,
    durationMs: Date.now() - started,
    configReload: { hotReloadStatus: "active" },
    channels: channelMap,
    channelOrder: Object.keys(channelMap),
    channelLabels: Object.fromEntries(Object.keys(channelMap).map((id) => [id, id])),
    heartbeatSeconds: 1800,
    defaultAgentId: "main",
    agents: [{ agentId: "main", isDefault: true, sessions }],
    sessions,
    eventLoop: runtime.eventLoop(),
  };
  healthCache.set(runtime, { at: started, value });
  runtime.stateVersion.health += 1;
  return value;
}

/** health, status, logs.tail, system-presence, last-heartbeat: the gateway's own view of itself. */
export const systemMethods = {
  health: async (_params, ctx) => health(ctx),

  status: async (_params, ctx) => {
    const runtime = ctx.gateway;
    const address = runtime.address();
    const open = [...runtime.connections.values()].filter((conn) => conn.state === "open");
    let channelSummary: unknown[] = [];
    try {
      if (runtime.options.channels) {
        const status = await runtime.options.channels.status({ probe: false });
        channelSummary = Object.entries(status.channels).map(([id, value]) => ({
          id,
          ...(typeof value === "object" && value !== null ? value : {}),
        }));
      }
    } catch {
      channelSummary = [];
    }
    return {
      runtimeVersion: runtime.version,
      gateway: {
        url: address?.url,
        port: address?.port,
        bind: address?.host,
        authMode: runtime.currentAuth().mode,
        pid: process.pid,
        uptimeMs: Date.now() - runtime.startedAt,
        connections: open.length,
        configPath: runtime.options.config.path,
        stateDir: runtime.options.stateDir,
        logFile: runtime.logFile,
      },
      heartbeat: { defaultAgentId: "main", agents: [{ agentId: "main", enabled: false }] },
      channelSummary,
      queuedSystemEvents: [],
      memory: { rssBytes: process.memoryUsage.rss() },
    };
  },

  "logs.tail": async (params, ctx) => {
    const file = ctx.gateway.logFile;
    if (!file) return { file: "", cursor: 0, size: 0, lines: [] };
    return { ...tailLogFile(file, params) };
  },

  "system-presence": async (_params, ctx) => ctx.gateway.presence(),

  /** Until heartbeats run there is none; a capability that runs them answers this instead. */
  "last-heartbeat": async () => null,
} satisfies GatewayMethods;
