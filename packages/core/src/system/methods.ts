import { OpenClawError } from "@openclaw/protocol";
import { trackRun } from "../chat/runs.js";
import type { CoreMethods } from "../methods/context.js";

/** System events that reach the agent (`wake`; `POST /hooks/wake` calls it too). */
export const systemMethods = {
  /**
   * In the default agent's main session: `now` runs a turn with the event text at once;
   * `next-heartbeat` queues it as a system event that the session's next turn receives (the next
   * message — or heartbeat, once heartbeats run).
   */
  wake: async (params, ctx) => {
    const text = params.text.trim();
    if (!text) throw new OpenClawError("INVALID_REQUEST", "wake needs a non-empty text");
    const assistant = await ctx.assistant();
    if (params.mode === "next-heartbeat") {
      const queued = assistant.queueSystemEvent(undefined, text);
      return { ok: true, mode: params.mode, queued: queued.queued, sessionKey: queued.sessionKey };
    }
    const handle = assistant.submit({
      text: `System event: ${text}`,
      sender: { id: "system", name: "wake", channel: "system", authorized: true },
    });
    trackRun(assistant, handle.result);
    return { ok: true, mode: params.mode, runId: handle.messageId, sessionKey: handle.sessionKey };
  },
} satisfies CoreMethods;
