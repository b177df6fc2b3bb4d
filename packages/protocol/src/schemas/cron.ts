import { z } from "zod";
import { lazy } from "../lazy.js";
import { NonEmptyStringSchema, SessionKeySchema, TimestampMsSchema } from "./primitives.js";

export const CronScheduleSchema = lazy(() =>
  z.discriminatedUnion("kind", [
    z.strictObject({
      kind: z.literal("at"),
      /** ISO timestamp; without a zone it means UTC. */
      at: z.string().min(1).optional(),
      /** Early-2026 form. */
      atMs: TimestampMsSchema.optional(),
    }),
    z.strictObject({
      kind: z.literal("every"),
      everyMs: z.int().min(1),
      anchorMs: TimestampMsSchema.optional(),
    }),
    z.strictObject({
      kind: z.literal("cron"),
      expr: NonEmptyStringSchema,
      tz: z.string().optional(),
      staggerMs: z.int().nonnegative().optional(),
    }),
  ]),
);
export type CronSchedule = z.infer<typeof CronScheduleSchema>;

export const CronPayloadSchema = lazy(() =>
  z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("systemEvent"), text: NonEmptyStringSchema }),
    z.strictObject({
      kind: z.literal("agentTurn"),
      message: NonEmptyStringSchema,
      model: z.string().optional(),
      thinking: z.string().optional(),
      timeoutSeconds: z.int().min(1).optional(),
      deliver: z.boolean().optional(),
      channel: z.string().optional(),
      to: z.string().optional(),
      bestEffortDeliver: z.boolean().optional(),
    }),
    /** A shell command (`["sh","-lc",…]` or an exact argv); needs `operator.admin`. */
    z.strictObject({
      kind: z.literal("command"),
      argv: z.array(NonEmptyStringSchema).min(1),
      cwd: z.string().min(1).optional(),
      env: z.record(z.string().min(1), z.string()).optional(),
      input: z.string().optional(),
      timeoutSeconds: z.number().positive().optional(),
    }),
  ]),
);
export type CronPayload = z.infer<typeof CronPayloadSchema>;

export const CronDeliverySchema = lazy(() =>
  z.strictObject({
    mode: z.enum(["none", "announce", "webhook"]),
    channel: z.string().optional(),
    to: z.string().optional(),
    accountId: z.string().optional(),
    bestEffort: z.boolean().optional(),
  }),
);

export const CronJobStateSchema = lazy(() =>
  z.looseObject({
    nextRunAtMs: TimestampMsSchema.optional(),
    runningAtMs: TimestampMsSchema.optional(),
    lastRunAtMs: TimestampMsSchema.optional(),
    lastStatus: z.enum(["ok", "error", "skipped"]).optional(),
    lastRunStatus: z.enum(["ok", "error", "skipped"]).optional(),
    lastError: z.string().optional(),
    lastDurationMs: z.number().nonnegative().optional(),
    consecutiveErrors: z.int().nonnegative().optional(),
    lastDelivered: z.boolean().optional(),
    lastDeliveryStatus: z.enum(["delivered", "not-delivered", "unknown", "not-requested"]).optional(),
    lastDeliveryError: z.string().optional(),
  }),
);

const jobFields = lazy(() => ({
  agentId: z.string().optional(),
  sessionKey: SessionKeySchema.optional(),
  name: NonEmptyStringSchema,
  description: z.string().optional(),
  enabled: z.boolean(),
  deleteAfterRun: z.boolean().optional(),
  schedule: CronScheduleSchema,
  sessionTarget: z.enum(["main", "isolated"]),
  wakeMode: z.enum(["next-heartbeat", "now"]),
  payload: CronPayloadSchema,
  delivery: CronDeliverySchema.optional(),
}));

export const CronJobSchema = lazy(() =>
  z.looseObject({
    id: z.string(),
    ...jobFields,
    createdAtMs: TimestampMsSchema,
    updatedAtMs: TimestampMsSchema,
    state: CronJobStateSchema,
  }),
);
export type CronJob = z.infer<typeof CronJobSchema>;

/** `cron.list`: the 2026.9 CLI pages through `limit` (≤ 200) / `offset` and may filter. */
export const CronListParamsSchema = lazy(() =>
  z.strictObject({
    includeDisabled: z.boolean().optional(),
    limit: z.int().min(1).max(200).optional(),
    offset: z.int().nonnegative().optional(),
    query: z.string().optional(),
    enabled: z.enum(["all", "enabled", "disabled"]).optional(),
    agentId: NonEmptyStringSchema.optional(),
    sessionKey: NonEmptyStringSchema.optional(),
    sessionAgentId: NonEmptyStringSchema.optional(),
    scheduleKind: z.string().optional(),
    lastRunStatus: z.string().optional(),
    trigger: z.string().optional(),
    sortBy: z.string().optional(),
    sortDir: z.enum(["asc", "desc"]).optional(),
    compact: z.boolean().optional(),
    includeDeliveryPreviews: z.boolean().optional(),
  }),
);
/** One page of jobs with the inventory metadata the 2026.9 CLI checks. */
export const CronListResultSchema = lazy(() =>
  z.looseObject({
    jobs: z.array(CronJobSchema),
    total: z.int().nonnegative().optional(),
    offset: z.int().nonnegative().optional(),
    limit: z.int().min(1).optional(),
    hasMore: z.boolean().optional(),
    nextOffset: z.int().nonnegative().nullable().optional(),
    snapshotRevision: z.string().min(1).optional(),
  }),
);
export const CronStatusParamsSchema = lazy(() => z.strictObject({}));
export const CronStatusResultSchema = lazy(() =>
  z.looseObject({
    enabled: z.boolean(),
    storePath: z.string().optional(),
    jobs: z.int().nonnegative(),
    nextWakeAtMs: TimestampMsSchema.nullable().optional(),
    /** Why the jobs file could not be read (the last good jobs stay in use). */
    storeError: z.string().optional(),
  }),
);
export const CronAddParamsSchema = lazy(() =>
  z.strictObject({
    ...jobFields,
    enabled: z.boolean().optional(),
  }),
);
export const CronAddResultSchema = CronJobSchema;

const jobRef = lazy(() => ({ id: NonEmptyStringSchema.optional(), jobId: NonEmptyStringSchema.optional() }));
const requireRef = (value: { id?: string; jobId?: string }) =>
  value.id !== undefined || value.jobId !== undefined;
const refMessage = { message: "either id or jobId is required", path: ["id"] };

export const CronUpdateParamsSchema = lazy(() =>
  z.strictObject({ ...jobRef, patch: z.strictObject(jobFields).partial() }).refine(requireRef, refMessage),
);
export const CronUpdateResultSchema = CronJobSchema;
export const CronRemoveParamsSchema = lazy(() => z.strictObject(jobRef).refine(requireRef, refMessage));
export const CronRemoveResultSchema = lazy(() =>
  z.looseObject({ ok: z.literal(true), removed: z.boolean() }),
);
export const CronRunParamsSchema = lazy(() =>
  z
    .strictObject({
      ...jobRef,
      mode: z.enum(["due", "force", "if-enabled"]).optional(),
      expectedProcessInstanceId: NonEmptyStringSchema.optional(),
    })
    .refine(requireRef, refMessage),
);
export const CronRunResultSchema = lazy(() =>
  z.looseObject({
    ok: z.literal(true),
    ran: z.boolean(),
    reason: z.string().optional(),
  }),
);
export const CronRunLogEntrySchema = lazy(() =>
  z.looseObject({
    ts: TimestampMsSchema,
    jobId: z.string(),
    action: z.literal("finished"),
    status: z.enum(["ok", "error", "skipped"]),
    error: z.string().optional(),
    summary: z.string().optional(),
    sessionId: z.string().optional(),
    sessionKey: z.string().optional(),
    runAtMs: TimestampMsSchema.optional(),
    durationMs: z.number().nonnegative().optional(),
    nextRunAtMs: TimestampMsSchema.optional(),
    model: z.string().optional(),
    provider: z.string().optional(),
    usage: z.unknown().optional(),
  }),
);
export const CronRunsParamsSchema = lazy(() =>
  z
    .strictObject({
      ...jobRef,
      limit: z.int().min(1).max(5000).optional(),
      offset: z.int().nonnegative().optional(),
      scope: z.enum(["job", "all"]).optional(),
      agentId: NonEmptyStringSchema.optional(),
      status: z.string().optional(),
      query: z.string().optional(),
      sortDir: z.enum(["asc", "desc"]).optional(),
    })
    .refine(requireRef, refMessage),
);
export const CronRunsResultSchema = lazy(() =>
  z.looseObject({
    entries: z.array(CronRunLogEntrySchema),
    total: z.int().nonnegative().optional(),
    offset: z.int().nonnegative().optional(),
    limit: z.int().min(1).optional(),
    hasMore: z.boolean().optional(),
    nextOffset: z.int().nonnegative().nullable().optional(),
  }),
);

/** `cron` event: a job was added/updated/removed, or a run started/finished. */
export const CronEventPayloadSchema = lazy(() =>
  z.looseObject({
    jobId: z.string(),
    action: z.enum(["added", "updated", "removed", "started", "finished"]),
    status: z.enum(["ok", "error", "skipped"]).optional(),
    error: z.string().optional(),
    summary: z.string().optional(),
    runAtMs: TimestampMsSchema.optional(),
    durationMs: z.number().nonnegative().optional(),
    nextRunAtMs: TimestampMsSchema.optional(),
  }),
);
