import { randomUUID } from "node:crypto";
import type { ReplyResult } from "../agent/events.js";
import { agentIdFromSessionKey } from "../agent/session-key.js";
import type { AssistantContext } from "../assistant-context.js";
import type { SessionToolsHost } from "../tools/types.js";

type SpawnRequest = Parameters<SessionToolsHost["spawn"]>[0];

/** The requester's message when a sub-agent ends (its announce turn answers it). */
function announceText(name: string, result: ReplyResult): string {
  return result.status === "ok" || result.status === "merged"
    ? `[Sub-agent ${name} finished]\n${result.text || "(no output)"}`
    : `[Sub-agent ${name} did not finish: ${result.status}]\n${result.text}`;
}

/**
 * Sub-agents (`sessions_spawn`, spec §5.4): a child session runs the task on the sub-agent lane;
 * when it ends, an announce is queued in the requester session like any message (so it is never
 * lost and keeps the session's order) and its reply is published on the bus with the requester's
 * last route. `/stop` in the requester stops its sub-agents, without an announce.
 */
export function createSubagents(context: AssistantContext) {
  /** Running sub-agent sessions by requester session key; those stopped by the requester's /stop. */
  const running = new Map<string, Set<string>>();
  const stopped = new Set<string>();

  const stop = (requesterKey: string): number => {
    let count = 0;
    for (const child of running.get(requesterKey) ?? []) {
      stopped.add(child);
      const { aborted, cleared } = context.abort(child);
      stop(child);
      if (aborted || cleared) count++;
    }
    return count;
  };

  const forget = (requesterKey: string, childKey: string) => {
    const siblings = running.get(requesterKey);
    siblings?.delete(childKey);
    if (siblings?.size === 0) running.delete(requesterKey);
  };

  /** Queue the announce in the requester session; publish its reply once answered. */
  const announce = (request: SpawnRequest, childKey: string, result: ReplyResult) => {
    const name = request.label ? `"${request.label}"` : childKey;
    const handle = context.submit({
      sessionKey: request.requesterSessionKey,
      text: announceText(name, result),
      sender: { id: "subagent", name: "sub-agent", authorized: false },
    });
    void handle.result.then(async (reply) => {
      if (request.cleanup === "delete")
        await context.sessions
          .delete(childKey)
          .catch((error) =>
            process.stderr.write(`openclaw: removing sub-agent session failed: ${String(error)}\n`),
          );
      const route = await context.lastRoute(handle.sessionKey);
      context.bus.emit("reply", {
        sessionKey: handle.sessionKey,
        origin: "subagent",
        result: reply,
        ...(route ? { route } : {}),
      });
    });
  };

  const spawn: SessionToolsHost["spawn"] = async (request) => {
    const { task, label, agentId, model, runTimeoutSeconds, requesterSessionKey } = request;
    const childAgent = agentId ?? agentIdFromSessionKey(requesterSessionKey, context.defaultAgentId);
    const childKey = `agent:${childAgent}:subagent:${randomUUID()}`;
    const handle = context.submit({
      sessionKey: childKey,
      agentId: childAgent,
      text: task,
      model,
      spawnedBy: requesterSessionKey,
      sender: { id: requesterSessionKey, authorized: false },
    });
    void context.sessions
      .patch(childKey, { spawnedBy: requesterSessionKey, ...(label ? { label } : {}) })
      .catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    if (runTimeoutSeconds) {
      timer = setTimeout(() => context.abort(childKey), runTimeoutSeconds * 1000);
      timer.unref();
    }
    const siblings = running.get(requesterSessionKey) ?? new Set<string>();
    running.set(requesterSessionKey, siblings);
    siblings.add(childKey);
    void handle.result.then((result) => {
      clearTimeout(timer);
      forget(requesterSessionKey, childKey);
      // stopped by the requester's /stop: the user asked for silence, no announce turn
      if (stopped.delete(childKey) || context.closed()) return;
      announce(request, childKey, result);
    });
    return { status: "accepted", runId: handle.messageId, childSessionKey: childKey };
  };

  return { spawn, stop };
}
