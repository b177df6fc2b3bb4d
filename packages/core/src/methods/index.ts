/**
 * `@openclaw/core/methods`: core's gateway method handlers, one module per capability, merged
 * into the one table the gateway dispatches from. Light on purpose: the handlers import only
 * types from the rest of core and reach the assistant through `ctx.assistant()`, so loading this
 * table does not load the agent runtime.
 *
 * Adding a capability: write `<capability>/methods.ts` exporting `… satisfies CoreMethods`, and
 * spread it here.
 */
import { agentsMethods } from "../agents/methods.js";
import { chatMethods } from "../chat/methods.js";
import { type AutomationResolver, cronMethods, cronMethodsWith } from "../cron/methods.js";
import { dmPairingMethods } from "../dm-pairing/methods.js";
import { heartbeatMethods, heartbeatMethodsWith } from "../heartbeat/methods.js";
import { memoryMethods } from "../memory/methods.js";
import { modelsMethods } from "../models/methods.js";
import { sessionsMethods } from "../sessions/methods.js";
import { skillsMethods } from "../skills/methods.js";
import { systemMethods } from "../system/methods.js";
import type { CoreMethods } from "./context.js";

export { drainRuns } from "../chat/runs.js";
export type { AutomationResolver } from "../cron/methods.js";
export type { CoreMethodHandler, CoreMethods, MethodCaller, MethodContext, MethodLogger } from "./context.js";

export const coreMethods: CoreMethods = {
  ...chatMethods,
  ...agentsMethods,
  ...sessionsMethods,
  ...modelsMethods,
  ...systemMethods,
  ...heartbeatMethods,
  ...cronMethods,
  ...dmPairingMethods,
  ...memoryMethods,
  ...skillsMethods,
};

/**
 * The cron and heartbeat methods bound to a gateway's own automation (the assembly passes one
 * with channel delivery as a capability; it answers instead of the default ones).
 */
export function automationMethodsWith(resolve: AutomationResolver): CoreMethods {
  return { ...heartbeatMethodsWith(resolve), ...cronMethodsWith(resolve) };
}
