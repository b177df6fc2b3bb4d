import { runCommand } from "./command.js";
import type { RunOutcome } from "./service.js";
import type { AutomationAssistant, CronJob } from "./types.js";

/** An isolated agent turn gets at most this long (OpenClaw's watchdog) unless the job says otherwise. */
const AGENT_TURN_WATCHDOG_MS = 60 * 60_000;

export interface ExecutorOptions {
  config(): Record<string, unknown>;
  assistant(): Promise<AutomationAssistant>;
  /** Queue a system event in the agent's main session; `now` runs a heartbeat for it at once. */
  systemEvent(agentId: string, text: string, mode: "now" | "next-heartbeat"): Promise<void>;
}

function defaultAgentId(config: Record<string, unknown>): string {
  const list = ((config.agents ?? {}) as { list?: { id?: string; default?: boolean }[] }).list ?? [];
  return ((list.find((agent) => agent.default) ?? list[0])?.id ?? "main").toLowerCase();
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms / 1000)}s`)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Where an isolated run's reply goes, from `delivery` (newer) or the payload's `deliver/channel/to`. */
function deliveryTarget(job: CronJob): { channel: string; to?: string; accountId?: string } | undefined {
  if (job.delivery) {
    if (job.delivery.mode !== "announce") return undefined;
    return {
      channel: job.delivery.channel ?? "last",
      ...(job.delivery.to ? { to: job.delivery.to } : {}),
      ...(job.delivery.accountId ? { accountId: job.delivery.accountId } : {}),
    };
  }
  const payload = job.payload;
  if (payload.kind !== "agentTurn" || !payload.deliver) return undefined;
  return { channel: payload.channel ?? "last", ...(payload.to ? { to: payload.to } : {}) };
}

/** Runs a job's payload: a system event, an isolated agent turn, or a shell command. */
export function createExecutor(options: ExecutorOptions) {
  async function agentTurn(job: CronJob, runAtMs: number): Promise<RunOutcome> {
    const payload = job.payload as Extract<CronJob["payload"], { kind: "agentTurn" }>;
    const agentId = (job.agentId ?? defaultAgentId(options.config())).toLowerCase();
    const assistant = await options.assistant();
    const sessionKey = job.sessionKey ?? `agent:${agentId}:cron:${job.id}`;
    const handle = assistant.submit({
      sessionKey,
      agentId,
      text: `[cron:${job.id} ${job.name}] ${payload.message}`,
      idempotencyKey: `cron:${job.id}:${runAtMs}`,
      ...(payload.model ? { model: payload.model } : {}),
      ...(payload.thinking ? { thinking: payload.thinking } : {}),
      sender: { id: "cron", name: `cron:${job.id}`, channel: "system", authorized: true },
    });
    const timeoutMs = payload.timeoutSeconds ? payload.timeoutSeconds * 1000 : AGENT_TURN_WATCHDOG_MS;
    const result = await withTimeout(handle.result, timeoutMs, "the agent turn");
    const text = result.payloads
      .map((part) => part.text)
      .join("\n\n")
      .trim();
    const outcome: RunOutcome = {
      status: result.status === "error" ? "error" : "ok",
      sessionKey: result.sessionKey,
      summary: text || result.text,
      ...(result.model ? { model: result.model } : {}),
      ...(result.status === "error" ? { error: result.error?.message ?? result.text } : {}),
    };
    const target = deliveryTarget(job);
    if (!target || outcome.status === "error") return outcome;
    if (!text) return { ...outcome, deliveryError: "nothing to deliver (empty reply)" };
    let { channel, to, accountId } = target;
    if (channel === "last" || !to) {
      const entry = (await assistant.sessions.get(`agent:${agentId}:main`)) as
        | { lastChannel?: string; lastTo?: string; lastAccountId?: string }
        | undefined;
      if (channel === "last") channel = entry?.lastChannel ?? "";
      to ??= entry?.lastChannel === channel ? entry?.lastTo : undefined;
      accountId ??= entry?.lastChannel === channel ? entry?.lastAccountId : undefined;
    }
    if (!channel || !to)
      return {
        ...outcome,
        deliveryError: "no delivery target (no chat has talked to this agent yet; set --channel and --to)",
      };
    return { ...outcome, delivery: { channel, to, text, ...(accountId ? { accountId } : {}) } };
  }

  return async function execute(job: CronJob, runAtMs: number): Promise<RunOutcome> {
    const payload = job.payload;
    if (payload.kind === "systemEvent") {
      const agentId = (job.agentId ?? defaultAgentId(options.config())).toLowerCase();
      await options.systemEvent(agentId, payload.text, job.wakeMode === "now" ? "now" : "next-heartbeat");
      return { status: "ok", summary: payload.text };
    }
    if (payload.kind === "agentTurn") return agentTurn(job, runAtMs);
    const result = await runCommand(payload);
    return {
      status: result.ok ? "ok" : "error",
      summary: result.output.trim().slice(-2_000),
      ...(result.error ? { error: result.error } : {}),
    };
  };
}
