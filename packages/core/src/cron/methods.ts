import { randomUUID } from "node:crypto";
import { OpenClawError } from "@openclaw/protocol/base";
import type { CoreMethods, MethodContext } from "../methods/context.js";
import type { Automation } from "./automation.js";
import { page } from "./page.js";
import type { CronAddInput, CronPatch } from "./service.js";
import type { CronJob } from "./types.js";

/** Channel ids a job may deliver to besides the configured ones (`last`: the main chat). */
const KNOWN_CHANNELS = new Set([
  "telegram",
  "discord",
  "slack",
  "whatsapp",
  "signal",
  "imessage",
  "googlechat",
  "msteams",
]);

/** The gateway's automation (started at gateway start when needed, else now). */
export async function automationOf(ctx: MethodContext): Promise<Automation> {
  const { automationFor } = await import("./automation.js");
  return automationFor(ctx.stateDir, () => ({
    stateDir: ctx.stateDir,
    config: ctx.config,
    logger: ctx.logger,
    broadcast: (event, payload) => ctx.broadcast(event, payload),
    assistant: () => ctx.assistant(),
  }));
}

/** Bad input from the scheduler (schedule, zone, unknown job) answers INVALID_REQUEST. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Error && (error as { code?: string }).code === "INVALID_REQUEST")
      throw new OpenClawError("INVALID_REQUEST", error.message);
    throw error;
  }
}

/** A delivery channel must be configured (or `last`); a main-session job runs a system event. */
function checkJob(job: Partial<CronAddInput>, config: Record<string, unknown>): void {
  const channels = Object.keys((config.channels ?? {}) as Record<string, unknown>).filter(
    (id) => id !== "defaults",
  );
  const channel =
    job.delivery?.channel ??
    (job.payload?.kind === "agentTurn" && job.payload.deliver ? job.payload.channel : undefined);
  if (channel && channel !== "last" && !channels.includes(channel)) {
    const known = KNOWN_CHANNELS.has(channel);
    throw new OpenClawError(
      "INVALID_REQUEST",
      known
        ? `channel "${channel}" is not configured on this gateway (configured: ${channels.join(", ") || "none"})`
        : `unknown channel "${channel}" (configured: ${channels.join(", ") || "none"}; or "last")`,
    );
  }
  if (job.sessionTarget === "main" && job.payload && job.payload.kind === "agentTurn")
    throw new OpenClawError(
      "INVALID_REQUEST",
      'sessionTarget "main" runs a system event; use "isolated" for an agent message',
    );
  if (job.sessionTarget === "isolated" && job.payload?.kind === "systemEvent")
    throw new OpenClawError(
      "INVALID_REQUEST",
      'a system event goes to the main session; use sessionTarget "main"',
    );
}

const jobRef = (params: { id?: string; jobId?: string }) => (params.id ?? params.jobId)!;
const publicJob = (job: CronJob) => {
  const { pendingDelivery: _pending, ...state } = job.state;
  return { ...job, state };
};

/** How a handler finds the gateway's automation (default: by state dir, else made from the context). */
export type AutomationResolver = (ctx: MethodContext) => Promise<Automation>;

/**
 * `cron.*`: the scheduler's jobs and runs (OpenClaw's scopes: reads `operator.read`, changes
 * `operator.admin`). An embedding gateway passes its own resolver (one with channel delivery).
 */
export const cronMethodsWith = (automationOf: AutomationResolver) =>
  ({
    "cron.status": async (_params, ctx) => {
      const automation = await automationOf(ctx);
      await automation.cron.refresh();
      return automation.cron.status();
    },
    "cron.list": async (params, ctx) => {
      const automation = await automationOf(ctx);
      await automation.cron.refresh();
      const all = automation.cron.list({
        includeDisabled:
          params.includeDisabled === true || params.enabled === "all" || params.enabled === "disabled",
        ...(params.agentId ? { agentId: params.agentId } : {}),
        ...(params.query ? { query: params.query } : {}),
      });
      const filtered = params.enabled === "disabled" ? all.filter((job) => !job.enabled) : all;
      const { items, ...paging } = page(filtered, params.offset ?? 0, params.limit ?? 200);
      return {
        jobs: items.map(publicJob),
        ...paging,
        snapshotRevision: automation.cron.store.snapshotRevision,
      };
    },
    "cron.add": async (params, ctx) => {
      checkJob(params, ctx.config());
      const automation = await automationOf(ctx);
      const { enabled, ...rest } = params;
      const input = { ...rest, ...(enabled === undefined ? {} : { enabled }) } as CronAddInput;
      return publicJob(await guarded(() => automation.cron.add(input, randomUUID())));
    },
    "cron.update": async (params, ctx) => {
      checkJob(params.patch as Partial<CronAddInput>, ctx.config());
      const automation = await automationOf(ctx);
      return publicJob(
        await guarded(() => automation.cron.update(jobRef(params), params.patch as CronPatch)),
      );
    },
    "cron.remove": async (params, ctx) => {
      const automation = await automationOf(ctx);
      const removed = await guarded(() => automation.cron.remove(jobRef(params)));
      return { ok: true as const, removed };
    },
    "cron.run": async (params, ctx) => {
      const automation = await automationOf(ctx);
      const result = await guarded(() => automation.cron.run(jobRef(params), params.mode ?? "force"));
      return { ok: true as const, ...result };
    },
    "cron.runs": async (params, ctx) => {
      const automation = await automationOf(ctx);
      const id = jobRef(params);
      const result = await automation.cron.runs(id, params.limit ?? 50, params.offset ?? 0);
      return { ...result, entries: params.sortDir === "asc" ? result.entries.reverse() : result.entries };
    },
  }) satisfies CoreMethods;

export const cronMethods = cronMethodsWith(automationOf);
