import { z } from "zod";
import { ErrorShapeSchema } from "./errors.js";
import { lazy } from "./lazy.js";

/** `{ presence, health }` counters a broadcast event carries so clients can drop stale snapshots. */
export const StateVersionSchema = lazy(() =>
  z.strictObject({
    presence: z.int().nonnegative(),
    health: z.int().nonnegative(),
  }),
);
export type StateVersion = z.infer<typeof StateVersionSchema>;

/** Client → server call. */
export const RequestFrameSchema = lazy(() =>
  z.strictObject({
    type: z.literal("req"),
    id: z.string().min(1),
    method: z.string().min(1),
    params: z.unknown().optional(),
  }),
);
export type RequestFrame = z.infer<typeof RequestFrameSchema>;

/** Server → client answer to a `req` with the same `id`. */
export const ResponseFrameSchema = lazy(() =>
  z.strictObject({
    type: z.literal("res"),
    id: z.string().min(1),
    ok: z.boolean(),
    payload: z.unknown().optional(),
    error: ErrorShapeSchema.optional(),
  }),
);
export type ResponseFrame = z.infer<typeof ResponseFrameSchema>;

/** Server → client push. `seq` is per connection and increases by one per broadcast. */
export const EventFrameSchema = lazy(() =>
  z.strictObject({
    type: z.literal("event"),
    event: z.string().min(1),
    payload: z.unknown().optional(),
    seq: z.int().nonnegative().optional(),
    stateVersion: StateVersionSchema.optional(),
  }),
);
export type EventFrame = z.infer<typeof EventFrameSchema>;

/** Any frame on the socket, discriminated by `type`. */
export const GatewayFrameSchema = lazy(() =>
  z.discriminatedUnion("type", [RequestFrameSchema, ResponseFrameSchema, EventFrameSchema]),
);
export type GatewayFrame = z.infer<typeof GatewayFrameSchema>;
