import { z } from "zod";
import { lazy } from "../lazy.js";
import { SessionKeySchema, TimestampMsSchema } from "./primitives.js";

export const SessionsListParamsSchema = lazy(() =>
  z.strictObject({
    limit: z.int().min(1).optional(),
    activeMinutes: z.number().positive().optional(),
    includeGlobal: z.boolean().optional(),
    includeUnknown: z.boolean().optional(),
    includeDerivedTitles: z.boolean().optional(),
    includeLastMessage: z.boolean().optional(),
    label: z.string().optional(),
    spawnedBy: z.string().optional(),
    agentId: z.string().optional(),
    search: z.string().optional(),
  }),
);

export const SessionRowSchema = lazy(() =>
  z.looseObject({
    key: z.string(),
    kind: z.string().optional(),
    sessionId: z.string().optional(),
    updatedAt: z.number().nullable().optional(),
    label: z.string().optional(),
    displayName: z.string().optional(),
    channel: z.string().optional(),
    model: z.string().optional(),
    modelProvider: z.string().optional(),
    inputTokens: z.number().optional(),
    outputTokens: z.number().optional(),
    totalTokens: z.number().optional(),
    contextTokens: z.number().optional(),
  }),
);
export type SessionRow = z.infer<typeof SessionRowSchema>;

export const SessionsListResultSchema = lazy(() =>
  z.looseObject({
    ts: TimestampMsSchema,
    path: z.string(),
    count: z.int().nonnegative(),
    defaults: z.unknown().optional(),
    sessions: z.array(SessionRowSchema),
  }),
);
export type SessionsListResult = z.infer<typeof SessionsListResultSchema>;

export const SessionsPreviewParamsSchema = lazy(() =>
  z.strictObject({
    keys: z.array(SessionKeySchema).min(1).max(64),
    limit: z.int().min(1).max(100).optional(),
    maxChars: z.int().min(1).optional(),
  }),
);
export const SessionPreviewItemSchema = lazy(() =>
  z.looseObject({
    role: z.string(),
    text: z.string(),
    ts: z.number().optional(),
  }),
);
export const SessionsPreviewResultSchema = lazy(() =>
  z.looseObject({
    ts: TimestampMsSchema,
    previews: z.array(
      z.looseObject({
        key: z.string(),
        status: z.enum(["ok", "empty", "missing", "error"]),
        items: z.array(SessionPreviewItemSchema),
      }),
    ),
  }),
);

/** Live transcript updates of one session (`session.message` events) for this connection. */
export const SessionsMessagesSubscribeParamsSchema = lazy(() =>
  z.strictObject({
    key: SessionKeySchema,
    agentId: z.string().optional(),
    includeApprovals: z.boolean().optional(),
  }),
);
export const SessionsMessagesSubscribeResultSchema = lazy(() =>
  z.looseObject({ subscribed: z.boolean(), key: z.string() }),
);

const nullable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

/** Patch session settings; `null` clears a setting. */
export const SessionsPatchParamsSchema = lazy(() =>
  z.strictObject({
    key: SessionKeySchema,
    label: nullable(z.string().max(200)),
    thinkingLevel: nullable(z.string()),
    verboseLevel: nullable(z.string()),
    reasoningLevel: nullable(z.string()),
    responseUsage: nullable(z.enum(["off", "tokens", "full", "on"])),
    elevatedLevel: nullable(z.string()),
    execHost: nullable(z.string()),
    execSecurity: nullable(z.string()),
    execAsk: nullable(z.string()),
    execNode: nullable(z.string()),
    model: nullable(z.string()),
    spawnedBy: nullable(z.string()),
    spawnDepth: nullable(z.int().nonnegative()),
    sendPolicy: nullable(z.enum(["allow", "deny"])),
    groupActivation: nullable(z.enum(["mention", "always"])),
  }),
);
export const SessionsPatchResultSchema = lazy(() =>
  z.looseObject({
    ok: z.literal(true),
    key: z.string(),
    entry: z.record(z.string(), z.unknown()),
  }),
);

export const SessionsResetParamsSchema = lazy(() =>
  z.strictObject({
    key: SessionKeySchema,
    reason: z.enum(["new", "reset"]).optional(),
  }),
);
export const SessionsResetResultSchema = lazy(() =>
  z.looseObject({
    ok: z.literal(true),
    key: z.string(),
    sessionId: z.string(),
    previousSessionId: z.string().optional(),
  }),
);

export const SessionsDeleteParamsSchema = lazy(() =>
  z.strictObject({
    key: SessionKeySchema,
    deleteTranscript: z.boolean().optional(),
  }),
);
export const SessionsDeleteResultSchema = lazy(() =>
  z.looseObject({
    ok: z.literal(true),
    key: z.string(),
    deleted: z.boolean(),
    archived: z.array(z.string()).optional(),
  }),
);

export const SessionsCompactParamsSchema = lazy(() =>
  z.strictObject({
    key: SessionKeySchema,
    maxLines: z.int().min(1).optional(),
    instructions: z.string().optional(),
  }),
);
export const SessionsCompactResultSchema = lazy(() =>
  z.looseObject({
    ok: z.literal(true),
    key: z.string(),
    compacted: z.boolean(),
    reason: z.string().optional(),
    kept: z.int().nonnegative().optional(),
  }),
);
