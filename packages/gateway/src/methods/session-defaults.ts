type JsonObject = Record<string, unknown>;

/** Default agent and session scope from the config (OpenClaw's defaults): hello-ok's `sessionDefaults`. */
export function sessionDefaultsOf(config: JsonObject) {
  const agents = (config.agents ?? {}) as JsonObject;
  const list = Array.isArray(agents.list) ? (agents.list as JsonObject[]) : [];
  const chosen = list.find((entry) => entry?.default === true) ?? list[0];
  const defaultAgentId = typeof chosen?.id === "string" ? chosen.id : "main";
  const session = (config.session ?? {}) as JsonObject;
  const mainKey = typeof session.mainKey === "string" && session.mainKey ? session.mainKey : "main";
  return {
    defaultAgentId,
    mainKey,
    mainSessionKey: `agent:${defaultAgentId}:${mainKey}`,
    scope: session.scope === "global" ? "global" : "per-sender",
  };
}
