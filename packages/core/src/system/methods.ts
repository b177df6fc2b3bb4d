import type { CoreMethods } from "../methods/context.js";

/**
 * System methods answered by core. `wake`, `system-event`, `last-heartbeat` and
 * `set-heartbeats` live with the heartbeat runner (`heartbeat/methods.ts`).
 */
export const systemMethods = {} satisfies CoreMethods;
