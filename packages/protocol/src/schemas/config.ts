import { z } from "zod";
import { lazy } from "../lazy.js";
import { EmptyParamsSchema, NonEmptyStringSchema, SessionKeySchema } from "./primitives.js";

export const ConfigIssueSchema = lazy(() =>
  z.looseObject({
    path: z.string(),
    message: z.string(),
  }),
);

export const ConfigGetParamsSchema = EmptyParamsSchema;
/** Snapshot of the config file; `hash` is the `baseHash` later writes must quote. */
export const ConfigGetResultSchema = lazy(() =>
  z.looseObject({
    path: z.string(),
    exists: z.boolean(),
    raw: z.string().nullable(),
    parsed: z.unknown().optional(),
    config: z.unknown().optional(),
    valid: z.boolean().optional(),
    hash: z.string().optional(),
    issues: z.array(ConfigIssueSchema).optional(),
    warnings: z.array(z.unknown()).optional(),
  }),
);
export type ConfigGetResult = z.infer<typeof ConfigGetResultSchema>;

/** Replace the whole file with `raw` (JSON5 text). */
export const ConfigSetParamsSchema = lazy(() =>
  z.strictObject({
    raw: z.string(),
    baseHash: z.string().optional(),
  }),
);
/** Apply a JSON merge patch (`raw`, JSON5 text of an object) to the current file. */
export const ConfigPatchParamsSchema = lazy(() =>
  z.strictObject({
    raw: z.string(),
    baseHash: z.string(),
    sessionKey: SessionKeySchema.optional(),
    note: z.string().optional(),
    restartDelayMs: z.int().nonnegative().optional(),
  }),
);
/** Validate, replace and restart (default delay 2000 ms). */
export const ConfigApplyParamsSchema = lazy(() =>
  z.strictObject({
    raw: z.string(),
    baseHash: z.string().optional(),
    sessionKey: SessionKeySchema.optional(),
    note: z.string().optional(),
    restartDelayMs: z.int().nonnegative().optional(),
  }),
);
export const ConfigWriteResultSchema = lazy(() =>
  z.looseObject({
    ok: z.literal(true),
    path: z.string(),
    hash: z.string().optional(),
    config: z.unknown().optional(),
    restart: z.looseObject({ scheduled: z.boolean(), delayMs: z.number().optional() }).optional(),
  }),
);
export type ConfigWriteResult = z.infer<typeof ConfigWriteResultSchema>;

export const ConfigSchemaParamsSchema = lazy(() => z.strictObject({ path: NonEmptyStringSchema.optional() }));
export const ConfigSchemaResultSchema = lazy(() =>
  z.looseObject({
    schema: z.unknown(),
    uiHints: z.record(z.string(), z.unknown()).optional(),
    version: z.string().optional(),
  }),
);
