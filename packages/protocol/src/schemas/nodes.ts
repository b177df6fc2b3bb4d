import { z } from "zod";
import { lazy } from "../lazy.js";
import {
  EmptyParamsSchema,
  IdempotencyKeySchema,
  NonEmptyStringSchema,
  OkResultSchema,
  TimestampMsSchema,
} from "./primitives.js";

const nodeMetadata = lazy(() => ({
  displayName: z.string().optional(),
  platform: z.string().optional(),
  version: z.string().optional(),
  coreVersion: z.string().optional(),
  uiVersion: z.string().optional(),
  deviceFamily: z.string().optional(),
  modelIdentifier: z.string().optional(),
  caps: z.array(z.string()).optional(),
  commands: z.array(z.string()).optional(),
  permissions: z.record(z.string(), z.boolean()).optional(),
  remoteIp: z.string().optional(),
}));

export const NodePairRequestParamsSchema = lazy(() =>
  z.strictObject({
    nodeId: NonEmptyStringSchema,
    ...nodeMetadata,
    silent: z.boolean().optional(),
  }),
);
export const NodePairPendingSchema = lazy(() =>
  z.looseObject({
    requestId: z.string(),
    nodeId: z.string(),
    ...nodeMetadata,
    silent: z.boolean().optional(),
    isRepair: z.boolean().optional(),
    ts: TimestampMsSchema,
  }),
);
export const PairedNodeSchema = lazy(() =>
  z.looseObject({
    nodeId: z.string(),
    ...nodeMetadata,
    createdAtMs: TimestampMsSchema,
    approvedAtMs: TimestampMsSchema,
  }),
);
/** `pending` with the request an operator approves, or `paired` (a known node re-pairs silently). */
export const NodePairRequestResultSchema = lazy(() =>
  z.looseObject({
    status: z.enum(["pending", "paired"]),
    request: NodePairPendingSchema.optional(),
    node: PairedNodeSchema.optional(),
    created: z.boolean().optional(),
  }),
);
export const NodePairListParamsSchema = EmptyParamsSchema;
export const NodePairListResultSchema = lazy(() =>
  z.looseObject({
    pending: z.array(NodePairPendingSchema),
    paired: z.array(PairedNodeSchema),
  }),
);
export const NodePairApproveParamsSchema = lazy(() => z.strictObject({ requestId: NonEmptyStringSchema }));
export const NodePairApproveResultSchema = lazy(() =>
  z.looseObject({ requestId: z.string(), node: PairedNodeSchema }),
);
export const NodePairRejectParamsSchema = lazy(() => z.strictObject({ requestId: NonEmptyStringSchema }));
export const NodePairRejectResultSchema = lazy(() =>
  z.looseObject({ requestId: z.string(), nodeId: z.string() }),
);
export const NodePairRemoveParamsSchema = lazy(() => z.strictObject({ nodeId: NonEmptyStringSchema }));
export const NodePairRemoveResultSchema = lazy(() =>
  z.looseObject({ nodeId: z.string(), removed: z.boolean() }),
);
export const NodePairVerifyParamsSchema = lazy(() =>
  z.strictObject({
    nodeId: NonEmptyStringSchema,
    token: NonEmptyStringSchema,
  }),
);
export const NodePairVerifyResultSchema = lazy(() =>
  z.looseObject({
    ok: z.boolean(),
    node: PairedNodeSchema.optional(),
  }),
);

export const NodeSummarySchema = lazy(() =>
  z.looseObject({
    nodeId: z.string(),
    ...nodeMetadata,
    paired: z.boolean().optional(),
    connected: z.boolean().optional(),
    connectedAtMs: TimestampMsSchema.optional(),
    /** Declared commands the gateway refuses (`gateway.nodes.denyCommands`, or not allowed). */
    deniedCommands: z.array(z.string()).optional(),
    /** The pending pairing request, when the node is not paired yet. */
    pairingRequestId: z.string().optional(),
  }),
);
export type NodeSummary = z.infer<typeof NodeSummarySchema>;
export const NodeListParamsSchema = EmptyParamsSchema;
export const NodeListResultSchema = lazy(() =>
  z.looseObject({
    ts: TimestampMsSchema,
    nodes: z.array(NodeSummarySchema),
  }),
);
export const NodeDescribeParamsSchema = lazy(() => z.strictObject({ nodeId: NonEmptyStringSchema }));
export const NodeDescribeResultSchema = NodeSummarySchema;
export const NodeRenameParamsSchema = lazy(() =>
  z.strictObject({
    nodeId: NonEmptyStringSchema,
    displayName: NonEmptyStringSchema,
  }),
);
export const NodeRenameResultSchema = lazy(() =>
  z.looseObject({ nodeId: z.string(), displayName: z.string() }),
);

/** Operator → gateway: run a command on a node. */
export const NodeInvokeParamsSchema = lazy(() =>
  z.strictObject({
    nodeId: NonEmptyStringSchema,
    command: NonEmptyStringSchema,
    params: z.unknown().optional(),
    timeoutMs: z.int().nonnegative().optional(),
    idempotencyKey: IdempotencyKeySchema,
  }),
);
export const NodeInvokeErrorSchema = lazy(() =>
  z.looseObject({
    code: z.string().optional(),
    message: z.string().optional(),
  }),
);
export const NodeInvokeResultSchema = lazy(() =>
  z.looseObject({
    ok: z.boolean(),
    nodeId: z.string(),
    command: z.string(),
    payload: z.unknown().optional(),
    payloadJSON: z.string().nullable().optional(),
    error: NodeInvokeErrorSchema.optional(),
  }),
);

/** Node → gateway: the answer to a `node.invoke.request` event. */
export const NodeInvokeResultParamsSchema = lazy(() =>
  z.strictObject({
    id: NonEmptyStringSchema,
    nodeId: NonEmptyStringSchema,
    ok: z.boolean(),
    payload: z.unknown().optional(),
    payloadJSON: z.string().nullable().optional(),
    error: z.strictObject({ code: z.string().optional(), message: z.string().optional() }).optional(),
  }),
);
export const NodeInvokeResultAckSchema = OkResultSchema;

/** Node → gateway: an event the node observed (`voice.transcript`, `exec.finished`, …). */
export const NodeEventParamsSchema = lazy(() =>
  z.strictObject({
    event: NonEmptyStringSchema,
    payload: z.unknown().optional(),
    payloadJSON: z.string().nullable().optional(),
  }),
);
export const NodeEventResultSchema = OkResultSchema;

export const NodePendingPullParamsSchema = lazy(() =>
  z.strictObject({ limit: z.int().min(1).max(100).optional() }),
);
export const NodePendingItemSchema = lazy(() =>
  z.looseObject({
    id: z.string(),
    command: z.string(),
    paramsJSON: z.string().nullable().optional(),
    enqueuedAtMs: TimestampMsSchema,
  }),
);
export const NodePendingPullResultSchema = lazy(() =>
  z.looseObject({ items: z.array(NodePendingItemSchema) }),
);
export const NodePendingAckParamsSchema = lazy(() =>
  z.strictObject({ ids: z.array(NonEmptyStringSchema).min(1) }),
);
export const NodePendingAckResultSchema = lazy(() =>
  z.looseObject({
    ok: z.literal(true),
    acked: z.int().nonnegative(),
  }),
);

// events ---------------------------------------------------------------------------------------

export const NodeInvokeRequestEventPayloadSchema = lazy(() =>
  z.looseObject({
    id: z.string(),
    nodeId: z.string(),
    command: z.string(),
    paramsJSON: z.string().nullable().optional(),
    timeoutMs: z.number().optional(),
    idempotencyKey: z.string().optional(),
  }),
);
export type NodeInvokeRequestEventPayload = z.infer<typeof NodeInvokeRequestEventPayloadSchema>;
export const NodePairRequestedEventPayloadSchema = NodePairPendingSchema;
export const NodePairResolvedEventPayloadSchema = lazy(() =>
  z.looseObject({
    requestId: z.string(),
    nodeId: z.string(),
    decision: z.enum(["approved", "rejected"]),
    ts: TimestampMsSchema,
  }),
);
