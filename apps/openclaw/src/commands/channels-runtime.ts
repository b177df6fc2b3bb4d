import type { ChannelLogger } from "@openclaw/protocol";

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

/**
 * Gateway assembly hook: Telegram, Discord and Slack on core's channel manager, answering through
 * core's assistant (`createAssistant(...)`). One call from the assembly:
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
  /** Plugins to run (default: the bundled Telegram, Discord and Slack). */
  plugins?: readonly unknown[];
}): Promise<GatewayChannelsRuntime> {
  const core = await import("@openclaw/core");
  const { loadChannelPlugins } = await import("./channels-impl.js");
  const log = options.logger;
  const logger: ChannelLogger | undefined = log
    ? {
        debug: (message, data) => log.debug(data ?? {}, message),
        info: (message, data) => log.info(data ?? {}, message),
        warn: (message, data) => log.warn(data ?? {}, message),
        error: (message, data) => log.error(data ?? {}, message),
      }
    : undefined;
  const manager = core.createChannelManager({
    plugins: options.plugins ?? (await loadChannelPlugins()),
    // OpenClaw's config object carries the keys the manager reads (channels, bindings, session, messages, agents)
    getConfig: options.getConfig as never,
    stateDir: options.stateDir,
    assistant: core.assistantForChannels(options.assistant),
    ...(logger ? { logger } : {}),
  });
  await manager.start();
  return {
    methods: core.channelGatewayMethods(manager),
    reload: () => manager.reload(),
    close: () => manager.stop(),
  };
}
