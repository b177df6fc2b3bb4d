import type { Assistant } from "@openclaw/core";
import type { GatewayAssistant, JsonObject, Logger } from "@openclaw/gateway";
import { GatewayMethodError } from "@openclaw/gateway";

type Listener = (payload: JsonObject) => void;
type Event = "agent" | "chat";
type BusListener = Parameters<Assistant["bus"]["on"]>[1];

/**
 * Core's assistant as the gateway serves it, created on first use instead of at start: an idle
 * gateway (no chat yet) does not hold the agent runtime, the providers and their validation code
 * in memory. The gateway dispatches to core's method handlers (`@openclaw/core/methods`, loaded
 * with the first client); they call `get()` when they need the assistant. Event subscriptions made
 * before it exists are attached when it is created; config reloads before that are picked up by
 * the creation (it reads the current config). If creating it fails, the failure is logged and
 * each call that needs it answers UNAVAILABLE with the reason.
 */
export function lazyCoreAssistant(
  create: () => Promise<Assistant>,
  logger: Logger,
): {
  assistant: GatewayAssistant;
  /** The channel pipeline's entry point (creates the assistant; undefined when it cannot start). */
  enqueuing(): Promise<Assistant | undefined>;
  /** The assistant if it was already created (never creates it). */
  running(): Assistant | undefined;
  /** Call `listener` once the assistant is created, whoever created it (at once if it already is). */
  onCreated(listener: () => void): void;
  reloadConfig(config: Record<string, unknown>): void;
  close(): Promise<void>;
} {
  let building: Promise<Assistant> | undefined;
  let ready: Assistant | undefined;
  let pendingConfig: Record<string, unknown> | undefined;
  /** Each subscription with the bus listener that feeds it (the payload as a plain object). */
  const listeners = new Set<{ event: Event; listener: Listener; forward: BusListener }>();
  const created: (() => void)[] = [];
  const get = (): Promise<Assistant> => {
    building ??= create().then(
      (built) => {
        ready = built;
        for (const { event, forward } of listeners) built.bus.on(event, forward);
        if (pendingConfig) built.reloadConfig(pendingConfig);
        pendingConfig = undefined;
        for (const listener of created.splice(0)) listener();
        return built;
      },
      (error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        logger.error(
          { err: reason },
          "assistant failed to start; methods that need it answer UNAVAILABLE with the reason",
        );
        throw new GatewayMethodError({
          code: "UNAVAILABLE",
          message: `the assistant could not start: ${reason}`,
          retryable: false,
        });
      },
    );
    return building;
  };
  const assistant: GatewayAssistant = {
    methods: async () => (await import("@openclaw/core/methods")).coreMethods,
    get,
    running: () => ready !== undefined,
    events: {
      on(event, listener) {
        const forward: BusListener = (payload) => listener({ ...payload });
        listeners.add({ event, listener, forward });
        ready?.bus.on(event, forward);
      },
      off(event, listener) {
        for (const entry of listeners) {
          if (entry.event !== event || entry.listener !== listener) continue;
          listeners.delete(entry);
          ready?.bus.off(event, entry.forward);
        }
      },
    },
    async drain() {
      // nothing can be in flight before the assistant exists
      if (ready) await (await import("@openclaw/core/methods")).drainRuns(ready);
    },
  };
  return {
    assistant,
    enqueuing: () => get().catch(() => undefined),
    running: () => ready,
    onCreated(listener) {
      if (ready) listener();
      else created.push(listener);
    },
    reloadConfig(config) {
      if (ready) ready.reloadConfig(config as never);
      else if (building) pendingConfig = config;
    },
    async close() {
      if (building) await (await building.catch(() => undefined))?.close();
    },
  };
}
