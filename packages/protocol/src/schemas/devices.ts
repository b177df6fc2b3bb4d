import { z } from "zod";
import { lazy } from "../lazy.js";
import { ROLES } from "../scopes.js";
import { EmptyParamsSchema, NonEmptyStringSchema, TimestampMsSchema } from "./primitives.js";

/** A device waiting for approval (`device.pair.list` pending, `device.pair.requested` event). */
export const DevicePairRequestSchema = lazy(() =>
  z.looseObject({
    requestId: z.string(),
    deviceId: z.string(),
    publicKey: z.string(),
    displayName: z.string().optional(),
    platform: z.string().optional(),
    deviceFamily: z.string().optional(),
    clientId: z.string().optional(),
    clientMode: z.string().optional(),
    role: z.enum(ROLES).optional(),
    roles: z.array(z.string()).optional(),
    scopes: z.array(z.string()).optional(),
    remoteIp: z.string().optional(),
    silent: z.boolean().optional(),
    isRepair: z.boolean().optional(),
    ts: TimestampMsSchema,
  }),
);
export type DevicePairRequest = z.infer<typeof DevicePairRequestSchema>;

/** Summary of an issued device token (never the token itself). */
export const DeviceTokenSummarySchema = lazy(() =>
  z.looseObject({
    role: z.string(),
    scopes: z.array(z.string()),
    createdAtMs: TimestampMsSchema,
    rotatedAtMs: TimestampMsSchema.optional(),
    revokedAtMs: TimestampMsSchema.optional(),
    lastUsedAtMs: TimestampMsSchema.optional(),
  }),
);

export const PairedDeviceSchema = lazy(() =>
  z.looseObject({
    deviceId: z.string(),
    publicKey: z.string(),
    displayName: z.string().optional(),
    platform: z.string().optional(),
    deviceFamily: z.string().optional(),
    clientId: z.string().optional(),
    clientMode: z.string().optional(),
    role: z.string().optional(),
    roles: z.array(z.string()).optional(),
    scopes: z.array(z.string()).optional(),
    remoteIp: z.string().optional(),
    tokens: z.array(DeviceTokenSummarySchema).optional(),
    createdAtMs: TimestampMsSchema,
    approvedAtMs: TimestampMsSchema,
  }),
);
export type PairedDevice = z.infer<typeof PairedDeviceSchema>;

export const DevicePairListParamsSchema = EmptyParamsSchema;
export const DevicePairListResultSchema = lazy(() =>
  z.looseObject({
    pending: z.array(DevicePairRequestSchema),
    paired: z.array(PairedDeviceSchema),
  }),
);
export const DevicePairApproveParamsSchema = lazy(() => z.strictObject({ requestId: NonEmptyStringSchema }));
export const DevicePairApproveResultSchema = lazy(() =>
  z.looseObject({
    requestId: z.string(),
    device: PairedDeviceSchema,
  }),
);
export const DevicePairRejectParamsSchema = lazy(() => z.strictObject({ requestId: NonEmptyStringSchema }));
export const DevicePairRejectResultSchema = lazy(() =>
  z.looseObject({ requestId: z.string(), deviceId: z.string() }),
);
export const DevicePairRemoveParamsSchema = lazy(() => z.strictObject({ deviceId: NonEmptyStringSchema }));
export const DevicePairRemoveResultSchema = lazy(() =>
  z.looseObject({ deviceId: z.string(), removed: z.boolean() }),
);

export const DeviceTokenRotateParamsSchema = lazy(() =>
  z.strictObject({
    deviceId: NonEmptyStringSchema,
    role: z.enum(ROLES),
    scopes: z.array(z.string()).optional(),
  }),
);
export const DeviceTokenRotateResultSchema = lazy(() =>
  z.looseObject({
    deviceId: z.string(),
    role: z.string(),
    token: z.string(),
    scopes: z.array(z.string()),
    rotatedAtMs: TimestampMsSchema,
  }),
);
export const DeviceTokenRevokeParamsSchema = lazy(() =>
  z.strictObject({
    deviceId: NonEmptyStringSchema,
    role: z.enum(ROLES),
  }),
);
export const DeviceTokenRevokeResultSchema = lazy(() =>
  z.looseObject({
    deviceId: z.string(),
    role: z.string(),
    revokedAtMs: TimestampMsSchema,
  }),
);

export const DevicePairRequestedEventPayloadSchema = DevicePairRequestSchema;
export const DevicePairResolvedEventPayloadSchema = lazy(() =>
  z.looseObject({
    requestId: z.string(),
    deviceId: z.string(),
    decision: z.enum(["approved", "rejected"]),
    ts: TimestampMsSchema,
  }),
);
