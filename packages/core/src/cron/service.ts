import { type Clock, systemClock } from "./clock.js";
import { page } from "./page.js";
import { CronInputError, nextRunAfter, validateSchedule } from "./schedule.js";
import { CronStore } from "./store.js";
import type {
  CronDeliveryStatus,
  CronEvent,
  CronJob,
  CronRunLogEntry,
  CronRunStatus,
  PendingDelivery,
} from "./types.js";

/** The longest the scheduler sleeps between two looks at its jobs (clock jumps, file edits). */
const MAX_TIMER_MS = 60_000;
/** How long the scheduler waits after a failed tick. */
const TICK_RETRY_MS = 5_000;

export interface AutomationLogger {
  debug(fields: Record<string, unknown>, message?: string): void;
  info(fields: Record<string, unknown>, message?: string): void;
  warn(fields: Record<string, unknown>, message?: string): void;
  error(fields: Record<string, unknown>, message?: string): void;
}

/** What running a job's payload gave. */
export interface RunOutcome {
  status: CronRunStatus;
  error?: string;
  summary?: string;
  sessionKey?: string;
  model?: string;
  /** A reply to deliver to a chat (isolated agent turns with delivery). */
  delivery?: Omit<PendingDelivery, "runAtMs" | "idempotencyKey" | "attempted">;
  /** Delivery was asked for but cannot happen (no target): recorded as not delivered. */
  deliveryError?: string;
}

export interface CronServiceOptions {
  stateDir: string;
  config(): Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  logger: AutomationLogger;
  emit?(event: CronEvent): void;
  /** Run a job's payload (system event, agent turn, command). */
  execute(job: CronJob, runAtMs: number): Promise<RunOutcome>;
  /** Send a reply through the channels' outbound path (idempotency key included). */
  deliver?(delivery: PendingDelivery): Promise<void>;
  /** Whether re-sending with the same idempotency key cannot duplicate on this channel. */
  idempotentChannel?(channel: string): boolean;
}

type CronConfig = {
  enabled?: boolean;
  store?: string;
  maxConcurrentRuns?: number;
  jobs?: ConfigJob[];
};
type ConfigJob = {
  id: string;
  name: string;
  enabled?: boolean;
  agentId?: string;
  schedule: CronJob["schedule"];
  payload: { kind: string; command?: string; [key: string]: unknown };
  [key: string]: unknown;
};

export type CronAddInput = Omit<CronJob, "id" | "createdAtMs" | "updatedAtMs" | "state" | "enabled"> & {
  enabled?: boolean;
};
export type CronPatch = Partial<Omit<CronAddInput, "enabled">> & { enabled?: boolean };

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The scheduler: jobs from `cron/jobs.json` and `cron.jobs[]`, one timer to the next due job
 * (at most 60 s away), at most `cron.maxConcurrentRuns` runs at a time. A job's next slot is
 * written before its run starts, so a crash never runs a slot twice; slots missed while the
 * gateway was down run once (coalesced). A reply to deliver is written before the send and
 * cleared after it, so a crash between run and delivery delivers once after the restart.
 */
export class CronService {
  readonly store: CronStore;
  private readonly clock: Clock;
  private readonly running = new Set<string>();
  private readonly queue: { id: string; force: boolean }[] = [];
  private readonly work = new Set<Promise<unknown>>();
  private timer: unknown;
  private started = false;
  private stopped = false;
  private nextWakeAtMs: number | undefined;
  private retryAtMs: number | undefined;

  constructor(private readonly options: CronServiceOptions) {
    this.clock = options.clock ?? systemClock;
    this.store = new CronStore({
      stateDir: options.stateDir,
      ...(this.cronConfig().store ? { storePath: this.cronConfig().store } : {}),
      onError: (message) => options.logger.error({ component: "cron", path: this.store.path }, message),
    });
  }

  private cronConfig(): CronConfig {
    return (this.options.config().cron ?? {}) as CronConfig;
  }

  /** `cron.enabled` and not `OPENCLAW_SKIP_CRON`. */
  get enabled(): boolean {
    const skip = (this.options.env ?? process.env).OPENCLAW_SKIP_CRON;
    return this.cronConfig().enabled !== false && !(skip && skip !== "0" && skip !== "false");
  }

  private maxConcurrent(): number {
    const value = this.cronConfig().maxConcurrentRuns;
    return typeof value === "number" && value >= 1 ? Math.floor(value) : 1;
  }

  /** Load jobs, settle runs a crash interrupted, resume pending deliveries, arm the timer. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.store.load();
    this.syncConfigJobs();
    const now = this.clock.now();
    let changed = false;
    for (const job of this.store.jobs.values()) {
      if (job.state.runningAtMs !== undefined) {
        changed = true;
        this.recordInterrupted(job);
      }
      if (this.planNext(job, now)) changed = true;
    }
    if (changed) await this.store.persist();
    for (const job of this.store.jobs.values())
      if (job.state.pendingDelivery) this.track(this.deliverPending(job));
    if (!this.enabled) {
      this.options.logger.warn(
        { component: "cron", jobs: this.store.jobs.size },
        "cron: scheduler disabled; jobs will not run automatically",
      );
      return;
    }
    this.arm();
  }

  private recordInterrupted(job: CronJob): void {
    const runAtMs = job.state.runningAtMs!;
    job.state.runningAtMs = undefined;
    const error = "interrupted: the gateway stopped during this run (not replayed)";
    Object.assign(job.state, {
      lastRunAtMs: runAtMs,
      lastStatus: "error",
      lastRunStatus: "error",
      lastError: error,
      consecutiveErrors: (job.state.consecutiveErrors ?? 0) + 1,
    });
    if (job.schedule.kind === "at") job.enabled = false;
    this.track(
      this.store.appendRun({
        ts: this.clock.now(),
        jobId: job.id,
        jobName: job.name,
        action: "finished",
        status: "error",
        error,
        runAtMs,
      }),
    );
  }

  /** Give a job without a next slot its first one; true when something changed. */
  private planNext(job: CronJob, now: number): boolean {
    if (!job.enabled || job.state.nextRunAtMs !== undefined) return false;
    if (job.schedule.kind === "at") {
      if (job.state.lastRunAtMs !== undefined) return false;
      const at = nextRunAfter(job.schedule, Number.NEGATIVE_INFINITY, job.createdAtMs);
      if (at === undefined) return false;
      job.state.nextRunAtMs = at;
      return true;
    }
    try {
      job.state.nextRunAtMs = nextRunAfter(job.schedule, now, job.createdAtMs);
    } catch (error) {
      job.state.lastError = errorText(error);
    }
    return true;
  }

  /** `cron.jobs[]` from the config become jobs (`source: "config"`), keeping their run state. */
  private syncConfigJobs(): void {
    const declared = this.cronConfig().jobs ?? [];
    const ids = new Set<string>();
    const now = this.clock.now();
    for (const entry of declared) {
      if (!entry || typeof entry.id !== "string") continue;
      ids.add(entry.id);
      const existing = this.store.jobs.get(entry.id);
      const payload: CronJob["payload"] =
        entry.payload.kind === "command" && typeof entry.payload.command === "string"
          ? { kind: "command", argv: ["sh", "-lc", entry.payload.command] }
          : (entry.payload as CronJob["payload"]);
      const job: CronJob = {
        id: entry.id,
        name: entry.name,
        enabled: entry.enabled !== false,
        ...(entry.agentId ? { agentId: entry.agentId } : {}),
        schedule: entry.schedule,
        sessionTarget: payload.kind === "agentTurn" ? "isolated" : "main",
        wakeMode: "next-heartbeat",
        payload,
        createdAtMs: existing?.createdAtMs ?? now,
        updatedAtMs: existing?.updatedAtMs ?? now,
        state: existing?.state ?? {},
        source: "config",
      };
      if (existing && JSON.stringify(existing.schedule) !== JSON.stringify(job.schedule))
        job.state.nextRunAtMs = undefined;
      this.store.jobs.set(job.id, job);
    }
    for (const job of [...this.store.jobs.values()])
      if (job.source === "config" && !ids.has(job.id)) this.store.jobs.delete(job.id);
  }

  private arm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.nextWakeAtMs = undefined;
    if (this.stopped || !this.enabled) return;
    let next: number | undefined;
    for (const job of this.store.jobs.values()) {
      const at = job.state.nextRunAtMs;
      if (!job.enabled || at === undefined || this.running.has(job.id)) continue;
      if (next === undefined || at < next) next = at;
    }
    const now = this.clock.now();
    this.nextWakeAtMs = next;
    let delay = next === undefined ? MAX_TIMER_MS : Math.min(Math.max(0, next - now), MAX_TIMER_MS);
    // after a failed tick, wait before the next attempt instead of spinning on the due job
    if (this.retryAtMs !== undefined) delay = Math.max(delay, this.retryAtMs - now);
    this.timer = this.clock.setTimeout(() => this.track(this.tick()), delay);
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    try {
      if (await this.store.reloadIfChanged()) {
        this.syncConfigJobs();
        for (const job of this.store.jobs.values()) this.planNext(job, this.clock.now());
      }
      const now = this.clock.now();
      const due = [...this.store.jobs.values()]
        .filter(
          (job) =>
            job.enabled &&
            job.state.nextRunAtMs !== undefined &&
            job.state.nextRunAtMs <= now &&
            !this.running.has(job.id) &&
            !this.queue.some((entry) => entry.id === job.id),
        )
        .sort((a, b) => a.state.nextRunAtMs! - b.state.nextRunAtMs!);
      for (const job of due) this.queue.push({ id: job.id, force: false });
      this.pump();
      this.retryAtMs = undefined;
    } catch (error) {
      this.retryAtMs = this.clock.now() + TICK_RETRY_MS;
      this.options.logger.error(
        { component: "cron", err: errorText(error) },
        `cron: timer tick failed: ${errorText(error)}`,
      );
    } finally {
      this.arm();
    }
  }

  private pump(): void {
    while (this.running.size < this.maxConcurrent() && this.queue.length) {
      const { id, force } = this.queue.shift()!;
      const job = this.store.jobs.get(id);
      if (!job || this.running.has(id)) continue;
      this.running.add(id);
      this.track(
        this.runJob(job, force).finally(() => {
          this.running.delete(id);
          this.pump();
          if (this.started && !this.stopped) this.arm();
        }),
      );
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    const tracked = promise.catch((error: unknown) => {
      this.options.logger.error({ component: "cron", err: errorText(error) }, `cron: ${errorText(error)}`);
    });
    this.work.add(tracked);
    void tracked.finally(() => this.work.delete(tracked));
    return promise;
  }

  private emit(event: CronEvent): void {
    try {
      this.options.emit?.(event);
    } catch {
      // a listener's failure is not the job's
    }
  }

  private async runJob(job: CronJob, force: boolean): Promise<void> {
    const runAtMs = this.clock.now();
    job.state.runningAtMs = runAtMs;
    job.state.nextRunAtMs =
      job.schedule.kind === "at" ? undefined : nextRunAfter(job.schedule, runAtMs, job.createdAtMs);
    if (force && job.schedule.kind === "at" && job.state.lastRunAtMs === undefined && !job.enabled)
      job.state.nextRunAtMs = undefined;
    await this.store.persist();
    this.emit({ jobId: job.id, action: "started", runAtMs });
    this.options.logger.info({ component: "cron", jobId: job.id, name: job.name }, "cron: job started");
    let outcome: RunOutcome;
    try {
      outcome = await this.options.execute(job, runAtMs);
    } catch (error) {
      outcome = { status: "error", error: errorText(error) };
    }
    const durationMs = Math.max(0, this.clock.now() - runAtMs);
    const ok = outcome.status !== "error";
    Object.assign(job.state, {
      runningAtMs: undefined,
      lastRunAtMs: runAtMs,
      lastStatus: outcome.status,
      lastRunStatus: outcome.status,
      lastError: outcome.error,
      lastDurationMs: durationMs,
      consecutiveErrors: ok ? 0 : (job.state.consecutiveErrors ?? 0) + 1,
    });
    if (job.schedule.kind === "at") job.enabled = false;
    let deliveryStatus: CronDeliveryStatus = "not-requested";
    let deliveryError = outcome.deliveryError;
    if (outcome.delivery) {
      job.state.pendingDelivery = {
        ...outcome.delivery,
        runAtMs,
        idempotencyKey: `cron:${job.id}:${runAtMs}`,
      };
    } else if (deliveryError) deliveryStatus = "not-delivered";
    // a reply to deliver is on disk before the send; other outcomes are written in the background
    if (job.state.pendingDelivery) await this.store.persist();
    else this.track(this.store.persist());
    if (job.state.pendingDelivery) {
      await this.deliverPending(job);
      deliveryStatus = job.state.lastDeliveryStatus ?? "unknown";
      deliveryError = job.state.lastDeliveryError;
    } else {
      job.state.lastDeliveryStatus = deliveryStatus;
      job.state.lastDelivered = false;
      job.state.lastDeliveryError = deliveryError;
    }
    const entry: CronRunLogEntry = {
      ts: this.clock.now(),
      jobId: job.id,
      jobName: job.name,
      action: "finished",
      status: outcome.status,
      runAtMs,
      durationMs,
      deliveryStatus,
      delivered: deliveryStatus === "delivered",
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(outcome.summary ? { summary: outcome.summary.slice(0, 2_000) } : {}),
      ...(outcome.sessionKey ? { sessionKey: outcome.sessionKey } : {}),
      ...(outcome.model ? { model: outcome.model } : {}),
      ...(deliveryError ? { deliveryError } : {}),
      ...(job.state.nextRunAtMs !== undefined ? { nextRunAtMs: job.state.nextRunAtMs } : {}),
    };
    await this.store.appendRun(entry);
    const level = outcome.status === "error" ? "warn" : "info";
    this.options.logger[level](
      { component: "cron", jobId: job.id, status: outcome.status, reason: outcome.error, durationMs },
      `cron: job finished status=${outcome.status}${outcome.error ? ` reason=${outcome.error}` : ""}`,
    );
    this.emit({
      jobId: job.id,
      action: "finished",
      status: outcome.status,
      runAtMs,
      durationMs,
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(outcome.summary ? { summary: outcome.summary.slice(0, 500) } : {}),
      ...(job.state.nextRunAtMs !== undefined ? { nextRunAtMs: job.state.nextRunAtMs } : {}),
    });
    if (job.deleteAfterRun && job.schedule.kind === "at" && ok && !job.state.pendingDelivery) {
      this.store.jobs.delete(job.id);
      this.emit({ jobId: job.id, action: "removed" });
    }
    this.track(this.store.persist());
  }

  /**
   * Send a job's pending reply once. A send that was started before a crash is re-sent only on
   * a channel whose sends are idempotent; otherwise it is reported uncertain, never doubled.
   */
  private async deliverPending(job: CronJob): Promise<void> {
    const pending = job.state.pendingDelivery;
    if (!pending) return;
    if (this.stopped) {
      // shutting down between the run and its delivery: the next start delivers it
      this.options.logger.info(
        { component: "cron", jobId: job.id },
        "cron: delivery left for the next start",
      );
      return;
    }
    const finish = async (status: CronDeliveryStatus, error?: string) => {
      job.state.pendingDelivery = undefined;
      job.state.lastDelivered = status === "delivered";
      job.state.lastDeliveryStatus = status;
      job.state.lastDeliveryError = error;
      if (job.deleteAfterRun && job.schedule.kind === "at" && status === "delivered")
        this.store.jobs.delete(job.id);
      await this.store.persist();
    };
    if (pending.attempted && !this.options.idempotentChannel?.(pending.channel)) {
      const error = "delivery uncertain after restart (not re-sent to avoid a duplicate)";
      this.options.logger.warn(
        { component: "cron", jobId: job.id, channel: pending.channel },
        `cron: ${error}`,
      );
      await finish("unknown", error);
      return;
    }
    if (!this.options.deliver) {
      await finish("not-delivered", "no channel delivery on this gateway");
      return;
    }
    pending.attempted = true;
    await this.store.persist();
    try {
      await this.options.deliver(pending);
      this.options.logger.info(
        { component: "cron", jobId: job.id, channel: pending.channel },
        "cron: reply delivered",
      );
      await finish("delivered");
    } catch (error) {
      this.options.logger.warn(
        { component: "cron", jobId: job.id, channel: pending.channel, err: errorText(error) },
        `cron: delivery failed: ${errorText(error)}`,
      );
      await finish("not-delivered", errorText(error));
    }
  }

  // ── the methods' operations ────────────────────────────────────────────────────────────────

  /** After a config edit: `cron.jobs[]` and `cron.enabled` apply without a restart. */
  applyConfig(): void {
    if (!this.started) return;
    this.syncConfigJobs();
    for (const job of this.store.jobs.values()) this.planNext(job, this.clock.now());
    this.track(this.store.persist());
    this.arm();
  }

  async refresh(): Promise<void> {
    if (await this.store.reloadIfChanged()) {
      this.syncConfigJobs();
      for (const job of this.store.jobs.values()) this.planNext(job, this.clock.now());
      this.arm();
    }
  }

  status() {
    return {
      enabled: this.enabled,
      storePath: this.store.path,
      jobs: this.store.jobs.size,
      nextWakeAtMs: this.enabled ? (this.nextWakeAtMs ?? null) : null,
      ...(this.store.error ? { storeError: this.store.error } : {}),
    };
  }

  list(options: { includeDisabled?: boolean; agentId?: string; query?: string } = {}): CronJob[] {
    const query = options.query?.toLowerCase();
    return [...this.store.jobs.values()]
      .filter((job) => options.includeDisabled || job.enabled)
      .filter((job) => !options.agentId || (job.agentId ?? "main") === options.agentId)
      .filter((job) => !query || job.name.toLowerCase().includes(query) || job.id.includes(query))
      .sort(
        (a, b) =>
          (a.state.nextRunAtMs ?? Number.MAX_SAFE_INTEGER) -
            (b.state.nextRunAtMs ?? Number.MAX_SAFE_INTEGER) || a.createdAtMs - b.createdAtMs,
      );
  }

  get(id: string): CronJob {
    const job = this.store.jobs.get(id);
    if (!job) throw new CronInputError(`unknown cron job: ${id}`);
    return job;
  }

  async add(input: CronAddInput, id: string): Promise<CronJob> {
    validateSchedule(input.schedule);
    const now = this.clock.now();
    const job: CronJob = {
      ...input,
      id,
      enabled: input.enabled !== false,
      createdAtMs: now,
      updatedAtMs: now,
      state: {},
    };
    if (job.schedule.kind === "every" && job.schedule.anchorMs === undefined) job.schedule.anchorMs = now;
    this.store.jobs.set(id, job);
    this.planNext(job, now);
    await this.store.persist();
    this.emit({
      jobId: id,
      action: "added",
      ...(job.state.nextRunAtMs ? { nextRunAtMs: job.state.nextRunAtMs } : {}),
    });
    if (this.started) this.arm();
    return job;
  }

  async update(id: string, patch: CronPatch): Promise<CronJob> {
    const job = this.get(id);
    if (job.source === "config")
      throw new CronInputError(`cron job ${id} is declared in the config (cron.jobs); edit it there`);
    if (patch.schedule) validateSchedule(patch.schedule);
    const scheduleChanged = patch.schedule && JSON.stringify(patch.schedule) !== JSON.stringify(job.schedule);
    const enabling = patch.enabled === true && !job.enabled;
    Object.assign(job, patch, { updatedAtMs: this.clock.now() });
    if (scheduleChanged || enabling || patch.enabled === false) {
      job.state.nextRunAtMs = undefined;
      if (enabling && job.schedule.kind === "at") job.state.lastRunAtMs = undefined;
      this.planNext(job, this.clock.now());
    }
    await this.store.persist();
    this.emit({ jobId: id, action: "updated" });
    if (this.started) this.arm();
    return job;
  }

  async remove(id: string): Promise<boolean> {
    const job = this.store.jobs.get(id);
    if (!job) return false;
    if (job.source === "config")
      throw new CronInputError(`cron job ${id} is declared in the config (cron.jobs); remove it there`);
    this.store.jobs.delete(id);
    await this.store.persist();
    await this.store.removeRuns(id);
    this.emit({ jobId: id, action: "removed" });
    if (this.started) this.arm();
    return true;
  }

  /** `force` runs now; `due` only when its slot has come; `if-enabled` when the job is enabled. */
  async run(
    id: string,
    mode: "due" | "force" | "if-enabled" = "force",
  ): Promise<{ ran: boolean; reason?: string }> {
    const job = this.get(id);
    if (this.running.has(id)) return { ran: false, reason: "already-running" };
    if (
      mode === "due" &&
      !(job.enabled && (job.state.nextRunAtMs ?? Number.POSITIVE_INFINITY) <= this.clock.now())
    )
      return { ran: false, reason: "not-due" };
    if (mode === "if-enabled" && !job.enabled) return { ran: false, reason: "disabled" };
    this.running.add(id);
    this.track(
      this.runJob(job, true).finally(() => {
        this.running.delete(id);
        this.pump();
        if (this.started && !this.stopped) this.arm();
      }),
    );
    return { ran: true };
  }

  async runs(id: string, limit = 50, offset = 0) {
    const { items, ...paging } = page(await this.store.readRuns(id), offset, limit);
    return { entries: items, ...paging };
  }

  /** Resolves when no run, delivery or write is in flight. */
  async idle(): Promise<void> {
    while (this.work.size) await Promise.all([...this.work]);
    await this.store.flush();
  }

  /** Stop the timer (runs in flight finish on their own; their state is written). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.store.flush();
  }
}
