import { BUILTIN_TOOL_INPUT_SCHEMAS } from "./builtin-tool-schemas.js";
import { defineTool, type SessionToolsHost, type ToolContext, ToolError } from "./types.js";

function host(context: ToolContext): SessionToolsHost {
  if (!context.sessions)
    throw new ToolError("unavailable", "session tools are not available in this runtime");
  return context.sessions;
}

export const sessionsListTool = defineTool({
  name: "sessions_list",
  description: "List sessions of this agent (key, model, last activity).",
  parameters: async () => (await import("./tool-parameters.js")).sessionsListParameters,
  inputSchema: BUILTIN_TOOL_INPUT_SCHEMAS.sessions_list,
  async execute(params, context) {
    const sessions = await host(context).list({ agentId: context.agentId, ...params });
    return {
      content: sessions.length
        ? sessions
            .map(
              (s) =>
                `${s.key}${s.label ? ` (${s.label})` : ""} model=${s.model ?? "default"} updated=${s.updatedAt ? new Date(s.updatedAt).toISOString() : "never"}`,
            )
            .join("\n")
        : "No sessions.",
      details: { sessions },
    };
  },
});

export const sessionsHistoryTool = defineTool({
  name: "sessions_history",
  description: "Read the recent messages of another session.",
  parameters: async () => (await import("./tool-parameters.js")).sessionsHistoryParameters,
  inputSchema: BUILTIN_TOOL_INPUT_SCHEMAS.sessions_history,
  async execute(params, context) {
    const messages = await host(context).history(params.sessionKey, params.limit ?? 20);
    return {
      content: messages.length ? messages.map((m) => `${m.role}: ${m.text}`).join("\n") : "No messages.",
      details: { messages },
    };
  },
});

export const sessionsSendTool = defineTool({
  name: "sessions_send",
  description:
    "Send a message into another session and wait for its reply (timeoutSeconds 0: do not wait). Afterwards the two sessions may reply back and forth (reply exactly REPLY_SKIP to stop), then the target may announce the outcome in its chat (reply exactly ANNOUNCE_SKIP to stay silent).",
  parameters: async () => (await import("./tool-parameters.js")).sessionsSendParameters,
  inputSchema: BUILTIN_TOOL_INPUT_SCHEMAS.sessions_send,
  async execute(params, context) {
    if (params.sessionKey === context.sessionKey)
      throw new ToolError("invalid_params", "sessions_send cannot target the current session");
    const result = await host(context).send({
      sessionKey: params.sessionKey,
      message: params.message,
      fromSessionKey: context.sessionKey,
      timeoutMs: (params.timeoutSeconds ?? 60) * 1000,
    });
    if (result.status === "accepted")
      return {
        content: `Message sent to ${params.sessionKey} (run ${result.runId}); not waiting for the reply. Read it later with sessions_history.`,
        details: result,
      };
    if (result.status !== "ok")
      return {
        content: `sessions_send ${result.status}: ${result.error ?? "no reply"}`,
        isError: true,
        details: result,
      };
    return { content: result.reply ?? "(no reply)", details: result };
  },
});

export const sessionsSpawnTool = defineTool({
  name: "sessions_spawn",
  description:
    "Start a sub-agent in its own session on a task. Returns immediately; the sub-agent announces its result back into this chat when done.",
  parameters: async () => (await import("./tool-parameters.js")).sessionsSpawnParameters,
  inputSchema: BUILTIN_TOOL_INPUT_SCHEMAS.sessions_spawn,
  async execute(params, context) {
    if (context.sessionKey.includes(":subagent:"))
      throw new ToolError("not_allowed", "sub-agents cannot spawn further sub-agents");
    const accepted = await host(context).spawn({ ...params, requesterSessionKey: context.sessionKey });
    return {
      content: `Sub-agent started (run ${accepted.runId}, session ${accepted.childSessionKey}). Its result will be announced here.`,
      details: accepted,
    };
  },
});

export const sessionStatusTool = defineTool({
  name: "session_status",
  description: "Show this session's status: model, tokens, compactions, queue mode.",
  parameters: async () => (await import("./tool-parameters.js")).sessionStatusParameters,
  inputSchema: BUILTIN_TOOL_INPUT_SCHEMAS.session_status,
  async execute(params, context) {
    const status = await host(context).status(params.sessionKey ?? context.sessionKey);
    if (!status) throw new ToolError("not_found", `Unknown session ${params.sessionKey}`);
    return {
      content: Object.entries(status)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `${key}: ${typeof value === "object" ? JSON.stringify(value) : String(value)}`)
        .join("\n"),
      details: status,
    };
  },
});
