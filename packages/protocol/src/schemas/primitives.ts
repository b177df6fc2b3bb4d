import { z } from "zod";

export const NonEmptyStringSchema = z.string().min(1);
/** Session keys such as `agent:main:main` (≤ 512 characters). */
export const SessionKeySchema = z.string().min(1).max(512);
/** Client-chosen key a side-effecting call is deduplicated by. */
export const IdempotencyKeySchema = z.string().min(1).max(256);
export const TimestampMsSchema = z.number().nonnegative();
/** Params of a method that takes none: absent, or an empty object. */
export const EmptyParamsSchema = z.strictObject({});
/** `{ ok: true }` acknowledgement. */
export const OkResultSchema = z.looseObject({ ok: z.literal(true) });
/** A payload the protocol does not constrain (a newer server may send anything here). */
export const UnknownRecordSchema = z.record(z.string(), z.unknown());
