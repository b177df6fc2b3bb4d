import { trackRun } from "../chat/runs.js";
import type { CoreMethods } from "../methods/context.js";

/** `agent` / `agent.wait`: one agent turn, acknowledged at once, and waiting for its end. */
export const agentsMethods = {
  agent: async (params, ctx) => {
    const assistant = await ctx.assistant();
    const handle = assistant.submit({
      text: params.message,
      idempotencyKey: params.idempotencyKey,
      ...(params.sessionKey ? { sessionKey: params.sessionKey } : {}),
      ...(params.agentId ? { agentId: params.agentId } : {}),
      ...(params.thinking ? { thinking: params.thinking } : {}),
      ...(params.extraSystemPrompt ? { extraSystemPrompt: params.extraSystemPrompt } : {}),
    });
    trackRun(assistant, handle.result);
    return {
      runId: handle.messageId,
      status: "accepted",
      acceptedAt: Date.now(),
      sessionKey: handle.sessionKey,
    };
  },

  "agent.wait": async (params, ctx) => {
    const assistant = await ctx.assistant();
    const status = await assistant.waitForRun(params.runId, params.timeoutMs);
    return { runId: params.runId, ...status };
  },
} satisfies CoreMethods;
