import { z } from "zod";
import { lazy } from "../lazy.js";
import { NonEmptyStringSchema } from "./primitives.js";

// channels.pairing.* — DM pairing requests of channel senders (the codes `openclaw pairing approve`
// takes), for operators approving them from the Control UI.

export const ChannelPairingRequestSchema = lazy(() =>
  z.looseObject({
    channel: z.string(),
    /** The sender's id on the channel. */
    id: z.string(),
    code: z.string(),
    createdAt: z.string(),
    lastSeenAt: z.string().optional(),
    meta: z.record(z.string(), z.unknown()).optional(),
  }),
);

export const ChannelsPairingListParamsSchema = lazy(() =>
  z.strictObject({
    /** Only this channel (default: every configured channel). */
    channel: NonEmptyStringSchema.optional(),
    accountId: z.string().optional(),
  }),
);
export const ChannelsPairingListResultSchema = lazy(() =>
  z.looseObject({ requests: z.array(ChannelPairingRequestSchema) }),
);

export const ChannelsPairingApproveParamsSchema = lazy(() =>
  z.strictObject({ channel: NonEmptyStringSchema, code: NonEmptyStringSchema }),
);
export const ChannelsPairingApproveResultSchema = lazy(() =>
  z.looseObject({ ok: z.literal(true), request: ChannelPairingRequestSchema }),
);

export const ChannelsPairingDismissParamsSchema = ChannelsPairingApproveParamsSchema;
export const ChannelsPairingDismissResultSchema = lazy(() =>
  z.looseObject({ ok: z.literal(true), removed: z.boolean() }),
);
