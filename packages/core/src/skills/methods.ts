import { OpenClawError } from "@openclaw/protocol/base";
import { defaultAgentOf } from "../memory/methods.js";
import type { CoreMethods, MethodContext } from "../methods/context.js";

async function skillsOf(ctx: MethodContext) {
  const assistant = await ctx.assistant();
  if (!assistant.skills) throw new OpenClawError("UNAVAILABLE", "skills are not available in this gateway");
  return assistant.skills();
}

/** `skills.status` (what the real CLI's `skills list|info|check` render) and `skills.bins` (nodes). */
export const skillsMethods = {
  "skills.status": async (params, ctx) => {
    const skills = await skillsOf(ctx);
    return skills.status(defaultAgentOf(ctx.config(), params.agentId));
  },
  "skills.bins": async (_params, ctx) => {
    const skills = await skillsOf(ctx);
    const agents = (ctx.config().agents ?? {}) as { list?: Array<{ id?: unknown }> };
    const ids = (Array.isArray(agents.list) ? agents.list : [])
      .map((entry) => entry?.id)
      .filter((id): id is string => typeof id === "string");
    return { bins: await skills.bins(ids.length ? ids : [defaultAgentOf(ctx.config())]) };
  },
} satisfies CoreMethods;
