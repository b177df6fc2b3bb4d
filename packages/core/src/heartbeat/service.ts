import { readFile } from "node:fs/promises";
import path from "node:path";
import type { HeartbeatEventPayload } from "@openclaw/protocol";
import { type Clock, systemClock } from "../cron/clock.js";
import { parseDurationMs } from "../cron/schedule.js";
import type { AutomationLogger } from "../cron/service.js";
import type { AutomationAssistant, ChannelDelivery } from "../cron/types.js";
import {
  DEFAULT_ACK_MAX_CHARS,
  DEFAULT_HEARTBEAT_PROMPT,
  isEffectivelyEmpty,
  stripHeartbeatToken,
  withinActiveHours,
} from "./heartbeat-text.js";

export interface HeartbeatSettings {
  every?: string | number;
  activeHours?: { start?: string; end?: string; timezone?: string };
  target?: string;
  to?: string;
  accountId?: string;
  prompt?: string;
  model?: string;
  ackMaxChars?: number;
  session?: string;
  /** Default true: skip (and retry a minute later) while a turn of the main session runs. */
  skipWhenBusy?: boolean;
}

export interface HeartbeatServiceOptions {
  config(): Record<string, unknown>;
  clock?: Clock;
  logger: AutomationLogger;
  emit?(payload: HeartbeatEventPayload): void;
  /** False when no model provider is configured: heartbeats never run then. */
  canRun?(): boolean;
  assistant(): Promise<AutomationAssistant>;
  deliver?(delivery: ChannelDelivery): Promise<void>;
  /** The agent's workspace (where HEARTBEAT.md lives). */
  workspaceDir(agentId: string): string;
  /** A turn of this session is running now. */
  busy?(sessionKey: string): boolean;
}

const DEFAULT_EVERY_MS = 30 * 60_000;
const BUSY_RETRY_MS = 60_000;

type AgentEntry = { id?: string; default?: boolean; heartbeat?: HeartbeatSettings };

/**
 * Periodic turns in each agent's main session (`agents.defaults.heartbeat`, per agent
 * `agents.list[].heartbeat`: when any agent has one, only those run). Every check that can
 * skip a run happens before the assistant is touched, so a disabled heartbeat or an empty
 * HEARTBEAT.md costs no model call and loads nothing.
 */
export class HeartbeatService {
  last: HeartbeatEventPayload | null = null;
  /** `set-heartbeats` (runtime switch; the config's `every: 0` disables for good). */
  enabled = true;
  private readonly clock: Clock;
  private readonly timers = new Map<string, unknown>();
  private readonly pending = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  private readonly work = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly options: HeartbeatServiceOptions) {
    this.clock = options.clock ?? systemClock;
  }

  private agentsConfig() {
    return (this.options.config().agents ?? {}) as {
      defaults?: { heartbeat?: HeartbeatSettings };
      list?: AgentEntry[];
    };
  }

  /** The agents that run heartbeats and their settings (defaults merged under per-agent ones). */
  agents(): { agentId: string; settings: HeartbeatSettings; everyMs: number }[] {
    if (this.options.canRun && !this.options.canRun()) return [];
    const { defaults, list = [] } = this.agentsConfig();
    const explicit = list.filter((agent) => agent.heartbeat);
    const chosen: AgentEntry[] = explicit.length
      ? explicit
      : [list.find((agent) => agent.default) ?? list[0] ?? { id: "main" }];
    return chosen.map((agent) => {
      const settings = { ...defaults?.heartbeat, ...agent.heartbeat };
      const every = settings.every === undefined ? DEFAULT_EVERY_MS : parseDurationMs(settings.every, "m");
      return { agentId: (agent.id ?? "main").toLowerCase(), settings, everyMs: every ?? DEFAULT_EVERY_MS };
    });
  }

  /** Whether any agent would run heartbeats (false: nothing to schedule). */
  active(): boolean {
    return this.agents().some((agent) => agent.everyMs > 0);
  }

  mainKey(agentId: string, settings?: HeartbeatSettings): string {
    if (settings?.session) return settings.session;
    const mainKey = ((this.options.config().session ?? {}) as { mainKey?: string }).mainKey ?? "main";
    return `agent:${agentId}:${mainKey}`;
  }

  /** Arm one timer per agent (call again after a config change). */
  start(): void {
    this.stopped = false;
    for (const timer of this.timers.values()) this.clock.clearTimeout(timer);
    this.timers.clear();
    for (const agent of this.agents()) if (agent.everyMs > 0) this.schedule(agent.agentId, agent.everyMs);
  }

  private schedule(agentId: string, delayMs: number): void {
    const previous = this.timers.get(agentId);
    if (previous !== undefined) this.clock.clearTimeout(previous);
    if (this.stopped) return;
    this.timers.set(
      agentId,
      this.clock.setTimeout(() => {
        this.timers.delete(agentId);
        const run = this.runOnce(agentId, "interval").then((result) => {
          const agent = this.agents().find((entry) => entry.agentId === agentId);
          if (!agent || agent.everyMs <= 0) return;
          const retry = result.status === "skipped" && result.reason === "requests-in-flight";
          this.schedule(agentId, retry ? Math.min(BUSY_RETRY_MS, agent.everyMs) : agent.everyMs);
        });
        this.work.add(run);
        void run.finally(() => this.work.delete(run));
      }, delayMs),
    );
  }

  /** Run a heartbeat now in the background (a wake with mode `now`). */
  trigger(agentId: string, reason: string): void {
    const run = this.runOnce(agentId, reason);
    this.work.add(run);
    void run.finally(() => this.work.delete(run));
  }

  /** A system event was queued for the agent's main session: the next heartbeat runs for it. */
  notePending(agentId: string): void {
    this.pending.set(agentId, (this.pending.get(agentId) ?? 0) + 1);
  }

  private finish(payload: HeartbeatEventPayload): HeartbeatEventPayload {
    this.last = payload;
    if (payload.status === "skipped")
      this.options.logger.info(
        { component: "heartbeat", agentId: payload.agentId, reason: payload.reason },
        `Heartbeat skipped reason=${payload.reason}`,
      );
    else
      this.options.logger.info(
        { component: "heartbeat", agentId: payload.agentId, status: payload.status },
        `heartbeat: ${payload.status}`,
      );
    try {
      this.options.emit?.(payload);
    } catch {
      // a listener's failure is not the heartbeat's
    }
    return payload;
  }

  /** Is there anything for the model to do? Reads HEARTBEAT.md (absent: the prompt decides). */
  private async emptyChecklist(agentId: string): Promise<boolean> {
    try {
      const text = await readFile(path.join(this.options.workspaceDir(agentId), "HEARTBEAT.md"), "utf8");
      return isEffectivelyEmpty(text);
    } catch {
      return false;
    }
  }

  private alertsDisabled(): boolean {
    const channels = (this.options.config().channels ?? {}) as {
      defaults?: { heartbeat?: { showOk?: boolean; showAlerts?: boolean; useIndicator?: boolean } };
    };
    const visibility = channels.defaults?.heartbeat ?? {};
    return visibility.showOk !== true && visibility.showAlerts === false && visibility.useIndicator === false;
  }

  /** `heartbeat: unknown accountId` when the target channel has no such account. */
  private unknownAccount(channel: string, accountId: string | undefined): boolean {
    if (!accountId) return false;
    const block = (
      (this.options.config().channels ?? {}) as Record<string, { accounts?: Record<string, unknown> }>
    )[channel];
    if (!block) return true;
    return block.accounts ? !(accountId in block.accounts) : accountId !== "default";
  }

  /**
   * One heartbeat for the agent: `interval` runs obey every check; `wake` (a system event with
   * mode `now`) skips the quiet-hours and empty-checklist checks, since there is an event to handle.
   */
  async runOnce(agentId: string, reason: "interval" | "wake" | string): Promise<HeartbeatEventPayload> {
    const ts = this.clock.now();
    const agent = this.agents().find((entry) => entry.agentId === agentId);
    const skip = (why: string) => this.finish({ ts, status: "skipped", agentId, reason: why });
    if (!agent) return skip("no-agent");
    const { settings } = agent;
    const manual = reason !== "interval";
    if (!this.enabled && !manual) return skip("disabled");
    if (!manual && !withinActiveHours(ts, settings.activeHours)) return skip("quiet-hours");
    if (this.alertsDisabled()) return skip("alerts-disabled");
    const sessionKey = this.mainKey(agentId, settings);
    const hasEvents = (this.pending.get(agentId) ?? 0) > 0;
    if (!manual && !hasEvents && (await this.emptyChecklist(agentId))) return skip("empty-heartbeat-file");
    if (this.inFlight.has(agentId)) return skip("requests-in-flight");
    if (settings.skipWhenBusy !== false && this.options.busy?.(sessionKey)) return skip("requests-in-flight");
    const target = settings.target ?? "none";
    if (target !== "none" && target !== "last" && this.unknownAccount(target, settings.accountId)) {
      this.options.logger.warn(
        { component: "heartbeat", agentId, channel: target, accountId: settings.accountId },
        "heartbeat: unknown accountId",
      );
      return this.finish({ ts, status: "failed", agentId, reason: "unknown-account", channel: target });
    }
    this.inFlight.add(agentId);
    this.pending.delete(agentId);
    try {
      return await this.turn(agentId, settings, sessionKey, ts);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return this.finish({
        ts,
        status: "failed",
        agentId,
        reason: message,
        durationMs: this.clock.now() - ts,
      });
    } finally {
      this.inFlight.delete(agentId);
    }
  }

  private async turn(
    agentId: string,
    settings: HeartbeatSettings,
    sessionKey: string,
    ts: number,
  ): Promise<HeartbeatEventPayload> {
    const assistant = await this.options.assistant();
    const handle = assistant.submit({
      sessionKey,
      agentId,
      text: settings.prompt ?? DEFAULT_HEARTBEAT_PROMPT,
      ...(settings.model ? { model: settings.model } : {}),
      sender: { id: "heartbeat", name: "heartbeat", channel: "system", authorized: true },
    });
    const result = await handle.result;
    const durationMs = this.clock.now() - ts;
    if (result.status === "error")
      return this.finish({
        ts,
        status: "failed",
        agentId,
        reason: result.text || "the turn failed",
        durationMs,
      });
    const reply = result.payloads
      .map((payload) => payload.text)
      .join("\n\n")
      .trim();
    if (!reply) return this.finish({ ts, status: "ok-empty", agentId, durationMs, silent: true });
    const stripped = stripHeartbeatToken(reply, settings.ackMaxChars ?? DEFAULT_ACK_MAX_CHARS);
    if (stripped.ack) return this.finish({ ts, status: "ok-token", agentId, durationMs, silent: true });
    const preview = stripped.text.slice(0, 200);
    const route = await this.route(assistant, agentId, settings, sessionKey);
    if (!route)
      return this.finish({ ts, status: "skipped", agentId, reason: "no-target", preview, durationMs });
    if (!this.options.deliver)
      return this.finish({
        ts,
        status: "failed",
        agentId,
        reason: "no channel delivery",
        preview,
        durationMs,
      });
    await this.options.deliver({
      ...route,
      text: stripped.text,
      idempotencyKey: `heartbeat:${agentId}:${ts}`,
    });
    return this.finish({
      ts,
      status: "sent",
      agentId,
      channel: route.channel,
      to: route.to,
      preview,
      durationMs,
    });
  }

  private async route(
    assistant: AutomationAssistant,
    agentId: string,
    settings: HeartbeatSettings,
    sessionKey: string,
  ): Promise<{ channel: string; to: string; accountId?: string } | undefined> {
    const target = settings.target ?? "none";
    if (target === "none") return undefined;
    if (target === "last") {
      const entry = (await assistant.sessions.get(sessionKey)) as
        | { lastChannel?: string; lastTo?: string; lastAccountId?: string }
        | undefined;
      if (!entry?.lastChannel || !(settings.to ?? entry.lastTo)) return undefined;
      return {
        channel: entry.lastChannel,
        to: settings.to ?? entry.lastTo!,
        ...((settings.accountId ?? entry.lastAccountId)
          ? { accountId: settings.accountId ?? entry.lastAccountId }
          : {}),
      };
    }
    if (!settings.to) return undefined;
    void agentId;
    return {
      channel: target,
      to: settings.to,
      ...(settings.accountId ? { accountId: settings.accountId } : {}),
    };
  }

  async idle(): Promise<void> {
    while (this.work.size) await Promise.all([...this.work]);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) this.clock.clearTimeout(timer);
    this.timers.clear();
  }
}
