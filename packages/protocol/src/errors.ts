import { z } from "zod";
import type { ErrorShape } from "./error-codes.js";
import { lazy } from "./lazy.js";

export * from "./error-codes.js";

/**
 * `ErrorShape` as it travels in `res.error`. `code` stays an open string on the wire so a
 * client keeps working when a newer server adds a code; {@link OpenClawError} narrows it.
 */
export const ErrorShapeSchema = lazy(() =>
  z.strictObject({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    retryable: z.boolean().optional(),
    retryAfterMs: z.int().nonnegative().optional(),
  }),
);

// the schema and the zod-free interface describe the same value
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: Same<z.infer<typeof ErrorShapeSchema>, ErrorShape> = true;
void sameShape;
