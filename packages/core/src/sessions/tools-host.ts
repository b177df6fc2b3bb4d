import { messageText } from "../agent/transcript.js";
import type { AssistantContext } from "../assistant-context.js";
import type { SessionSummary, SessionToolsHost } from "../tools/types.js";

/**
 * What the session tools (`sessions_list`, `sessions_history`, `sessions_send`, `sessions_spawn`,
 * `session_status`) reach: the sessions API, agent-to-agent messaging and sub-agents.
 */
export function createSessionToolsHost(
  context: AssistantContext,
  agentToAgent: Pick<SessionToolsHost, "send">,
  subagents: Pick<SessionToolsHost, "spawn">,
): SessionToolsHost {
  return {
    list: async ({ agentId, limit, activeMinutes }) => {
      const entries = await context.sessions.list({ agentId, limit, activeMinutes });
      return entries.map(
        (entry): SessionSummary => ({
          key: entry.key,
          sessionId: entry.sessionId,
          updatedAt: entry.updatedAt,
          model: entry.model ? `${entry.modelProvider}/${entry.model}` : undefined,
          label: entry.label,
          totalTokens: entry.totalTokens,
          spawnedBy: entry.spawnedBy,
        }),
      );
    },
    history: async (sessionKey, limit) =>
      (await context.history(sessionKey, { limit, commands: false })).map((message) => ({
        role: message.role,
        text:
          message.role === "toolResult"
            ? `[${message.toolName}] ${messageText(message)}`
            : messageText(message),
        timestamp: new Date(message.timestamp).toISOString(),
      })),
    send: agentToAgent.send,
    spawn: subagents.spawn,
    status: async (sessionKey) => {
      const key = context.resolveKey(sessionKey);
      const entry = await context.sessions.get(key);
      if (!entry) return undefined;
      return {
        sessionKey: key,
        sessionId: entry.sessionId,
        model: context.currentModel(key, entry),
        thinkingLevel: entry.thinkingLevel ?? context.config.agents?.defaults?.thinkingDefault ?? "off",
        queueMode: context.queueModeFor(key),
        inputTokens: entry.inputTokens ?? 0,
        outputTokens: entry.outputTokens ?? 0,
        contextTokens: entry.contextTokens ?? 0,
        compactionCount: entry.compactionCount ?? 0,
        updatedAt: entry.updatedAt ? new Date(entry.updatedAt).toISOString() : undefined,
      };
    },
  };
}
