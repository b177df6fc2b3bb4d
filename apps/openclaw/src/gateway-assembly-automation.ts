import type { Assistant } from "@openclaw/core";
import type { AutomationOptions } from "@openclaw/core/cron";
import type { GatewayAssistant, GatewayChannels, GatewayMethods, Logger } from "@openclaw/gateway";

export interface AutomationHostOptions {
  config(): Record<string, unknown>;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** The model provider in use (none: heartbeats are off). */
  provider: string | undefined;
  /** The gateway's assistant (created on first need) and its events. */
  assistant: GatewayAssistant;
  channels: GatewayChannels;
  broadcast(event: string, payload: unknown): void;
}

/** The methods the automation answers (`automationMethodsWith` in `@openclaw/core/methods`). */
const AUTOMATION_METHODS = [
  "cron.status",
  "cron.list",
  "cron.add",
  "cron.update",
  "cron.remove",
  "cron.run",
  "cron.runs",
  "wake",
  "system-event",
  "last-heartbeat",
  "set-heartbeats",
] as const;

/** Heartbeats run for the config unless every agent has `every: 0` (or no provider exists). */
function heartbeatWanted(config: Record<string, unknown>, provider: string | undefined): boolean {
  if (!provider) return false;
  const agents = (config.agents ?? {}) as {
    defaults?: { heartbeat?: { every?: unknown } };
    list?: { heartbeat?: { every?: unknown } }[];
  };
  const off = (every: unknown) => every !== undefined && /^0+(\.0+)?\s*[a-z]*$/i.test(String(every).trim());
  const explicit = (agents.list ?? []).filter((agent) => agent.heartbeat);
  if (explicit.length)
    return explicit.some((agent) => !off(agent.heartbeat?.every ?? agents.defaults?.heartbeat?.every));
  return !off(agents.defaults?.heartbeat?.every);
}

/**
 * The gateway's cron and heartbeat (core's `@openclaw/core/cron`), wired to its assistant, its
 * channels' outbound path and its event fan-out. Nothing is loaded at start unless something
 * is scheduled (a jobs file, `cron.jobs[]`, heartbeats with a model); otherwise the first
 * cron/heartbeat call starts it.
 */
export function createAutomationHost(options: AutomationHostOptions) {
  const { config, stateDir, env, logger } = options;
  let started = false;
  let listening = false;
  const automationOptions = (): AutomationOptions => ({
    stateDir,
    config,
    env,
    logger,
    broadcast: (event, payload) => options.broadcast(event, payload),
    assistant: async () => {
      if (!options.assistant.get) throw new Error("no model provider is configured on this gateway");
      return (await options.assistant.get()) as Assistant;
    },
    canRunModel: () => options.provider !== undefined,
    deliver: async (delivery) => {
      await options.channels.send({
        channel: delivery.channel,
        to: delivery.to,
        message: delivery.text,
        idempotencyKey: delivery.idempotencyKey,
        ...(delivery.accountId ? { accountId: delivery.accountId } : {}),
      });
    },
    ...(options.assistant.events
      ? {
          onAgentEvent: (listener) =>
            options.assistant.events!.on("agent", (payload) => listener(payload as never)),
        }
      : {}),
  });
  const automation = async () => {
    started = true;
    const { startAutomation } = await import("@openclaw/core/cron");
    return startAutomation(automationOptions());
  };
  /** Is there anything to schedule now? (a stat and a config read: nothing is imported) */
  const wanted = async (): Promise<boolean> => {
    const cron = (config().cron ?? {}) as { jobs?: unknown[]; store?: string };
    if (cron.jobs?.length) return true;
    if (heartbeatWanted(config(), options.provider)) return true;
    const { existsSync } = await import("node:fs");
    const { join } = await import("node:path");
    return existsSync(cron.store ?? join(stateDir, "cron", "jobs.json"));
  };
  return {
    /**
     * The cron/heartbeat methods bound to this gateway's automation (a gateway capability). The
     * handlers load core's method module on their first call, not with the table.
     */
    methods: async (): Promise<GatewayMethods> => {
      let table: Promise<GatewayMethods> | undefined;
      const load = () =>
        (table ??= import("@openclaw/core/methods").then(
          ({ automationMethodsWith }) => automationMethodsWith(automation) as GatewayMethods,
        ));
      const handler =
        (name: (typeof AUTOMATION_METHODS)[number]) =>
        async (params: unknown, ctx: unknown): Promise<never> => {
          const method = (await load())[name] as (params: unknown, ctx: unknown) => Promise<never>;
          return method(params, ctx);
        };
      return Object.fromEntries(AUTOMATION_METHODS.map((name) => [name, handler(name)])) as GatewayMethods;
    },
    /** After `/ready`: start the scheduler if something is scheduled (never blocks start-up). */
    start(): void {
      listening = true;
      wanted()
        .then((yes) => (yes ? automation() : undefined))
        .catch((error: unknown) =>
          logger.error({ component: "cron", err: String(error) }, `cron: start failed: ${String(error)}`),
        );
    },
    /** A config edit: apply it to the running automation, or start one if now something is scheduled. */
    applyConfig(): void {
      if (!listening) return;
      if (!started) {
        this.start();
        return;
      }
      void automation().then(
        (running) => running.applyConfig(),
        () => undefined,
      );
    },
    async stop(): Promise<void> {
      if (!started) return;
      const { stopAutomation } = await import("@openclaw/core/cron");
      await stopAutomation(stateDir);
    },
  };
}
