import { scopeAllows } from "@openclaw/protocol/base";
import { assertCanGrant } from "./authority.js";
import { getPath } from "./config-store.js";
import { publicDevice } from "./devices.js";
import type { Connection, GatewayRuntime } from "./gateway.js";
import { tailLogFile } from "./logging.js";
import type { GatewayAssistant, JsonObject } from "./types.js";
import { GatewayMethodError } from "./types.js";

export type Handler = (conn: Connection, params: JsonObject) => Promise<unknown>;

function unavailable(what: string): never {
  throw new GatewayMethodError({
    code: "UNAVAILABLE",
    message: `${what} is not available on this gateway`,
    retryable: false,
  });
}

/** The method table: every handler gets validated params; the policy check already ran. */
export function createHandlers(
  runtime: GatewayRuntime,
  hooks: { revalidateAll(): void },
): Record<string, Handler> {
  const { options } = runtime;
  const assistant = (): GatewayAssistant => options.assistant ?? unavailable("the assistant");
  let lastHealthAt = 0;
  let lastHealth: JsonObject | undefined;

  async function health(): Promise<JsonObject> {
    const started = Date.now();
    if (lastHealth && started - lastHealthAt < 1000) return lastHealth;
    let channels: JsonObject = {};
    try {
      channels = options.channels ? ((await options.channels.status({ probe: false })) as JsonObject) : {};
    } catch {
      channels = {};
    }
    const channelMap = (channels.channels as JsonObject | undefined) ?? {};
    let sessions: JsonObject = { count: 0, recent: [] };
    try {
      if (options.assistant) {
        const listed = await options.assistant.sessionsList({ limit: 5 });
        const rows = (listed.sessions as JsonObject[] | undefined) ?? [];
        sessions = {
          count: typeof listed.count === "number" ? listed.count : rows.length,
          recent: rows.map((row) => ({ key: row.key, updatedAt: row.updatedAt })),
        };
      }
    } catch {
      // health stays answerable when the session store is not
    }
    const value: JsonObject = {
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
    lastHealth = value;
    lastHealthAt = started;
    runtime.stateVersion.health += 1;
    return value;
  }

  function configPayload(conn?: Connection): JsonObject {
    const snapshot = options.config.snapshot();
    const full = !conn || scopeAllows(conn.scopes, "operator.admin");
    return {
      path: snapshot.path,
      exists: snapshot.exists,
      raw: full ? snapshot.raw : snapshot.raw === null ? null : "[redacted: needs operator.admin]",
      config: full ? snapshot.config : redactSecrets(snapshot.config),
      hash: snapshot.hash,
      valid: snapshot.valid,
      ...(snapshot.issues ? { issues: snapshot.issues } : {}),
    };
  }

  /** Config writes: a refused write (bad JSON5, invalid config, stale baseHash) is INVALID_REQUEST. */
  const configWrite =
    (handler: Handler): Handler =>
    async (conn, params) => {
      try {
        return await handler(conn, params);
      } catch (error) {
        if (error instanceof GatewayMethodError) throw error;
        throw new GatewayMethodError({
          code: "INVALID_REQUEST",
          message: error instanceof Error ? error.message : String(error),
          details: { code: "INVALID_PARAMS" },
        });
      }
    };

  const handlers: Record<string, Handler> = {
    health: async () => health(),
    status: async () => {
      const address = runtime.address();
      const open = [...runtime.connections.values()].filter((conn) => conn.state === "open");
      let channelSummary: unknown[] = [];
      try {
        if (options.channels) {
          const status = await options.channels.status({ probe: false });
          channelSummary = Object.entries((status.channels as JsonObject | undefined) ?? {}).map(
            ([id, value]) => ({ id, ...(value as JsonObject) }),
          );
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
          configPath: options.config.path,
          stateDir: options.stateDir,
          logFile: runtime.logFile,
        },
        heartbeat: { defaultAgentId: "main", agents: [{ agentId: "main", enabled: false }] },
        channelSummary,
        queuedSystemEvents: [],
        memory: { rssBytes: process.memoryUsage.rss() },
      };
    },
    "logs.tail": async (_conn, params) => {
      const file = runtime.logFile;
      if (!file) return { file: null, cursor: 0, size: 0, lines: [] };
      return tailLogFile(file, params as { cursor?: number; limit?: number; maxBytes?: number });
    },
    "system-presence": async () => runtime.presence(),
    "last-heartbeat": async () =>
      options.assistant?.lastHeartbeat ? options.assistant.lastHeartbeat() : null,
    wake: async (_conn, params) => {
      if (!options.assistant?.wake) unavailable("wake");
      return options.assistant.wake(params);
    },
    "config.get": async (conn) => configPayload(conn),
    "config.schema": async () => ({ schema: await options.config.schema() }),
    "config.set": configWrite(async (_conn, params) => {
      await options.config.set(params.raw as string, params.baseHash as string | undefined);
      hooks.revalidateAll();
      return { ok: true, ...configPayload() };
    }),
    "config.patch": configWrite(async (_conn, params) => {
      let patch = params.patch as JsonObject | undefined;
      if (!patch && typeof params.raw === "string") {
        const JSON5 = (await import("json5")).default;
        patch = JSON5.parse(params.raw) as JsonObject;
      }
      if (!patch || typeof patch !== "object") {
        throw new GatewayMethodError({
          code: "INVALID_REQUEST",
          message: "config.patch needs params.patch (object) or params.raw",
        });
      }
      await options.config.patch(patch, params.baseHash as string);
      hooks.revalidateAll();
      return { ok: true, ...configPayload() };
    }),
    "config.apply": configWrite(async (_conn, params) => {
      await options.config.set(params.raw as string, params.baseHash as string | undefined);
      hooks.revalidateAll();
      const restartDelayMs = typeof params.restartDelayMs === "number" ? params.restartDelayMs : 2000;
      return {
        ok: true,
        restart: {
          scheduled: false,
          delayMs: restartDelayMs,
          mode: getPath(runtime.config(), "gateway.reload.mode") ?? "hybrid",
        },
        ...configPayload(),
      };
    }),
    "sessions.list": async (_conn, params) => assistant().sessionsList(params),
    "sessions.preview": async (_conn, params) => assistant().sessionsPreview(params),
    "sessions.patch": async (_conn, params) => assistant().sessionsPatch(params),
    "sessions.reset": async (_conn, params) => assistant().sessionsReset(params),
    "sessions.delete": async (_conn, params) => assistant().sessionsDelete(params),
    "sessions.compact": async (_conn, params) => assistant().sessionsCompact(params),
    "chat.send": async (_conn, params) => assistant().chatSend(params),
    "chat.history": async (_conn, params) => assistant().chatHistory(params),
    "chat.abort": async (_conn, params) => assistant().chatAbort(params),
    "chat.inject": async (_conn, params) => assistant().chatInject(params),
    agent: async (_conn, params) => assistant().agent(params),
    "agent.wait": async (_conn, params) => assistant().agentWait(params),
    "models.list": async (_conn, params) => assistant().modelsList(params),
    send: async (_conn, params) => (options.channels ?? unavailable("channel delivery")).send(params),
    "channels.status": async (_conn, params) =>
      options.channels
        ? options.channels.status(params as { probe?: boolean; timeoutMs?: number })
        : { channels: {}, ts: Date.now() },
    "channels.logout": async (_conn, params) => (options.channels ?? unavailable("channels")).logout(params),
    "device.pair.list": async () => ({
      pending: Object.values(runtime.devices.pending()),
      paired: Object.values(runtime.devices.paired()).map(publicDevice),
    }),
    "device.pair.approve": async (conn, params) => {
      const asked = runtime.devices.pending()[params.requestId as string];
      if (asked) assertCanGrant(conn.scopes, asked.scopes, "approve a pairing request");
      const device = runtime.devices.approve(params.requestId as string);
      if (!device) throw notFound(`unknown pairing request: ${params.requestId}`);
      runtime.broadcast("device.pair.resolved", {
        requestId: params.requestId,
        deviceId: device.deviceId,
        decision: "approved",
        ts: Date.now(),
      });
      return { requestId: params.requestId, device: publicDevice(device) };
    },
    "device.pair.reject": async (_conn, params) => {
      const request = runtime.devices.reject(params.requestId as string);
      if (!request) throw notFound(`unknown pairing request: ${params.requestId}`);
      runtime.broadcast("device.pair.resolved", {
        requestId: params.requestId,
        deviceId: request.deviceId,
        decision: "rejected",
        ts: Date.now(),
      });
      return { requestId: params.requestId, deviceId: request.deviceId };
    },
    "device.pair.remove": async (_conn, params) => {
      const device = runtime.devices.remove(params.deviceId as string);
      if (!device) throw notFound(`unknown device: ${params.deviceId}`);
      runtime.closeWhere((conn) => conn.deviceId === device.deviceId, "unauthorized: device removed");
      return { deviceId: device.deviceId, removedAtMs: Date.now() };
    },
    "device.token.rotate": async (conn, params) => {
      const target = runtime.devices.get(params.deviceId as string);
      const scopes =
        (params.scopes as string[] | undefined) ??
        target?.tokens?.[params.role as string]?.scopes ??
        target?.scopes ??
        [];
      assertCanGrant(conn.scopes, scopes, "issue a device token");
      const record = runtime.devices.rotateToken(
        params.deviceId as string,
        params.role as string,
        params.scopes as string[] | undefined,
      );
      if (!record) throw notFound(`unknown device: ${params.deviceId}`);
      hooks.revalidateAll();
      return {
        deviceId: params.deviceId,
        role: record.role,
        token: record.token,
        scopes: record.scopes,
        rotatedAtMs: record.rotatedAtMs,
      };
    },
    "device.token.revoke": async (_conn, params) => {
      const record = runtime.devices.revokeToken(params.deviceId as string, params.role as string);
      if (!record) throw notFound(`no ${params.role} token for device ${params.deviceId}`);
      hooks.revalidateAll();
      return { deviceId: params.deviceId, role: record.role, revokedAtMs: record.revokedAtMs };
    },
  };
  return handlers;
}

function notFound(message: string): GatewayMethodError {
  return new GatewayMethodError({ code: "INVALID_REQUEST", message, details: { code: "INVALID_PARAMS" } });
}

const SECRET_KEY = /(token|password|secret|apikey|api_key|privatekey|credential)s?$/i;

/** A copy of a config with every secret-looking value replaced by "[redacted]". */
export function redactSecrets(value: unknown): JsonObject {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== "object" || node === null) return node;
    return Object.fromEntries(
      Object.entries(node as JsonObject).map(([key, child]) => [
        key,
        SECRET_KEY.test(key) && child !== null && typeof child !== "object" ? "[redacted]" : walk(child),
      ]),
    );
  };
  return walk(value) as JsonObject;
}
