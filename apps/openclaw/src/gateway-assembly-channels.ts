import type { GatewayChannels, JsonObject, Logger } from "@openclaw/gateway";
import { GatewayMethodError, MISSING_PROVIDER_REPLY } from "@openclaw/gateway";

type EnqueueInput = { text: string; sessionKey?: string };
export type Enqueuing = {
  enqueue(input: EnqueueInput): Promise<{ payloads: { text: string }[]; status?: string }>;
};

const LOADERS: Record<string, () => Promise<unknown>> = {
  telegram: async () => (await import("@openclaw/channels-telegram")).telegram,
  discord: async () => (await import("@openclaw/channels-discord")).discord,
  slack: async () => (await import("@openclaw/channels-slack")).slack,
};

type ChannelBlocks = Record<
  string,
  ({ enabled?: boolean; accounts?: Record<string, unknown> } & Record<string, unknown>) | undefined
>;

/** The enabled `channels.<id>` entries a plugin package exists for. */
function configuredIds(config: Record<string, unknown>): string[] {
  return Object.entries((config.channels ?? {}) as ChannelBlocks)
    .filter(([id, value]) => id !== "defaults" && value?.enabled !== false && LOADERS[id])
    .map(([id]) => id);
}

export interface ChannelRuntime {
  channels: GatewayChannels;
  /** Channel ids whose plugin this runtime loaded. */
  pluginIds: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Start/stop accounts after a config change (core's channel manager `reload()`). */
  reload(): Promise<void>;
}

/**
 * Channels for the configured `channels.<id>` entries only (each plugin package is imported only
 * when configured), behind core's channel manager and its gateway methods.
 */
export async function createChannels(options: {
  config: () => Record<string, unknown>;
  stateDir: string;
  /** The assistant, or how to get it (created on demand: only when a channel is configured). */
  assistant: Enqueuing | undefined | (() => Promise<Enqueuing | undefined>);
  logger: Logger;
}): Promise<ChannelRuntime | undefined> {
  const configured = configuredIds(options.config());
  if (!configured.length) return undefined;
  const given = typeof options.assistant === "function" ? await options.assistant() : options.assistant;
  const core = await import("@openclaw/core");
  const plugins: unknown[] = [];
  for (const id of configured) {
    try {
      plugins.push(await LOADERS[id]!());
    } catch (error) {
      options.logger.error(
        { channel: id, err: error instanceof Error ? error.message : String(error) },
        "channel plugin failed to load",
      );
    }
  }
  // without a model provider every inbound message gets the explanation, never silence
  const assistant: Enqueuing = given ?? {
    enqueue: async () => ({ payloads: [{ text: MISSING_PROVIDER_REPLY }] }),
  };
  const log =
    (level: "debug" | "info" | "warn" | "error") => (message: string, data?: Record<string, unknown>) =>
      options.logger[level]({ ...data, component: "channels" }, message);
  const manager = core.createChannelManager({
    plugins,
    getConfig: () => options.config() as never,
    stateDir: options.stateDir,
    assistant: core.assistantForChannels(assistant as never),
    logger: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
  });
  return {
    channels: core.channelGatewayMethods(manager),
    pluginIds: configured,
    start: () => manager.start(),
    stop: () => manager.stop(),
    reload: () => manager.reload(),
  };
}

/** What a config change did to the channels. */
export type ChannelsApplied = "unchanged" | "started" | "reloaded" | "restarted" | "stopped";

const withoutEnabled = (value: unknown): string => {
  if (typeof value !== "object" || value === null) return JSON.stringify(value ?? null);
  const { enabled: _enabled, accounts: _accounts, ...rest } = value as Record<string, unknown>;
  return JSON.stringify(rest);
};

/**
 * Does going from `before` to `after` change the settings of an account that may be running?
 * Toggling `enabled`, adding or removing accounts or whole channels does not: core's
 * `reload()` starts and stops accounts. Anything else (a new token, another apiRoot, a policy)
 * needs the accounts restarted with the new settings.
 */
export function channelSettingsChanged(before: ChannelBlocks, after: ChannelBlocks): boolean {
  for (const id of Object.keys(before)) {
    if (!(id in after)) continue;
    if (id === "defaults") {
      if (JSON.stringify(before[id]) !== JSON.stringify(after[id])) return true;
      continue;
    }
    if (withoutEnabled(before[id]) !== withoutEnabled(after[id])) return true;
    const accountsBefore = before[id]?.accounts ?? {};
    const accountsAfter = after[id]?.accounts ?? {};
    for (const accountId of Object.keys(accountsBefore))
      if (
        accountId in accountsAfter &&
        withoutEnabled(accountsBefore[accountId]) !== withoutEnabled(accountsAfter[accountId])
      )
        return true;
  }
  return false;
}

/**
 * The channels of a running gateway across config edits. The gateway gets `channels`, a stable
 * front that delegates to the current runtime; `apply(config)` follows `channels.*` edits without
 * restarting the gateway: accounts added/removed/enabled/disabled → core's `reload()`; a channel
 * whose plugin is not loaded yet, or changed settings of an account → the channel runtime is
 * rebuilt (channels restart, the gateway and its clients stay).
 */
export function createChannelHost(options: {
  config: () => Record<string, unknown>;
  stateDir: string;
  assistant: Enqueuing | undefined | (() => Promise<Enqueuing | undefined>);
  logger: Logger;
}): {
  channels: GatewayChannels;
  start(): Promise<void>;
  stop(): Promise<void>;
  apply(config: Record<string, unknown>): Promise<ChannelsApplied>;
} {
  let runtime: ChannelRuntime | undefined;
  let started = false;
  let applied: ChannelBlocks = {};
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = queue.then(task, task);
    queue = next.catch(() => undefined);
    return next;
  };
  const unavailable = (what: string): never => {
    throw new GatewayMethodError({
      code: "UNAVAILABLE",
      message: `${what} is not available on this gateway (no channel is configured)`,
      retryable: false,
    });
  };
  const build = async (): Promise<void> => {
    try {
      runtime = await createChannels(options);
      await runtime?.start();
    } catch (error) {
      options.logger.error(
        { err: error instanceof Error ? error.message : String(error) },
        "channels failed to start",
      );
    }
  };
  const snapshotBlocks = (config: Record<string, unknown>): ChannelBlocks =>
    JSON.parse(JSON.stringify(config.channels ?? {})) as ChannelBlocks;

  return {
    channels: {
      status: async (params) =>
        runtime
          ? runtime.channels.status(params)
          : { ts: Date.now(), channels: {}, channelOrder: [], channelLabels: {} },
      logout: async (params) => (runtime ?? unavailable("channels")).channels.logout(params),
      send: async (params) => (runtime ?? unavailable("channel delivery")).channels.send(params),
    },
    start: () =>
      serial(async () => {
        if (started) return;
        started = true;
        applied = snapshotBlocks(options.config());
        await build();
      }),
    stop: () =>
      serial(async () => {
        started = false;
        await runtime?.stop().catch(() => undefined);
        runtime = undefined;
      }),
    apply: (config) =>
      serial(async (): Promise<ChannelsApplied> => {
        if (!started) return "unchanged";
        const next = snapshotBlocks(config);
        if (JSON.stringify(next) === JSON.stringify(applied)) return "unchanged";
        const before = applied;
        applied = next;
        const wanted = configuredIds(config);
        let outcome: ChannelsApplied;
        if (!runtime) {
          await build();
          outcome = runtime ? "started" : "unchanged";
        } else if (!Object.keys(next).some((id) => id !== "defaults" && LOADERS[id])) {
          // no channel left in the config (a disabled one stays loaded and visible in status)
          await runtime.stop().catch(() => undefined);
          runtime = undefined;
          outcome = "stopped";
        } else if (
          wanted.some((id) => !runtime!.pluginIds.includes(id)) ||
          channelSettingsChanged(before, next)
        ) {
          await runtime.stop().catch(() => undefined);
          runtime = undefined;
          await build();
          outcome = "restarted";
        } else {
          await runtime.reload();
          outcome = "reloaded";
        }
        options.logger.info({ component: "channels", outcome }, "channels config change applied");
        return outcome;
      }),
  };
}
