import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { MethodResult } from "@openclaw/protocol";
import type { GatewayRuntime } from "../gateway.js";
import { tailLogFile } from "../logging.js";
import { withSerialized } from "../serialized.js";
import type { GatewayMethodContext, GatewayMethods } from "./context.js";
import { sessionDefaultsOf } from "./session-defaults.js";

type Health = MethodResult<"health">;
type JsonObject = Record<string, unknown>;

/** The last health summary per gateway: answered again for a second (hello-ok, polling UIs). */
const healthCache = new WeakMap<GatewayRuntime, { at: number; value: Health }>();
/** The summary being built: calls that arrive meanwhile wait for it instead of building their own. */
const healthBuilding = new WeakMap<GatewayRuntime, Promise<Health>>();

/** `30m`, `1h`, `90s`, `2d` → ms (null when unparsable). */
function durationMs(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? "m"]!;
  return Math.round(Number(match[1]) * unit);
}

function heartbeatOf(config: JsonObject) {
  const defaults = ((config.agents ?? {}) as JsonObject).defaults as JsonObject | undefined;
  const heartbeat = (defaults?.heartbeat ?? {}) as JsonObject;
  const every = typeof heartbeat.every === "string" ? heartbeat.every : "30m";
  return {
    // this gateway does not run heartbeats yet (docs/cli.md)
    enabled: false,
    every,
    everyMs: durationMs(every),
    prompt: typeof heartbeat.prompt === "string" ? heartbeat.prompt : "",
    target: typeof heartbeat.target === "string" ? heartbeat.target : "none",
    ackMaxChars: typeof heartbeat.ackMaxChars === "number" ? heartbeat.ackMaxChars : 300,
  };
}

/**
 * The most recent sessions for a summary (`health`, `status`) without creating core's assistant:
 * through `sessions.list` once it runs (or for an in-memory assistant), else from the default
 * agent's session index on disk. Throws when neither can be read.
 */
async function recentSessions(
  ctx: GatewayMethodContext,
  path: string,
  limit: number,
): Promise<{ path: string; count: number; rows: { key: string; updatedAt: number | null }[] }> {
  const assistant = ctx.gateway.options.assistant;
  const updatedAtOf = (value: unknown) => (typeof value === "number" ? value : null);
  if (!assistant) return { path, count: 0, rows: [] };
  if (!assistant.get || assistant.running?.()) {
    const listed = await ctx.call("sessions.list", { limit });
    const rows = listed.sessions.map((row) => ({ key: row.key, updatedAt: updatedAtOf(row.updatedAt) }));
    return { path: listed.path || path, count: listed.count ?? rows.length, rows };
  }
  let index: unknown;
  try {
    index = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { path, count: 0, rows: [] };
    throw error;
  }
  const entries = typeof index === "object" && index !== null ? Object.entries(index) : [];
  const rows = entries
    .map(([key, entry]) => ({
      key,
      updatedAt:
        typeof entry === "object" && entry !== null ? updatedAtOf(Reflect.get(entry, "updatedAt")) : null,
    }))
    .sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0))
    .slice(0, limit);
  return { path, count: entries.length, rows };
}

/** The cached summary (at most a second old), else one build shared by every call meanwhile. */
async function health(ctx: GatewayMethodContext): Promise<Health> {
  const runtime = ctx.gateway;
  const cached = healthCache.get(runtime);
  if (cached && Date.now() - cached.at < 1000) return cached.value;
  let building = healthBuilding.get(runtime);
  if (!building) {
    building = buildHealth(ctx).finally(() => healthBuilding.delete(runtime));
    healthBuilding.set(runtime, building);
  }
  return building;
}

async function buildHealth(ctx: GatewayMethodContext): Promise<Health> {
  const runtime = ctx.gateway;
  const started = Date.now();
  let channelMap: JsonObject = {};
  try {
    if (runtime.options.channels)
      channelMap = (await runtime.options.channels.status({ probe: false })).channels;
  } catch {
    channelMap = {};
  }
  const config = runtime.config();
  const defaults = sessionDefaultsOf(config);
  let sessions: {
    path: string;
    count: number;
    recent: { key: string; updatedAt: number | null; age: number | null }[];
  } = {
    path: join(runtime.options.stateDir, "agents", defaults.defaultAgentId, "sessions", "sessions.json"),
    count: 0,
    recent: [],
  };
  try {
    const listed = await recentSessions(ctx, sessions.path, 5);
    sessions = {
      path: listed.path,
      count: listed.count,
      recent: listed.rows.map(({ key, updatedAt }) => ({
        key,
        updatedAt,
        age: updatedAt === null ? null : Math.max(0, started - updatedAt),
      })),
    };
  } catch {
    // health stays answerable when the session store is not
  }
  const heartbeat = heartbeatOf(config);
  const value: Health = {
    ok: true,
    ts: started,
    durationMs: Date.now() - started,
    configReload: { hotReloadStatus: "active" },
    channels: channelMap,
    channelOrder: Object.keys(channelMap),
    channelLabels: Object.fromEntries(Object.keys(channelMap).map((id) => [id, id])),
    heartbeatSeconds: Math.round((heartbeat.everyMs ?? 1_800_000) / 1000),
    defaultAgentId: defaults.defaultAgentId,
    agents: [{ agentId: defaults.defaultAgentId, isDefault: true, heartbeat, sessions }],
    sessions,
    eventLoop: runtime.eventLoop(),
  };
  // answered as is to every call for a second: its JSON text is built once (serialized.ts)
  healthCache.set(runtime, { at: started, value: withSerialized(value) });
  runtime.stateVersion.health += 1;
  return value;
}

/** `status.sessions` in OpenClaw's shape: totals, the most recent, and the same per agent. */
async function sessionsSummary(ctx: GatewayMethodContext, defaultAgentId: string) {
  const now = Date.now();
  const path = join(ctx.gateway.options.stateDir, "agents", defaultAgentId, "sessions", "sessions.json");
  let count = 0;
  let recent: { key: string; updatedAt: number | null; age: number | null }[] = [];
  try {
    const listed = await recentSessions(ctx, path, 10);
    count = listed.count;
    recent = listed.rows.map(({ key, updatedAt }) => ({
      key,
      updatedAt,
      age: updatedAt === null ? null : Math.max(0, now - updatedAt),
    }));
  } catch {
    // status stays answerable when the session store is not
  }
  return {
    paths: [path],
    count,
    defaults: { model: null, contextTokens: null },
    recent,
    byAgent: [{ agentId: defaultAgentId, path, count, recent }],
  };
}

/** health, status, logs.tail, system-presence, last-heartbeat: the gateway's own view of itself. */
export const systemMethods = {
  health: async (_params, ctx) => health(ctx),

  status: async (params, ctx) => {
    const runtime = ctx.gateway;
    const config = runtime.config();
    const defaults = sessionDefaultsOf(config);
    const heartbeat = heartbeatOf(config);
    const sessions = await sessionsSummary(ctx, defaults.defaultAgentId);
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
      heartbeat: {
        defaultAgentId: defaults.defaultAgentId,
        agents: [
          {
            agentId: defaults.defaultAgentId,
            enabled: heartbeat.enabled,
            every: heartbeat.every,
            everyMs: heartbeat.everyMs,
          },
        ],
      },
      channelSummary,
      queuedSystemEvents: [],
      // OpenClaw's `status --json` reads sessions.byAgent (it crashes without it)
      sessions,
      ...(params.includeCliProjection
        ? {
            cliProjection: {
              agents: {
                defaultId: defaults.defaultAgentId,
                ownership: "sole",
                selectionRequired: false,
                rows: [{ id: defaults.defaultAgentId }],
              },
            },
          }
        : {}),
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
