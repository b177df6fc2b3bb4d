import { z } from "zod";
import { lazy } from "../lazy.js";
import { TimestampMsSchema } from "./primitives.js";

/** `doctor.memory.status`: the agent's memory index and whether embeddings work. */
export const DoctorMemoryStatusParamsSchema = lazy(() =>
  z.strictObject({
    /** Default: the default agent. */
    agentId: z.string().min(1).max(64).optional(),
    /** Embed a probe text now (one provider call) instead of reporting the last known state. */
    probe: z.boolean().optional(),
  }),
);

export const MemoryIndexStatusSchema = lazy(() =>
  z.looseObject({
    dbPath: z.string(),
    dbBytes: z.int().nonnegative(),
    workspaceDir: z.string(),
    files: z.int().nonnegative(),
    chunks: z.int().nonnegative(),
    embedded: z.int().nonnegative(),
    cacheEntries: z.int().nonnegative(),
    dirty: z.boolean(),
    lastSyncAt: TimestampMsSchema.optional(),
    fts: z.boolean(),
    vector: z.looseObject({ mode: z.enum(["sqlite-vec", "js"]), reason: z.string().optional() }),
    sources: z.array(z.string()),
    extraPaths: z.array(z.string()),
  }),
);

export const DoctorMemoryStatusResultSchema = lazy(() =>
  z.looseObject({
    agentId: z.string(),
    /** `openai`, `gemini`, `ollama`, `local`, a provider id; absent when search is keyword-only. */
    provider: z.string().optional(),
    model: z.string().optional(),
    embedding: z.looseObject({
      ok: z.boolean(),
      error: z.string().optional(),
      /** False when no probe ran (`probe: false`) and nothing is known yet. */
      checked: z.boolean().optional(),
    }),
    /** Absent when memory search is disabled for the agent. */
    index: MemoryIndexStatusSchema.optional(),
  }),
);
export type DoctorMemoryStatusResult = z.infer<typeof DoctorMemoryStatusResultSchema>;
