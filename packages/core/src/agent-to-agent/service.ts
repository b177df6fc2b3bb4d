import { agentIdFromSessionKey } from "../agent/session-key.js";
import type { AssistantContext } from "../assistant-context.js";
import type { SessionToolsHost } from "../tools/types.js";

/** Exact reply that ends sessions_send's reply-back ping-pong (spec §6.3). */
export const REPLY_SKIP = "REPLY_SKIP";
/** Exact reply of the target's announce turn that keeps it out of its chat (spec §6.3). */
export const ANNOUNCE_SKIP = "ANNOUNCE_SKIP";

type Step = "request" | "reply" | "announce";
interface FlowKeys {
  requesterKey: string;
  targetKey: string;
}

function stepPrompt(
  step: Step,
  details: FlowKeys & { turn?: number; maxTurns?: number; other?: string },
): string {
  if (step === "request")
    return `## Agent-to-agent message\nThis message comes from another agent session (${details.requesterKey}), not from a person. Your reply is returned to that session.`;
  if (step === "reply")
    return `## Agent-to-agent reply-back (turn ${details.turn} of at most ${details.maxTurns})\nThe message is the latest reply of session ${details.other}. Answer it if more needs to be said; reply exactly ${REPLY_SKIP} to end the exchange. Nothing you write here is posted to a chat.`;
  return `## Agent-to-agent announce\nThe exchange with session ${details.requesterKey} is over. If the people in your chat should hear about it, write the message to post there; otherwise reply exactly ${ANNOUNCE_SKIP}.`;
}

/**
 * `tools.agentToAgent` (spec §3.4): messaging a session of ANOTHER agent needs `enabled: true`,
 * and with an `allow` list both agent ids must be in it (`*` = any). Sessions of the same agent
 * may always talk.
 */
function refusal(context: AssistantContext, requesterKey: string, targetKey: string): string | undefined {
  const from = agentIdFromSessionKey(requesterKey, context.defaultAgentId);
  const to = agentIdFromSessionKey(targetKey, context.defaultAgentId);
  if (from === to) return undefined;
  const policy = (
    context.config.tools as { agentToAgent?: { enabled?: boolean; allow?: string[] } } | undefined
  )?.agentToAgent;
  if (policy?.enabled !== true)
    return `agent-to-agent messaging is disabled: set tools.agentToAgent.enabled to true to let agent "${from}" message agent "${to}"`;
  const allow = policy.allow ?? [];
  const allowed = (id: string) => allow.length === 0 || allow.includes("*") || allow.includes(id);
  if (!allowed(from) || !allowed(to))
    return `agent-to-agent messaging between "${from}" and "${to}" is not in tools.agentToAgent.allow`;
  return undefined;
}

/** Resolves with the value, or "timeout" after `ms` (the timer never holds the process). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Agent-to-agent messaging: `sessions_send`, its reply-back ping-pong and the target's announce. */
export function createAgentToAgent(context: AssistantContext): { send: SessionToolsHost["send"] } {
  /** Sessions with an agent-to-agent step (reply-back or announce turn) queued or running. */
  const steps = new Map<string, number>();

  /** One internal step: a queued turn in `sessionKey`; resolves with its result once done. */
  const step = (sessionKey: string, text: string, fromKey: string, extraSystemPrompt: string) => {
    const handle = context.submit({
      sessionKey,
      text,
      sender: { id: fromKey, name: "agent", authorized: false },
      spawnedBy: fromKey,
      extraSystemPrompt,
    });
    steps.set(handle.sessionKey, (steps.get(handle.sessionKey) ?? 0) + 1);
    const result = handle.result.finally(() => {
      const left = (steps.get(handle.sessionKey) ?? 1) - 1;
      if (left > 0) steps.set(handle.sessionKey, left);
      else steps.delete(handle.sessionKey);
    });
    return { sessionKey: handle.sessionKey, result };
  };

  /** The reply-back ping-pong, alternating requester and target; the latest reply. */
  const pingPong = async (flow: FlowKeys & { primary: string }): Promise<string> => {
    const configured = (context.config.session?.agentToAgent as { maxPingPongTurns?: number } | undefined)
      ?.maxPingPongTurns;
    const maxTurns = Math.max(0, Math.min(5, typeof configured === "number" ? configured : 5));
    let latest = flow.primary.trim();
    let speaker = flow.targetKey;
    for (let turn = 1; turn <= maxTurns && latest && latest !== REPLY_SKIP; turn++) {
      if (context.closed()) break;
      const next = speaker === flow.targetKey ? flow.requesterKey : flow.targetKey;
      const prompt = stepPrompt("reply", { ...flow, turn, maxTurns, other: speaker });
      const result = await step(context.resolveKey(next), latest, speaker, prompt).result;
      const reply = result.status === "ok" ? result.text.trim() : undefined;
      if (reply === undefined || reply === "" || reply === REPLY_SKIP) break;
      latest = reply;
      speaker = next;
    }
    return latest;
  };

  /**
   * After sessions_send's primary reply (spec §6.3): reply-back ping-pong, at most
   * `session.agentToAgent.maxPingPongTurns` (0–5, default 5) turns, ended by an exact REPLY_SKIP;
   * then one announce turn in the target session whose reply is posted to the target's last chat
   * unless it is exactly ANNOUNCE_SKIP.
   */
  const flow = async (keys: FlowKeys & { request: string; primary: string }): Promise<void> => {
    const latest = await pingPong(keys);
    if (context.closed()) return;
    const primary = keys.primary.trim();
    const announceText = [
      `Original request from ${keys.requesterKey}:`,
      keys.request,
      "",
      "Your first reply:",
      primary || "(empty)",
      ...(latest !== primary && latest !== REPLY_SKIP ? ["", "Latest reply in the exchange:", latest] : []),
    ].join("\n");
    const announce = step(keys.targetKey, announceText, keys.requesterKey, stepPrompt("announce", keys));
    const result = await announce.result;
    if (result.status !== "ok" || !result.text.trim() || result.text.trim() === ANNOUNCE_SKIP) return;
    const route = await context.lastRoute(keys.targetKey);
    context.bus.emit("reply", {
      sessionKey: announce.sessionKey,
      origin: "agent-to-agent",
      result,
      ...(route ? { route } : {}),
    });
  };

  const send: SessionToolsHost["send"] = async ({ sessionKey, message, fromSessionKey, timeoutMs }) => {
    const targetKey = context.resolveKey(sessionKey);
    const requesterKey = context.resolveKey(fromSessionKey);
    if (targetKey === requesterKey)
      return { status: "error", error: `sessions_send cannot target the current session (${targetKey})` };
    const refused = refusal(context, requesterKey, targetKey);
    if (refused) return { status: "error", error: refused };
    const handle = context.submit({
      sessionKey: targetKey,
      text: message,
      sender: { id: requesterKey, name: "agent", authorized: false },
      spawnedBy: requesterKey,
      extraSystemPrompt: stepPrompt("request", { requesterKey, targetKey }),
    });
    // the reply-back ping-pong and the target's announce run after the primary reply, in the
    // background — but not for a message sent from inside an agent-to-agent step (no cascades)
    const nested = (steps.get(requesterKey) ?? 0) > 0;
    void handle.result.then((primary) => {
      if (primary.status === "ok" && !context.closed() && !nested)
        void flow({ requesterKey, targetKey, request: message, primary: primary.text }).catch((error) =>
          process.stderr.write(`openclaw: agent-to-agent flow failed: ${String(error)}\n`),
        );
    });
    if (timeoutMs === 0) return { status: "accepted", runId: handle.messageId };
    const result = await withTimeout(handle.result, timeoutMs ?? 60_000);
    if (result === "timeout")
      return {
        status: "timeout",
        runId: handle.messageId,
        error: "no reply before the timeout (the run continues; read it later with sessions_history)",
      };
    if (result.status === "error") return { status: "error", runId: handle.messageId, error: result.text };
    return { status: "ok", runId: handle.messageId, reply: result.text };
  };

  return { send };
}
