import { z } from "zod";
import { PresenceEntrySchema } from "../handshake.js";
import { lazy } from "../lazy.js";
import { EmptyParamsSchema, NonEmptyStringSchema, OkResultSchema, TimestampMsSchema } from "./primitives.js";

// health ---------------------------------------------------------------------------------------

/**
 * `health` params. Open: the real gateway ignores unknown keys here (probe-unknown.jsonl sends
 * `{ bogus: 1 }` and gets the summary), and so do we.
 */
export const HealthParamsSchema = lazy(() =>
  z.looseObject({
    probe: z.boolean().optional(),
    timeoutMs: z.int().positive().optional(),
  }),
);

export const HealthSummarySchema = lazy(() =>
  z.looseObject({
    ok: z.boolean(),
    ts: TimestampMsSchema,
    durationMs: z.number().nonnegative().optional(),
    channels: z.record(z.string(), z.unknown()).optional(),
    channelOrder: z.array(z.string()).optional(),
    channelLabels: z.record(z.string(), z.string()).optional(),
    heartbeatSeconds: z.number().optional(),
    defaultAgentId: z.string().optional(),
    agents: z.array(z.looseObject({ agentId: z.string(), isDefault: z.boolean().optional() })).optional(),
    sessions: z
      .looseObject({
        path: z.string().optional(),
        count: z.number().optional(),
        recent: z.array(z.unknown()),
      })
      .optional(),
  }),
);
export type HealthSummary = z.infer<typeof HealthSummarySchema>;

// status ---------------------------------------------------------------------------------------

/** `status` params; the 2026.9.6 CLI sends `includeChannelSummary` / `includeCliProjection`. */
export const StatusParamsSchema = lazy(() =>
  z.looseObject({
    includeChannelSummary: z.boolean().optional(),
    includeCliProjection: z.boolean().optional(),
  }),
);
export const StatusSummarySchema = lazy(() =>
  z.looseObject({
    runtimeVersion: z.string().optional(),
    heartbeat: z.unknown().optional(),
    channelSummary: z.array(z.unknown()).optional(),
    queuedSystemEvents: z.array(z.unknown()).optional(),
    sessions: z.unknown().optional(),
  }),
);
export type StatusSummary = z.infer<typeof StatusSummarySchema>;

// logs.tail ------------------------------------------------------------------------------------

export const LogsTailParamsSchema = lazy(() =>
  z.strictObject({
    cursor: z.int().nonnegative().optional(),
    limit: z.int().min(1).max(5000).optional(),
    maxBytes: z.int().min(1).max(1_000_000).optional(),
  }),
);
export const LogsTailResultSchema = lazy(() =>
  z.looseObject({
    file: z.string(),
    cursor: z.int().nonnegative(),
    size: z.int().nonnegative(),
    lines: z.array(z.string()),
    truncated: z.boolean().optional(),
    reset: z.boolean().optional(),
  }),
);
export type LogsTailResult = z.infer<typeof LogsTailResultSchema>;

// presence -------------------------------------------------------------------------------------

export const SystemPresenceParamsSchema = EmptyParamsSchema;
export const SystemPresenceResultSchema = lazy(() => z.array(PresenceEntrySchema));

export const SystemEventParamsSchema = lazy(() =>
  z.strictObject({
    text: NonEmptyStringSchema,
    deviceId: z.string().optional(),
    instanceId: z.string().optional(),
    host: z.string().optional(),
    ip: z.string().optional(),
    mode: z.string().optional(),
    version: z.string().optional(),
    platform: z.string().optional(),
    deviceFamily: z.string().optional(),
    modelIdentifier: z.string().optional(),
    lastInputSeconds: z.number().nonnegative().optional(),
    reason: z.string().optional(),
    roles: z.array(z.string()).optional(),
    scopes: z.array(z.string()).optional(),
    tags: z.array(z.string()).optional(),
  }),
);

// heartbeat / wake -----------------------------------------------------------------------------

export const WAKE_MODES = ["now", "next-heartbeat"] as const;
export const WakeParamsSchema = lazy(() =>
  z.strictObject({
    mode: z.enum(WAKE_MODES),
    text: NonEmptyStringSchema,
  }),
);
export const WakeResultSchema = OkResultSchema;

export const HEARTBEAT_STATUSES = ["sent", "ok-empty", "ok-token", "skipped", "failed"] as const;
/** Payload of the `heartbeat` event and result of `last-heartbeat` (null before the first run). */
export const HeartbeatEventPayloadSchema = lazy(() =>
  z.looseObject({
    ts: TimestampMsSchema,
    status: z.enum(HEARTBEAT_STATUSES),
    agentId: z.string().optional(),
    to: z.string().optional(),
    channel: z.string().optional(),
    preview: z.string().optional(),
    durationMs: z.number().nonnegative().optional(),
    hasMedia: z.boolean().optional(),
    reason: z.string().optional(),
    silent: z.boolean().optional(),
  }),
);
export type HeartbeatEventPayload = z.infer<typeof HeartbeatEventPayloadSchema>;
export const LastHeartbeatParamsSchema = EmptyParamsSchema;
export const LastHeartbeatResultSchema = lazy(() => HeartbeatEventPayloadSchema.nullable());

export const SetHeartbeatsParamsSchema = lazy(() => z.strictObject({ enabled: z.boolean() }));
export const SetHeartbeatsResultSchema = lazy(() =>
  z.looseObject({ ok: z.literal(true), enabled: z.boolean() }),
);

// models ---------------------------------------------------------------------------------------

/** Open: OpenClaw 2026.9.6's CLI sends `includeDetails` (not in its 2026.9.1 published schema); newer ones may send more. */
export const ModelsListParamsSchema = lazy(() =>
  z.looseObject({
    view: z.enum(["default", "configured", "all"]).optional(),
    includeDetails: z.boolean().optional(),
  }),
);
export const ModelChoiceSchema = lazy(() =>
  z.looseObject({
    id: z.string(),
    name: z.string().optional(),
    provider: z.string(),
    contextWindow: z.number().optional(),
    reasoning: z.boolean().optional(),
    input: z.array(z.string()).optional(),
    alias: z.string().optional(),
  }),
);
export type ModelChoice = z.infer<typeof ModelChoiceSchema>;
export const ModelsListResultSchema = lazy(() => z.looseObject({ models: z.array(ModelChoiceSchema) }));

// usage ----------------------------------------------------------------------------------------

export const UsageStatusParamsSchema = lazy(() => z.looseObject({}));
/** Provider usage windows (quota); a provider without a usage API reports an `error` line. */
export const UsageStatusResultSchema = lazy(() =>
  z.looseObject({
    updatedAt: TimestampMsSchema,
    providers: z.array(
      z.looseObject({
        provider: z.string(),
        displayName: z.string().optional(),
        windows: z.array(z.unknown()),
        error: z.string().optional(),
      }),
    ),
  }),
);

// channels -------------------------------------------------------------------------------------

export const ChannelsStatusParamsSchema = lazy(() =>
  z.strictObject({
    probe: z.boolean().optional(),
    timeoutMs: z.int().nonnegative().optional(),
    /** Only this channel. */
    channel: z.string().min(1).optional(),
  }),
);
export const ChannelAccountSnapshotSchema = lazy(() =>
  z.looseObject({
    accountId: z.string(),
    name: z.string().optional(),
    enabled: z.boolean().optional(),
    configured: z.boolean().optional(),
    linked: z.boolean().optional(),
    running: z.boolean().optional(),
    connected: z.boolean().optional(),
    lastError: z.string().nullable().optional(),
    lastInboundAt: z.number().nullable().optional(),
    lastOutboundAt: z.number().nullable().optional(),
  }),
);
export const ChannelsStatusResultSchema = lazy(() =>
  z.looseObject({
    ts: TimestampMsSchema,
    channelOrder: z.array(z.string()),
    channelLabels: z.record(z.string(), z.string()),
    channels: z.record(z.string(), z.unknown()),
    channelAccounts: z.record(z.string(), z.array(ChannelAccountSnapshotSchema)).optional(),
    channelDefaultAccountId: z.record(z.string(), z.string()).optional(),
  }),
);
export type ChannelsStatusResult = z.infer<typeof ChannelsStatusResultSchema>;

export const ChannelsLogoutParamsSchema = lazy(() =>
  z.strictObject({
    channel: NonEmptyStringSchema,
    accountId: z.string().optional(),
  }),
);
export const ChannelsLogoutResultSchema = lazy(() =>
  z.looseObject({
    channel: z.string(),
    accountId: z.string().optional(),
    cleared: z.boolean(),
  }),
);

// events -------------------------------------------------------------------------------------

export const TickEventPayloadSchema = lazy(() => z.looseObject({ ts: TimestampMsSchema }));
export const ShutdownEventPayloadSchema = lazy(() =>
  z.looseObject({
    reason: z.string(),
    restartExpectedMs: z.number().nonnegative().optional(),
  }),
);
export const PresenceEventPayloadSchema = lazy(() =>
  z.looseObject({ presence: z.array(PresenceEntrySchema) }),
);
export const TalkModeEventPayloadSchema = lazy(() =>
  z.looseObject({
    enabled: z.boolean(),
    phase: z.string().optional(),
  }),
);
export const VoicewakeChangedEventPayloadSchema = lazy(() =>
  z.looseObject({ triggers: z.array(z.string()) }),
);
export const UpdateAvailableEventPayloadSchema = lazy(() =>
  z.looseObject({
    currentVersion: z.string().optional(),
    latestVersion: z.string(),
    channel: z.string().optional(),
  }),
);
