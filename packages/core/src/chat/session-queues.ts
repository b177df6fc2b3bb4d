import { executeTurn } from "../agent/run.js";
import {
  normalizeQueueMode,
  type QueueDrop,
  type QueueMode,
  SessionQueue,
  type TurnBatch,
} from "../agent/session-queue.js";
import type { TurnInput } from "../agent/turn-state.js";
import type { SendInput } from "../assistant.js";
import type { AssistantContext } from "../assistant-context.js";
import { channelGroupSettings } from "./group-settings.js";
import type { SystemEventQueue } from "./system-events.js";

/** The turn a batch of queued messages becomes: group prompt, channel tools, queued system events. */
function turnInputOf(
  context: AssistantContext,
  systemEvents: SystemEventQueue,
  target: { sessionKey: string; agentId: string },
  batch: TurnBatch,
): TurnInput {
  const first = (batch.messages[0] ?? batch.overflow[0])!.options as unknown as SendInput;
  const group = channelGroupSettings(context.config, first.channel, first.groupId);
  const extraPrompts = [
    first.groupId
      ? `## Group chat\nYou are in a group conversation (${first.channel}:${first.groupId}); several people may be talking. Reply only when it helps.`
      : "",
    group.systemPrompt ?? "",
    first.extraSystemPrompt ?? "",
  ].filter(Boolean);
  // queued system events (wake next-heartbeat) reach the model with this turn
  const events = systemEvents.take(target.sessionKey);
  // the images of every message the turn answers
  const images = [...batch.overflow, ...batch.messages].flatMap(
    (message) => (message.options as unknown as SendInput).images ?? [],
  );
  return {
    runId: batch.runId,
    sessionKey: target.sessionKey,
    agentId: target.agentId,
    userText: events.length
      ? `${events.map((event) => `System: ${event}`).join("\n")}\n\n${batch.text}`
      : batch.text,
    ...(images.length ? { images } : {}),
    modelOverride: first.model,
    thinking: first.thinking,
    extraSystemPrompt: extraPrompts.length ? extraPrompts.join("\n\n") : undefined,
    channel: first.channel,
    ...(first.route ? { route: first.route } : {}),
    channelTools: first.channelTools ?? group.tools,
    spawnedBy: first.spawnedBy,
    signal: batch.signal,
    drainSteered: batch.drainSteered,
    observe: batch.observe,
  };
}

/** One queue per session with a run queued or active (forgotten when idle). */
export function createSessionQueues(context: AssistantContext, systemEvents: SystemEventQueue) {
  const queues = new Map<string, SessionQueue>();

  /** The session's own mode, else `messages.queue.byChannel.<channel>`, else `messages.queue.mode`, else collect. */
  const modeFor = (sessionKey: string, channel?: string): QueueMode => {
    const own = context.queueModes.get(sessionKey);
    if (own) return own;
    const queueConfig = context.config.messages?.queue ?? {};
    const byChannel = channel
      ? normalizeQueueMode((queueConfig.byChannel as Record<string, unknown> | undefined)?.[channel])
      : undefined;
    return byChannel ?? normalizeQueueMode(queueConfig.mode) ?? "collect";
  };

  const queueFor = (sessionKey: string, agentId: string): SessionQueue => {
    const existing = queues.get(sessionKey);
    if (existing) return existing;
    const queueConfig = () => context.config.messages?.queue ?? {};
    const queue: SessionQueue = new SessionQueue({
      sessionKey,
      lanes: context.lanes,
      bus: context.bus,
      mode: (message) => modeFor(sessionKey, (message?.options as { channel?: string } | undefined)?.channel),
      // runs started by another run get their own global lane, so waiting on them cannot deadlock
      laneOf: (message) =>
        sessionKey.includes(":subagent:")
          ? "subagent"
          : (message.options as { spawnedBy?: string }).spawnedBy
            ? "nested"
            : "main",
      cap: () => queueConfig().cap ?? 20,
      drop: () =>
        ["summarize", "old", "new"].includes(queueConfig().drop ?? "")
          ? (queueConfig().drop as QueueDrop)
          : "summarize",
      runTurn: (batch) =>
        executeTurn(context.deps, turnInputOf(context, systemEvents, { sessionKey, agentId }, batch)),
      onIdle: () => {
        if (queues.get(sessionKey) === queue && !queue.busy) queues.delete(sessionKey);
      },
    });
    queues.set(sessionKey, queue);
    return queue;
  };

  const abort = (sessionKey: string, runId?: string) => {
    const queue = queues.get(context.resolveKey(sessionKey));
    if (!queue) return { aborted: false, cleared: 0 };
    if (runId) return { aborted: queue.abortRun(runId), cleared: 0 };
    return queue.stop();
  };

  /** Shutdown: every queued message is answered with the notice. */
  const stopAll = (reason: string) => {
    for (const queue of queues.values()) queue.stop(reason);
  };

  return { queueFor, modeFor, abort, stopAll };
}
