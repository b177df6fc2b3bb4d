import type { PluginRegistry } from "@openclaw/core/plugins";

/** Pino-style logger of the gateway (`logger.info(obj, msg)`). */
interface GatewayLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface GatewayChannelsRuntime {
  /** `channels.status`, `channels.logout`, `send` for `createGateway({ channels })`. */
  methods: {
    status(params: { probe?: boolean; timeoutMs?: number }): Promise<Record<string, unknown>>;
    logout(params: Record<string, unknown>): Promise<Record<string, unknown>>;
    send(params: Record<string, unknown>): Promise<Record<string, unknown>>;
  };
  /** Start/stop accounts after a config change (call from the config store's reload hook). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

const silent: GatewayLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Embedding hook: the configured channels on core's channel manager, answering through core's
 * assistant (`createAssistant(...)`). The same runtime as the gateway assembly's
 * (`createChannels`): the channel plugins come from the plugin registry (bundled + installed +
 * `plugins.load.paths`) unless `plugins` are given.
 *
 *   const channels = await startGatewayChannels({ getConfig: () => store.snapshot().config, stateDir, assistant, logger });
 *   createGateway({ ..., channels: channels.methods });   // and channels.close() on shutdown
 */
export async function startGatewayChannels(options: {
  getConfig: () => unknown;
  stateDir: string;
  // biome-ignore lint/suspicious/noExplicitAny: core's Assistant, kept structural so either side can evolve
  assistant: any;
  logger?: GatewayLogger;
  /** Ready channel plugins (default: the registry's plugins for the configured channels). */
  plugins?: readonly unknown[];
  /** The registry to take plugins from (default: the local one, `openclaw plugins list`). */
  registry?: PluginRegistry;
}): Promise<GatewayChannelsRuntime> {
  const { createChannels } = await import("../gateway-assembly-channels.js");
  const config = options.getConfig as () => Record<string, unknown>;
  const runtime = await createChannels({
    config,
    stateDir: options.stateDir,
    assistant: options.assistant,
    logger: (options.logger ?? silent) as never,
    ...(options.plugins ? { plugins: options.plugins } : {}),
    registry: async () => {
      if (options.registry) return options.registry;
      const { openPluginRegistry } = await import("./plugins-registry.js");
      return openPluginRegistry({ config: config(), stateDir: options.stateDir });
    },
  });
  if (!runtime)
    return {
      methods: {
        status: async () => ({ ts: Date.now(), channels: {} }),
        logout: async () => {
          throw new Error("no channel is configured");
        },
        send: async () => {
          throw new Error("no channel is configured");
        },
      },
      reload: async () => undefined,
      close: async () => undefined,
    };
  await runtime.start();
  return {
    methods: runtime.channels as GatewayChannelsRuntime["methods"],
    reload: () => runtime.reload(),
    close: () => runtime.stop(),
  };
}
