import type { GatewayAssistant, JsonObject, Logger } from "@openclaw/gateway";
import { createUnconfiguredAssistant, GatewayMethodError } from "@openclaw/gateway";
import type { createCoreAssistant } from "./gateway-assembly-core.js";

type Built = Awaited<ReturnType<typeof createCoreAssistant>>;
type Enqueuing = Built["enqueuing"];
type Listener = (payload: JsonObject) => void;
type Method = Exclude<keyof GatewayAssistant, "events" | "invokeTool" | "drain" | "lastHeartbeat">;

const METHODS: Method[] = [
  "chatSend",
  "chatHistory",
  "chatAbort",
  "chatInject",
  "agent",
  "agentWait",
  "modelsList",
  "sessionsList",
  "sessionsPreview",
  "sessionsPatch",
  "sessionsReset",
  "sessionsDelete",
  "sessionsCompact",
  "wake",
];

/**
 * The core assistant, created on first use instead of at start: an idle gateway (no chat yet)
 * does not hold the agent runtime, the providers and their validation code in memory. The
 * gateway gets a stand-in with the same methods; event subscriptions made before the assistant
 * exists are attached when it is created; config reloads before that are simply picked up by the
 * creation (it reads the current config). If creating it fails, the failure is logged once and
 * every chat gets the unconfigured assistant's explanation, as at start before.
 */
export function lazyCoreAssistant(
  create: () => Promise<Built>,
  logger: Logger,
): {
  assistant: GatewayAssistant;
  /** The channel pipeline's entry point (creates the assistant). */
  enqueuing(): Promise<Enqueuing | undefined>;
  reloadConfig(config: Record<string, unknown>): void;
  close(): Promise<void>;
} {
  let building: Promise<Built | undefined> | undefined;
  let ready: Built | undefined;
  let pendingConfig: Record<string, unknown> | undefined;
  const listeners = new Set<[event: "agent" | "chat", listener: Listener]>();
  const fallback = createUnconfiguredAssistant();
  const get = (): Promise<Built | undefined> => {
    building ??= create().then(
      (built) => {
        ready = built;
        for (const [event, listener] of listeners) built.assistant.events?.on(event, listener);
        if (pendingConfig) built.reloadConfig(pendingConfig);
        pendingConfig = undefined;
        return built;
      },
      (error: unknown) => {
        logger.error(
          { err: error instanceof Error ? error.message : String(error) },
          "assistant failed to start; chats will explain the problem",
        );
        return undefined;
      },
    );
    return building;
  };
  const assistant: GatewayAssistant = {
    events: {
      on(event, listener) {
        listeners.add([event, listener]);
        ready?.assistant.events?.on(event, listener);
      },
      off(event, listener) {
        for (const entry of listeners)
          if (entry[0] === event && entry[1] === listener) listeners.delete(entry);
        ready?.assistant.events?.off(event, listener);
      },
    },
    async drain() {
      // nothing can be in flight before the assistant exists
      await ready?.assistant.drain?.();
    },
  } as GatewayAssistant;
  for (const name of METHODS) {
    (assistant as unknown as Record<string, (params: JsonObject) => Promise<JsonObject>>)[name] = async (
      params,
    ) => {
      const target = (await get())?.assistant ?? fallback;
      const method = target[name];
      if (typeof method !== "function")
        throw new GatewayMethodError({
          code: "UNAVAILABLE",
          message: `${name} is not available (no model provider could be started)`,
          retryable: false,
        });
      return method.call(target, params);
    };
  }
  return {
    assistant,
    enqueuing: async () => (await get())?.enqueuing,
    reloadConfig(config) {
      if (ready) ready.reloadConfig(config);
      else if (building) pendingConfig = config;
    },
    async close() {
      if (building) await (await building)?.close();
    },
  };
}
