import { homedir } from "node:os";
import path from "node:path";
import type { HeartbeatEventPayload } from "@openclaw/protocol";
import { HeartbeatService } from "../heartbeat/service.js";
import type { Clock } from "./clock.js";
import { createExecutor } from "./executor.js";
import { type AutomationLogger, CronService } from "./service.js";
import type { AutomationAssistant, ChannelDelivery, CronEvent } from "./types.js";

type AgentEvent = { runId?: string; stream?: string; sessionKey?: string; data?: { phase?: string } };

export interface AutomationOptions {
  stateDir: string;
  config(): Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  logger: AutomationLogger;
  /** `cron` and `heartbeat` events to the gateway's clients. */
  broadcast?(event: "cron" | "heartbeat", payload: CronEvent | HeartbeatEventPayload): void;
  /** Core's assistant, created on first need. */
  assistant(): Promise<AutomationAssistant>;
  /** False when no model provider is configured (heartbeats off). Default true. */
  canRunModel?(): boolean;
  /** The channels' outbound path (`send`): chunking, retries, idempotency keys. */
  deliver?(delivery: ChannelDelivery): Promise<void>;
  idempotentChannel?(channel: string): boolean;
  /** Subscribe to the assistant's `agent` events before it exists (busy tracking). */
  onAgentEvent?(listener: (event: AgentEvent) => void): void;
}

function expand(dir: string, env: NodeJS.ProcessEnv): string {
  return path.resolve(dir.replace(/^~(?=$|\/)/, env.HOME ?? homedir()));
}

/** The agent's workspace, by the same rules as the assistant's. */
function workspaceOf(
  config: Record<string, unknown>,
  stateDir: string,
  env: NodeJS.ProcessEnv,
  agentId: string,
) {
  const agents = (config.agents ?? {}) as {
    defaults?: { workspace?: string };
    list?: { id?: string; default?: boolean; workspace?: string }[];
  };
  const list = agents.list ?? [];
  const entry = list.find((agent) => agent.id?.toLowerCase() === agentId);
  if (entry?.workspace) return expand(entry.workspace, env);
  const defaultId = ((list.find((agent) => agent.default) ?? list[0])?.id ?? "main").toLowerCase();
  if (agentId === defaultId)
    return expand(agents.defaults?.workspace ?? path.join(stateDir, "workspace"), env);
  return path.join(stateDir, `workspace-${agentId}`);
}

/**
 * Cron and heartbeat of one gateway: the scheduler, the heartbeat runner, the system-event
 * queue between them and the assistant. Created at start only when there is something to
 * schedule (jobs on disk or in the config, heartbeats with a model), else on the first
 * cron/heartbeat method call.
 */
export class Automation {
  readonly cron: CronService;
  readonly heartbeat: HeartbeatService;
  private readonly runs = new Map<string, Set<string>>();
  private tracking = false;

  constructor(readonly options: AutomationOptions) {
    const env = options.env ?? process.env;
    if (options.onAgentEvent) {
      this.tracking = true;
      options.onAgentEvent((event) => this.observe(event));
    }
    const assistant = () => this.assistant();
    this.heartbeat = new HeartbeatService({
      config: options.config,
      ...(options.clock ? { clock: options.clock } : {}),
      logger: options.logger,
      emit: (payload) => options.broadcast?.("heartbeat", payload),
      canRun: () => options.canRunModel?.() ?? true,
      assistant,
      ...(options.deliver ? { deliver: options.deliver } : {}),
      workspaceDir: (agentId) => workspaceOf(options.config(), options.stateDir, env, agentId),
      busy: (sessionKey) => (this.runs.get(sessionKey)?.size ?? 0) > 0,
    });
    this.cron = new CronService({
      stateDir: options.stateDir,
      config: options.config,
      env,
      ...(options.clock ? { clock: options.clock } : {}),
      logger: options.logger,
      emit: (event) => options.broadcast?.("cron", event),
      execute: createExecutor({
        config: options.config,
        assistant,
        systemEvent: (agentId, text, mode) => this.systemEvent(text, mode, agentId).then(() => undefined),
      }),
      ...(options.deliver
        ? {
            deliver: (pending) =>
              options.deliver!({
                channel: pending.channel,
                to: pending.to,
                text: pending.text,
                idempotencyKey: pending.idempotencyKey,
                ...(pending.accountId ? { accountId: pending.accountId } : {}),
              }),
          }
        : {}),
      ...(options.idempotentChannel ? { idempotentChannel: options.idempotentChannel } : {}),
    });
  }

  private observe(event: AgentEvent): void {
    if (event.stream !== "lifecycle" || !event.sessionKey || !event.runId) return;
    const runs = this.runs.get(event.sessionKey) ?? new Set<string>();
    if (event.data?.phase === "start") runs.add(event.runId);
    else runs.delete(event.runId);
    if (runs.size) this.runs.set(event.sessionKey, runs);
    else this.runs.delete(event.sessionKey);
  }

  private async assistant(): Promise<AutomationAssistant> {
    const assistant = await this.options.assistant();
    if (!this.tracking && assistant.bus) {
      this.tracking = true;
      assistant.bus.on("agent", (payload) => this.observe(payload as AgentEvent));
    }
    return assistant;
  }

  defaultAgentId(): string {
    const list =
      ((this.options.config().agents ?? {}) as { list?: { id?: string; default?: boolean }[] }).list ?? [];
    return ((list.find((agent) => agent.default) ?? list[0])?.id ?? "main").toLowerCase();
  }

  /**
   * A system event for an agent's main session (`wake`, `system-event`, cron main-session jobs):
   * queued for its next turn; `now` runs a heartbeat for it at once (in the background).
   */
  async systemEvent(
    text: string,
    mode: "now" | "next-heartbeat",
    agentId = this.defaultAgentId(),
  ): Promise<{ sessionKey: string; queued: number }> {
    const assistant = await this.assistant();
    const settings = this.heartbeat.agents().find((agent) => agent.agentId === agentId)?.settings;
    const queued = assistant.queueSystemEvent(this.heartbeat.mainKey(agentId, settings), text);
    this.heartbeat.notePending(agentId);
    if (mode === "now") this.heartbeat.trigger(agentId, "wake");
    return queued;
  }

  async start(): Promise<void> {
    await this.cron.start();
    this.heartbeat.start();
  }

  /** A config edit: config-declared jobs, `cron.enabled` and heartbeat intervals apply now. */
  applyConfig(): void {
    this.cron.applyConfig();
    this.heartbeat.start();
  }

  async idle(): Promise<void> {
    await this.heartbeat.idle();
    await this.cron.idle();
  }

  async stop(): Promise<void> {
    this.heartbeat.stop();
    await this.cron.stop();
  }
}

const REGISTRY = Symbol.for("openclaw.automation");
type Registry = Map<string, Promise<Automation>>;
function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  if (!holder[REGISTRY]) holder[REGISTRY] = new Map();
  return holder[REGISTRY];
}

/**
 * The automation of the gateway whose state dir this is: the one the gateway started, else
 * one made (and started) with `create()`. One per state dir and process.
 */
export function automationFor(stateDir: string, create: () => AutomationOptions): Promise<Automation> {
  const key = path.resolve(stateDir);
  const known = registry().get(key);
  if (known) return known;
  const made = (async () => {
    const automation = new Automation(create());
    await automation.start();
    return automation;
  })();
  registry().set(key, made);
  made.catch(() => registry().delete(key));
  return made;
}

/** Start the gateway's automation (at start, after `/ready`) and register it for the methods. */
export function startAutomation(options: AutomationOptions): Promise<Automation> {
  return automationFor(options.stateDir, () => options);
}

/** Stop and forget the automation of a state dir (gateway close). */
export async function stopAutomation(stateDir: string): Promise<void> {
  const key = path.resolve(stateDir);
  const known = registry().get(key);
  registry().delete(key);
  if (known) await (await known.catch(() => undefined))?.stop();
}
