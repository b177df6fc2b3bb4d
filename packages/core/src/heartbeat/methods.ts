import { OpenClawError } from "@openclaw/protocol/base";
import { type AutomationResolver, automationOf } from "../cron/methods.js";
import type { CoreMethods } from "../methods/context.js";

/**
 * System events and heartbeats: `wake` and `system-event` queue an event for the default
 * agent's main session (`now` runs a heartbeat for it at once, `next-heartbeat` leaves it for
 * the next one), `last-heartbeat` and `set-heartbeats` read and switch the runner.
 * `POST /hooks/wake` calls `wake`.
 */
export const heartbeatMethodsWith = (automationOf: AutomationResolver) =>
  ({
    wake: async (params, ctx) => {
      const text = params.text.trim();
      if (!text) throw new OpenClawError("INVALID_REQUEST", "wake needs a non-empty text");
      const automation = await automationOf(ctx);
      const queued = await automation.systemEvent(text, params.mode);
      return { ok: true, mode: params.mode, queued: queued.queued, sessionKey: queued.sessionKey };
    },
    "system-event": async (params, ctx) => {
      const text = params.text.trim();
      if (!text) throw new OpenClawError("INVALID_REQUEST", "system-event needs a non-empty text");
      const automation = await automationOf(ctx);
      const mode = params.mode === "now" ? "now" : "next-heartbeat";
      const queued = await automation.systemEvent(text, mode);
      return { ok: true, mode, queued: queued.queued, sessionKey: queued.sessionKey };
    },
    "last-heartbeat": async (_params, ctx) => (await automationOf(ctx)).heartbeat.last,
    "set-heartbeats": async (params, ctx) => {
      const automation = await automationOf(ctx);
      automation.heartbeat.enabled = params.enabled;
      ctx.logger.info(
        { component: "heartbeat", enabled: params.enabled },
        `heartbeat: ${params.enabled ? "enabled" : "disabled"}`,
      );
      return { ok: true as const, enabled: params.enabled };
    },
  }) satisfies CoreMethods;

export const heartbeatMethods = heartbeatMethodsWith(automationOf);
