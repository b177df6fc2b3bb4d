import type { GatewayChannels, Logger } from "@openclaw/gateway";
import { MISSING_PROVIDER_REPLY } from "@openclaw/gateway";

type EnqueueInput = { text: string; sessionKey?: string };
type Enqueuing = { enqueue(input: EnqueueInput): Promise<{ payloads: { text: string }[]; status?: string }> };

const LOADERS: Record<string, () => Promise<unknown>> = {
  telegram: async () => (await import("@openclaw/channels-telegram")).telegram,
  discord: async () => (await import("@openclaw/channels-discord")).discord,
  slack: async () => (await import("@openclaw/channels-slack")).slack,
};

/**
 * Channels for the configured `channels.<id>` entries only (each plugin package is imported only
 * when configured), behind core's channel manager and its gateway methods.
 */
export async function createChannels(options: {
  config: () => Record<string, unknown>;
  stateDir: string;
  assistant: Enqueuing | undefined;
  logger: Logger;
}): Promise<{ channels: GatewayChannels; start(): Promise<void>; stop(): Promise<void> } | undefined> {
  const configured = Object.entries(
    (options.config().channels ?? {}) as Record<string, { enabled?: boolean }>,
  )
    .filter(([id, value]) => id !== "defaults" && value?.enabled !== false && LOADERS[id])
    .map(([id]) => id);
  if (!configured.length) return undefined;
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
  const assistant: Enqueuing = options.assistant ?? {
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
    start: () => manager.start(),
    stop: () => manager.stop(),
  };
}
