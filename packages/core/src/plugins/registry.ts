import type { AnyChannelPlugin, ChannelLogger, ModelProviderV1 } from "@openclaw/protocol";
import type { ProviderApi, ProviderFactory } from "../models/provider-registry.js";
import {
  type DiscoveredPlugin,
  type DiscoverOptions,
  discoverPlugins,
  type PluginRecord,
  pluginsConfigOf,
} from "./discover.js";
import { PluginError, type PluginErrorCode } from "./manifest.js";

/** A plugin that cannot be used, as `channels status`, `plugins list` and the gateway log report it. */
export interface PluginIssue {
  id: string;
  origin: PluginRecord["origin"];
  dir: string;
  channels: string[];
  providers: string[];
  code: PluginErrorCode;
  message: string;
}

export interface PluginRegistryOptions extends DiscoverOptions {
  /** Where load failures are reported (the gateway log). */
  logger?: ChannelLogger;
  /** A plugin whose import (or factory) has not settled by then is `PLUGIN_IMPORT_FAILED` (default 30 s). */
  importTimeoutMs?: number;
}

/** Provider factories and instances for `createAssistant({ providerFactories, providers })`. */
export interface LoadedProviders {
  providerFactories: Partial<Record<ProviderApi, ProviderFactory>>;
  providers: Record<string, ModelProviderV1>;
}

/**
 * The one registry of channel and provider plugins, for the CLI and the gateway alike: bundled,
 * installed (`<stateDir>/extensions/<id>`) and `plugins.load.paths` packages, found by their
 * manifests. A module is imported only by `loadChannels` / `loadProviders` / `loadAll`, and only
 * for enabled plugins; a failure marks that plugin `error` (and is logged) without affecting
 * the others.
 */
export interface PluginRegistry {
  /** Every plugin found, in precedence order (copies: safe to print). */
  list(): PluginRecord[];
  get(id: string): PluginRecord | undefined;
  /** Channel ids the usable channel plugins serve (from manifests; nothing imported). */
  channelIds(): string[];
  /** The plugin serving (or failing to serve) a channel id. */
  forChannel(channelId: string): PluginRecord | undefined;
  /**
   * Why a configured channel id has no working plugin (failed, disabled, or none provides it),
   * in one line with the fix; undefined while a usable plugin serves it.
   */
  channelProblem(channelId: string): string | undefined;
  /** Import the channel plugins serving these channel ids (default: every usable one). */
  loadChannels(channelIds?: readonly string[]): Promise<AnyChannelPlugin[]>;
  /** Import every usable provider plugin. */
  loadProviders(): Promise<LoadedProviders>;
  /** Import and check every usable plugin (`openclaw plugins list`). */
  loadAll(): Promise<void>;
  /** Import and check one plugin (`openclaw plugins info`, after `install`); its record after. */
  loadPlugin(id: string): Promise<PluginRecord | undefined>;
  /** The plugins in error (discovery or load). */
  issues(): PluginIssue[];
}

const usable = (record: PluginRecord) => record.state === "enabled" || record.state === "loaded";

/** A module that never finishes loading (a top-level await that hangs) must not hold the others. */
function withTimeout<T>(promise: Promise<T>, record: PluginRecord, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new PluginError(
            "PLUGIN_IMPORT_FAILED",
            `plugin "${record.id}" did not finish loading within ${ms} ms (${record.entry ?? record.dir})`,
            record.id,
          ),
        ),
      ms,
    );
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createPluginRegistry(options: PluginRegistryOptions): PluginRegistry {
  const found: DiscoveredPlugin[] = discoverPlugins(options);
  const byId = new Map<string, DiscoveredPlugin>();
  for (const plugin of found)
    if (!byId.has(plugin.record.id) || usable(plugin.record)) byId.set(plugin.record.id, plugin);
  const env = options.env ?? process.env;
  const loads = new Map<DiscoveredPlugin, Promise<unknown>>();

  const fail = (plugin: DiscoveredPlugin, error: unknown) => {
    const e = error as { code?: PluginErrorCode; message?: string };
    plugin.record.state = "error";
    plugin.record.error = {
      code: e.code ?? "PLUGIN_IMPORT_FAILED",
      message: e.message ?? String(error),
    };
    options.logger?.error(`plugin ${plugin.record.id} not loaded: ${plugin.record.error.message}`, {
      plugin: plugin.record.id,
      code: plugin.record.error.code,
    });
  };
  for (const { record } of found)
    if (record.state === "error" && record.error)
      options.logger?.error(`plugin ${record.id} not loaded: ${record.error.message}`, {
        plugin: record.id,
        code: record.error.code,
      });

  /** Import + check one plugin once; undefined when it fails (recorded on the record). */
  function load<T>(plugin: DiscoveredPlugin): Promise<T | undefined> {
    let pending = loads.get(plugin) as Promise<T | undefined> | undefined;
    if (!pending) {
      pending = withTimeout(loadOne<T>(plugin), plugin.record, options.importTimeoutMs ?? 30_000).then(
        (value) => {
          plugin.record.state = "loaded";
          return value;
        },
        (error: unknown) => {
          fail(plugin, error);
          return undefined;
        },
      );
      loads.set(plugin, pending);
    }
    return pending;
  }

  async function loadOne<T>(plugin: DiscoveredPlugin): Promise<T> {
    const { record } = plugin;
    const config = pluginsConfigOf(options.config).entries?.[record.id]?.config;
    const { checkPluginConfig, loadChannelModule, loadProviderModule } = await import("./load.js");
    await checkPluginConfig(record, config);
    const context = { id: record.id, config: config ?? {}, stateDir: options.stateDir, env };
    return (record.kind === "channel"
      ? await loadChannelModule(plugin, context)
      : await loadProviderModule(plugin, context)) as unknown as T;
  }

  const channelPlugins = () => found.filter((p) => p.record.kind === "channel" && usable(p.record));

  return {
    list: () => found.map(({ record }) => structuredClone(record)),
    get: (id) => {
      const record = byId.get(id)?.record;
      return record ? structuredClone(record) : undefined;
    },
    channelIds: () => channelPlugins().flatMap((p) => p.record.channels),
    forChannel: (channelId) => {
      const serving =
        found.find((p) => usable(p.record) && p.record.channels.includes(channelId)) ??
        found.find((p) => p.record.state === "error" && p.record.channels.includes(channelId));
      return serving ? structuredClone(serving.record) : undefined;
    },
    channelProblem(channelId) {
      const serving = found.filter((p) => p.record.channels.includes(channelId)).map((p) => p.record);
      const record = serving.find(usable) ?? serving.find((r) => r.state === "error") ?? serving[0];
      if (record && usable(record)) return undefined;
      if (record?.error)
        return `plugin "${record.id}" not loaded: ${record.error.code}: ${record.error.message}`;
      if (record?.state === "disabled")
        return `plugin "${record.id}" is disabled (${record.disabledReason}); openclaw plugins enable ${record.id}`;
      return `no plugin provides channel "${channelId}" (openclaw plugins list; openclaw plugins install <path|npm spec>)`;
    },
    async loadChannels(channelIds) {
      const wanted = channelPlugins().filter(
        (p) => !channelIds || p.record.channels.some((id) => channelIds.includes(id)),
      );
      const loaded = await Promise.all(wanted.map((p) => load<AnyChannelPlugin[]>(p)));
      return loaded.flatMap((plugins) => plugins ?? []);
    },
    async loadProviders() {
      const result: LoadedProviders = { providerFactories: {}, providers: {} };
      const wanted = found.filter((p) => p.record.kind === "provider" && usable(p.record));
      const loaded = await Promise.all(
        wanted.map((p) =>
          load<{ factories: Record<string, ProviderFactory>; providers: Record<string, ModelProviderV1> }>(p),
        ),
      );
      // precedence order: the first plugin serving an API keeps it
      for (const contribution of loaded.reverse()) {
        if (!contribution) continue;
        Object.assign(result.providerFactories, contribution.factories);
        Object.assign(result.providers, contribution.providers);
      }
      return result;
    },
    async loadPlugin(id) {
      const plugin = byId.get(id);
      if (!plugin) return undefined;
      if (usable(plugin.record)) await load(plugin);
      return structuredClone(plugin.record);
    },
    async loadAll() {
      await Promise.all(found.filter((p) => usable(p.record)).map((p) => load(p)));
    },
    issues: () =>
      found
        .filter(({ record }) => record.state === "error" && record.error)
        .map(({ record }) => ({
          id: record.id,
          origin: record.origin,
          dir: record.dir,
          channels: record.channels,
          providers: record.providers,
          code: record.error!.code,
          message: record.error!.message,
        })),
  };
}
