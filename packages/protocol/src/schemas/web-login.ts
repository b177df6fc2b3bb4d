import { z } from "zod";
import { lazy } from "../lazy.js";
import { NonEmptyStringSchema } from "./primitives.js";

// web.login.* — QR login of a device-linking channel (WhatsApp Web) from a gateway client (the
// Control UI): `start` hands out the QR, `wait` reports when the phone scanned it.

export const WebLoginStartParamsSchema = lazy(() =>
  z.strictObject({
    /** Start over even when a login is already waiting (a new QR). */
    force: z.boolean().optional(),
    /** How long to wait for the first QR, ms (default 30000). */
    timeoutMs: z.number().int().positive().optional(),
    verbose: z.boolean().optional(),
    accountId: z.string().optional(),
    /** The channel (default `whatsapp`). */
    channel: NonEmptyStringSchema.optional(),
  }),
);
export const WebLoginStartResultSchema = lazy(() =>
  z.looseObject({
    /** The QR as a `data:image/png;base64,…` URL; absent when already linked. */
    qrDataUrl: z.string().optional(),
    message: z.string(),
  }),
);

export const WebLoginWaitParamsSchema = lazy(() =>
  z.strictObject({
    /** How long to wait for the scan, ms (default 120000). */
    timeoutMs: z.number().int().positive().optional(),
    accountId: z.string().optional(),
    channel: NonEmptyStringSchema.optional(),
  }),
);
export const WebLoginWaitResultSchema = lazy(() =>
  z.looseObject({
    connected: z.boolean(),
    message: z.string(),
  }),
);
