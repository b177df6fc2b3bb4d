import type { InboundAssistant } from "@openclaw/core/channels";
import type { PluginRegistry } from "@openclaw/core/plugins";
import type { GatewayChannels, JsonObject, Logger } from "@openclaw/gateway";
import { GatewayMethodError, MISSING_PROVIDER_REPLY } from "@openclaw/gateway";

type EnqueueInput = { text: string; sessionKey?: string };
export type Enqueuing = {
  enqueue(input: EnqueueInput): Promise<{ payloads: { text: string }[]; status?: string }>;
};

type ChannelBlocks = Record<
  string,
  ({ enabled?: boolean; accounts?: Record<string, unknown> } & Record<string, unknown>) | undefined
>;

/** The enabled `channels.<id>` entries (whether a plugin serves them is the registry's answer). */
function configuredIds(config: Record<string, unknown>): string[] {
  return Object.entries((config.channels ?? {}) as ChannelBlocks)
    .filter(([id, value]) => id !== "defaults" && value?.enabled !== false)
    .map(([id]) => id);
}

export interface ChannelRuntime {
  channels: GatewayChannels;
  /** Channel ids this runtime tried to load (loaded or failed: a failure is not retried on reload). */
  pluginIds: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Start/stop accounts after a config change (core's channel manager `reload()`). */
  reload(): Promise<void>;
}

export interface ChannelRuntimeOptions {
  config: () => Record<string, unknown>;
  stateDir: string;
  /**
   * The assistant, or how to get it: then it is created with the first channel message (or a
   * message recovered from the inbox), not by connecting the channels.
   */
  assistant: Enqueuing | undefined | (() => Promise<Enqueuing | undefined>);
  /** Tells when the assistant was created by something else (a chat): its unsolicited replies then reach the channels. */
  assistantCreated?: (listener: () => void) => void;
  logger: Logger;
  /** The plugin registry (default: bundled + installed + `plugins.load.paths`, opened on first need). */
  registry?: () => Promise<PluginRegistry>;
  /** Ready channel plugins instead of the registry's (tests, embedding apps). */
  plugins?: readonly unknown[];
}

/** A status row for a configured channel no loaded plugin serves, with the reason. */
function unservedChannel(id: string, registry: PluginRegistry | undefined): JsonObject {
  const reason = registry?.channelProblem(id) ?? "plugin not loaded";
  return {
    label: id,
    accounts: [
      {
        channel: id,
        accountId: "default",
        enabled: true,
        configured: false,
        running: false,
        connected: false,
        lastError: reason,
        lastInboundAt: null,
        lastOutboundAt: null,
        received: 0,
        sent: 0,
        dropped: {},
      },
    ],
  };
}

const missingProvider: Enqueuing = {
  enqueue: async () => ({ payloads: [{ text: MISSING_PROVIDER_REPLY }] }),
};

/**
 * The pipeline's assistant, created on the first turn instead of at start: connected channels do
 * not hold core's agent runtime, the providers and their schemas while no message came. Reply
 * subscriptions made before it exists are attached when it is created (by a message, or by
 * `created`: anything else that created it, such as a chat).
 */
function lazyInboundAssistant(
  get: () => Promise<Enqueuing | undefined>,
  adapt: (assistant: Enqueuing) => InboundAssistant,
  created?: (listener: () => void) => void,
): InboundAssistant {
  let building: Promise<InboundAssistant> | undefined;
  let adapted: InboundAssistant | undefined;
  const listeners = new Map<Parameters<NonNullable<InboundAssistant["onUnsolicitedReply"]>>[0], () => void>();
  const ready = (): Promise<InboundAssistant> =>
    // get() runs after `building` is set: a creation hook that calls back in finds it
    (building ??= Promise.resolve()
      .then(get)
      .then((given) => {
        // without a model provider every inbound message gets the explanation, never silence
        adapted = adapt(given ?? missingProvider);
        for (const listener of listeners.keys())
          listeners.set(listener, adapted.onUnsolicitedReply?.(listener) ?? (() => undefined));
        return adapted;
      }));
  created?.(() => void ready());
  return {
    enqueue: async (turn) => (await ready()).enqueue(turn),
    onUnsolicitedReply(listener) {
      listeners.set(listener, adapted?.onUnsolicitedReply?.(listener) ?? (() => undefined));
      return () => {
        listeners.get(listener)?.();
        listeners.delete(listener);
      };
    },
  };
}

/**
 * Channels for the configured `channels.<id>` entries only (each plugin's module is imported only
 * when one of its channels is configured), behind core's channel manager and its gateway methods.
 * A plugin that fails to load is reported in `channels.status` and the log; the others run.
 */
export async function createChannels(options: ChannelRuntimeOptions): Promise<ChannelRuntime | undefined> {
  const configured = configuredIds(options.config());
  if (!configured.length) return undefined;
  const registry = options.plugins ? undefined : await options.registry?.();
  const plugins: unknown[] = options.plugins
    ? [...options.plugins]
    : ((await registry?.loadChannels(configured)) ?? []);
  // the channel side of core only (manager, pipeline, journal): not its agent runtime
  const core = await import("@openclaw/core/channels");
  const adapt = (assistant: Enqueuing) => core.assistantForChannels(assistant as never);
  const given = options.assistant;
  const assistant =
    typeof given === "function"
      ? lazyInboundAssistant(given, adapt, options.assistantCreated)
      : adapt(given ?? missingProvider);
  const log =
    (level: "debug" | "info" | "warn" | "error") => (message: string, data?: Record<string, unknown>) =>
      options.logger[level]({ ...data, component: "channels" }, message);
  const manager = core.createChannelManager({
    plugins,
    getConfig: () => options.config() as never,
    stateDir: options.stateDir,
    assistant,
    logger: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
  });
  const methods = core.channelGatewayMethods(manager);
  const served = new Set(plugins.map((plugin) => (plugin as { id: string }).id));
  return {
    channels: {
      ...methods,
      status: async (params) => {
        const result = await methods.status(params);
        for (const id of configuredIds(options.config()))
          if (!served.has(id)) result.channels[id] = unservedChannel(id, registry);
        const issues = registry?.issues() ?? [];
        return issues.length ? { ...result, pluginIssues: issues as unknown as JsonObject[] } : result;
      },
    },
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
export function createChannelHost(
  options: ChannelRuntimeOptions & {
    /** The config file (relative `plugins.load.paths` start from its directory). */
    configPath?: string;
    env?: NodeJS.ProcessEnv;
  },
): {
  channels: GatewayChannels;
  start(): Promise<void>;
  stop(): Promise<void>;
  apply(config: Record<string, unknown>): Promise<ChannelsApplied>;
} {
  let runtime: ChannelRuntime | undefined;
  let started = false;
  // plugins are discovered once per gateway (a `plugins.*` edit restarts it), on the first need
  let registry: Promise<PluginRegistry> | undefined;
  const runtimeOptions: ChannelRuntimeOptions = {
    ...options,
    registry:
      options.registry ??
      (() =>
        (registry ??= import("./commands/plugins-registry.js").then(({ openPluginRegistry, pluginLogger }) =>
          openPluginRegistry({
            config: options.config(),
            stateDir: options.stateDir,
            ...(options.configPath ? { configPath: options.configPath } : {}),
            ...(options.env ? { env: options.env } : {}),
            logger: pluginLogger(options.logger),
          }),
        ))),
  };
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
      runtime = await createChannels(runtimeOptions);
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
        } else if (!Object.keys(next).some((id) => id !== "defaults")) {
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
