import { z } from "zod";
import { lazy } from "../lazy.js";

// agents.list / agent.identity.get --------------------------------------------------------------

export const AgentsListParamsSchema = lazy(() => z.strictObject({}));
/** One configured agent (OpenClaw's `AgentsListResult.agents[]`). */
export const AgentSummarySchema = lazy(() =>
  z.looseObject({
    id: z.string(),
    name: z.string().optional(),
    workspace: z.string().optional(),
    model: z
      .looseObject({ primary: z.string().optional(), fallbacks: z.array(z.string()).optional() })
      .optional(),
    identity: z.looseObject({ name: z.string().optional(), emoji: z.string().optional() }).optional(),
  }),
);
export const AgentsListResultSchema = lazy(() =>
  z.looseObject({
    defaultId: z.string(),
    mainKey: z.string(),
    scope: z.enum(["per-sender", "global"]),
    agents: z.array(AgentSummarySchema),
  }),
);
export type AgentsListResult = z.infer<typeof AgentsListResultSchema>;

export const AgentIdentityParamsSchema = lazy(() =>
  z.strictObject({
    agentId: z.string().optional(),
    sessionKey: z.string().optional(),
  }),
);
export const AgentIdentityResultSchema = lazy(() =>
  z.looseObject({
    agentId: z.string(),
    name: z.string().optional(),
    nameSource: z.enum(["config", "agent", "workspace", "default"]).optional(),
    avatar: z.string().optional(),
    emoji: z.string().optional(),
  }),
);
export type AgentIdentityResult = z.infer<typeof AgentIdentityResultSchema>;
