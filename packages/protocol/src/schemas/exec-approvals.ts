import { z } from "zod";
import { lazy } from "../lazy.js";
import { EmptyParamsSchema, NonEmptyStringSchema, OkResultSchema, TimestampMsSchema } from "./primitives.js";

export const EXEC_SECURITY_MODES = ["deny", "allowlist", "full"] as const;
export const EXEC_ASK_MODES = ["off", "on-miss", "always"] as const;
export const EXEC_APPROVAL_DECISIONS = ["allow-once", "allow-always", "deny"] as const;
export type ExecApprovalDecision = (typeof EXEC_APPROVAL_DECISIONS)[number];

const policy = lazy(() => ({
  security: z.enum(EXEC_SECURITY_MODES).optional(),
  ask: z.enum(EXEC_ASK_MODES).optional(),
  askFallback: z.enum(EXEC_SECURITY_MODES).optional(),
  autoAllowSkills: z.boolean().optional(),
}));
export const ExecAllowlistEntrySchema = lazy(() =>
  z.looseObject({
    id: z.string().optional(),
    pattern: z.string(),
    lastUsedAt: z.number().optional(),
    lastUsedCommand: z.string().optional(),
    lastResolvedPath: z.string().optional(),
  }),
);
/** `~/.openclaw/exec-approvals.json` on the execution host. */
export const ExecApprovalsFileSchema = lazy(() =>
  z.looseObject({
    version: z.literal(1),
    socket: z.looseObject({ path: z.string().optional(), token: z.string().optional() }).optional(),
    defaults: z.looseObject(policy).optional(),
    agents: z
      .record(
        z.string(),
        z.looseObject({ ...policy, allowlist: z.array(ExecAllowlistEntrySchema).optional() }),
      )
      .optional(),
  }),
);
export type ExecApprovalsFile = z.infer<typeof ExecApprovalsFileSchema>;

export const ExecApprovalsGetParamsSchema = EmptyParamsSchema;
export const ExecApprovalsSnapshotSchema = lazy(() =>
  z.looseObject({
    path: z.string(),
    exists: z.boolean(),
    hash: z.string(),
    file: ExecApprovalsFileSchema,
    /** Why the file on disk cannot be used (every command is denied until it is fixed). */
    invalid: z.string().optional(),
  }),
);
export const ExecApprovalsSetParamsSchema = lazy(() =>
  z.strictObject({
    file: ExecApprovalsFileSchema,
    baseHash: z.string().optional(),
  }),
);
export const ExecApprovalsNodeGetParamsSchema = lazy(() => z.strictObject({ nodeId: NonEmptyStringSchema }));
export const ExecApprovalsNodeSetParamsSchema = lazy(() =>
  z.strictObject({
    nodeId: NonEmptyStringSchema,
    file: ExecApprovalsFileSchema,
    baseHash: z.string().optional(),
  }),
);

/** What is asking for approval. */
export const ExecApprovalRequestSchema = lazy(() =>
  z.looseObject({
    command: z.string(),
    commandArgv: z.array(z.string()).optional(),
    cwd: z.string().nullable().optional(),
    host: z.string().nullable().optional(),
    nodeId: z.string().nullable().optional(),
    security: z.string().nullable().optional(),
    ask: z.string().nullable().optional(),
    agentId: z.string().nullable().optional(),
    resolvedPath: z.string().nullable().optional(),
    sessionKey: z.string().nullable().optional(),
    reason: z.string().nullable().optional(),
    bindingHash: z.string().nullable().optional(),
  }),
);
export const ExecApprovalRequestParamsSchema = lazy(() =>
  z.strictObject({
    id: z.string().optional(),
    command: NonEmptyStringSchema,
    commandArgv: z.array(z.string()).optional(),
    cwd: z.string().nullable().optional(),
    host: z.string().nullable().optional(),
    nodeId: z.string().nullable().optional(),
    security: z.string().nullable().optional(),
    ask: z.string().nullable().optional(),
    agentId: z.string().nullable().optional(),
    resolvedPath: z.string().nullable().optional(),
    sessionKey: z.string().nullable().optional(),
    timeoutMs: z.int().min(1).optional(),
    /** Return at once with the id; the decision comes from `exec.approval.waitDecision`. */
    twoPhase: z.boolean().optional(),
    /** Why the host asks (`allowlist miss (/usr/bin/curl)`, `ask=always`). */
    reason: z.string().nullable().optional(),
    /** sha256 of the exact argv + cwd + env: the approval is good for that command only. */
    bindingHash: z.string().nullable().optional(),
  }),
);
export const ExecApprovalRequestResultSchema = lazy(() =>
  z.looseObject({
    id: z.string(),
    status: z.enum(["accepted", "resolved", "expired"]).optional(),
    decision: z.enum(EXEC_APPROVAL_DECISIONS).nullable().optional(),
    createdAtMs: TimestampMsSchema.optional(),
    expiresAtMs: TimestampMsSchema.optional(),
  }),
);
export const ExecApprovalWaitDecisionParamsSchema = lazy(() =>
  z.strictObject({
    id: NonEmptyStringSchema,
    timeoutMs: z.int().min(1).optional(),
    /** The command the host is about to run: a grant for another one is not handed out (nor used up). */
    bindingHash: z.string().optional(),
  }),
);
export const ExecApprovalWaitDecisionResultSchema = lazy(() =>
  z.looseObject({
    id: z.string(),
    decision: z.enum(EXEC_APPROVAL_DECISIONS).nullable(),
    /** For the node that asked: what the decision is bound to (see the request's `bindingHash`). */
    bindingHash: z.string().nullable().optional(),
  }),
);
export const ExecApprovalResolveParamsSchema = lazy(() =>
  z.strictObject({
    id: NonEmptyStringSchema,
    decision: z.enum(EXEC_APPROVAL_DECISIONS),
  }),
);
export const ExecApprovalResolveResultSchema = OkResultSchema;

export const ExecApprovalEntrySchema = lazy(() =>
  z.looseObject({
    id: z.string(),
    request: ExecApprovalRequestSchema,
    createdAtMs: TimestampMsSchema,
    expiresAtMs: TimestampMsSchema,
    decision: z.enum(EXEC_APPROVAL_DECISIONS).nullable().optional(),
    resolvedBy: z.string().nullable().optional(),
  }),
);
export const ExecApprovalGetParamsSchema = lazy(() => z.strictObject({ id: NonEmptyStringSchema }));
export const ExecApprovalListParamsSchema = EmptyParamsSchema;
export const ExecApprovalListResultSchema = lazy(() =>
  z.looseObject({ approvals: z.array(ExecApprovalEntrySchema) }),
);

export const ExecApprovalRequestedEventPayloadSchema = ExecApprovalEntrySchema;
export const ExecApprovalResolvedEventPayloadSchema = lazy(() =>
  z.looseObject({
    id: z.string(),
    decision: z.enum(EXEC_APPROVAL_DECISIONS),
    resolvedBy: z.string().nullable().optional(),
    ts: TimestampMsSchema,
  }),
);
