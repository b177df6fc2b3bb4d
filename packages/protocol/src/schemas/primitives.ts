import { z } from "zod";
import { lazy } from "../lazy.js";

export const NonEmptyStringSchema = lazy(() => z.string().min(1));
/** Session keys such as `agent:main:main` (≤ 512 characters). */
export const SessionKeySchema = lazy(() => z.string().min(1).max(512));
/** Client-chosen key a side-effecting call is deduplicated by. */
export const IdempotencyKeySchema = lazy(() => z.string().min(1).max(256));
export const TimestampMsSchema = lazy(() => z.number().nonnegative());
/** Params of a method that takes none: absent, or an empty object. */
export const EmptyParamsSchema = lazy(() => z.strictObject({}));
/** `{ ok: true }` acknowledgement. */
export const OkResultSchema = lazy(() => z.looseObject({ ok: z.literal(true) }));
/** A payload the protocol does not constrain (a newer server may send anything here). */
export const UnknownRecordSchema = lazy(() => z.record(z.string(), z.unknown()));
