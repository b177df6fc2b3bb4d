import type { DeliveryRoute } from "../agent/events.js";
import { ensureSessionEntry } from "../agent/run.js";
import { freshSessionEntry } from "../agent/session-handle.js";
import { agentIdFromSessionKey } from "../agent/session-key.js";
import { normalizeQueueMode } from "../agent/session-queue.js";
import { keptOnReset, type SessionEntry } from "../agent/session-store.js";
import { activeBranch, type TranscriptMessage } from "../agent/transcript.js";
import { compactSessionNow } from "../agent/turn-compaction.js";
import type { AssistantSessions } from "../assistant.js";
import type { AssistantContext } from "../assistant-context.js";
import { decodedBytes } from "../chat/attachments.js";
import { type CommandHistoryMessage, commandHistoryMessages } from "../chat/command-reply.js";
import { resolveModelInput } from "../models/model-ref.js";

/** Archive a replaced/deleted session's transcript (`.reset.<ts>` / `.deleted.<ts>`); never fails the caller. */
async function archiveOld(
  context: AssistantContext,
  agentId: string,
  entry: SessionEntry,
  reason: "reset" | "deleted",
) {
  try {
    await context.store.archiveTranscript?.(agentId, entry, reason);
  } catch (error) {
    process.stderr.write(
      `openclaw: archiving the transcript of ${entry.sessionId} failed: ${String(error)}\n`,
    );
  }
}

/** `sessions.patch { model }` (RPC) is the session's model override, not the last-used model. */
function withModelOverride(
  context: AssistantContext,
  agentId: string,
  patch: Partial<Record<keyof SessionEntry, unknown>>,
): Partial<Record<keyof SessionEntry, unknown>> {
  if (!("model" in patch)) return patch;
  const { model, ...rest } = patch;
  if (model === null || model === undefined || model === "")
    return { ...rest, providerOverride: null, modelOverride: null };
  const ref = resolveModelInput(String(model), context.config, agentId);
  return { ...rest, providerOverride: ref.provider, modelOverride: ref.model };
}

/** The sessions API (`assistant.sessions`): list, read, patch, reset, delete, compact. */
export function createSessionsService(context: AssistantContext): AssistantSessions {
  const { store } = context;
  const keyAndAgent = (sessionKey: string) => {
    const key = context.resolveKey(sessionKey);
    return { key, agentId: agentIdFromSessionKey(key, context.defaultAgentId) };
  };
  /** Replace or remove a session's entry inside its lane (no run appends to the old transcript meanwhile). */
  const replaceInLane = (
    key: string,
    agentId: string,
    previous: SessionEntry,
    next: SessionEntry | undefined,
  ) =>
    context.lanes.run(
      key,
      async () => {
        await store.update(agentId, key, () => next);
        await store.flush();
        context.transcripts.forget(agentId, previous.sessionId);
        await archiveOld(context, agentId, previous, next ? "reset" : "deleted");
      },
      "nested",
    );

  return {
    resolveKey: context.resolveKey,
    async list(listOptions = {}) {
      const config = context.config;
      const agentIds = listOptions.agentId
        ? [listOptions.agentId]
        : [...new Set([context.defaultAgentId, ...(config.agents?.list ?? []).map((agent) => agent.id)])];
      const rows: (SessionEntry & { key: string; agentId: string })[] = [];
      for (const agentId of agentIds)
        for (const [key, entry] of Object.entries(await store.list(agentId)))
          rows.push({ ...entry, key, agentId });
      const cutoff = listOptions.activeMinutes
        ? context.now() - listOptions.activeMinutes * 60_000
        : undefined;
      return rows
        .filter(
          (row) =>
            (cutoff === undefined || (row.updatedAt ?? 0) >= cutoff) &&
            (!listOptions.spawnedBy || row.spawnedBy === listOptions.spawnedBy),
        )
        .sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0))
        .slice(0, listOptions.limit ?? 500);
    },
    get(sessionKey) {
      const { key, agentId } = keyAndAgent(sessionKey);
      return store.get(agentId, key);
    },
    async patch(sessionKey, requested) {
      const { key, agentId } = keyAndAgent(sessionKey);
      const patch = withModelOverride(context, agentId, requested);
      const { entry } = await ensureSessionEntry(context.deps, agentId, key);
      const updated = await store.update(agentId, key, (current) => {
        const next: SessionEntry = { ...(current ?? entry) };
        for (const [name, value] of Object.entries(patch)) {
          if (value === null || value === undefined) delete next[name];
          else next[name] = value;
        }
        return next;
      });
      if ("queueMode" in patch) {
        const mode = normalizeQueueMode(patch.queueMode);
        if (mode) context.queueModes.set(key, mode);
        else context.queueModes.delete(key);
      }
      context.bus.emit("session.changed", {
        sessionKey: key,
        agentId,
        sessionId: updated!.sessionId,
        reason: "updated",
      });
      return updated!;
    },
    async reset(sessionKey) {
      const { key, agentId } = keyAndAgent(sessionKey);
      const previous = await store.get(agentId, key);
      const fresh = freshSessionEntry(context.now(), keptOnReset(previous));
      if (previous) await replaceInLane(key, agentId, previous, fresh);
      else await store.update(agentId, key, () => fresh);
      context.bus.emit("session.changed", {
        sessionKey: key,
        agentId,
        sessionId: fresh.sessionId,
        reason: "reset",
      });
      return fresh;
    },
    async delete(sessionKey) {
      const { key, agentId } = keyAndAgent(sessionKey);
      context.abort(key);
      const previous = await store.get(agentId, key);
      if (!previous) return false;
      await replaceInLane(key, agentId, previous, undefined);
      return true;
    },
    compact(sessionKey, instructions) {
      const { key, agentId } = keyAndAgent(sessionKey);
      return context.lanes.run(key, () =>
        compactSessionNow(context.deps, { agentId, sessionKey: key, instructions }),
      );
    },
  };
}

/** Messages on the active branch of a session's transcript (newest last, at most 1000). */
export async function sessionHistory(
  context: AssistantContext,
  sessionKey: string,
  options: { limit?: number; commands?: boolean } = {},
): Promise<HistoryMessage[]> {
  const key = context.resolveKey(sessionKey);
  const agentId = agentIdFromSessionKey(key, context.defaultAgentId);
  const entry = await context.store.get(agentId, key);
  if (!entry) return [];
  const transcript = await context.transcripts.get(agentId, entry, context.workspaceDir(agentId));
  // chat commands and their replies (custom entries the model never sees) show as messages
  // marked `command: true`; images come without their data (`omitted: true`, the size kept)
  const messages = activeBranch(transcript.branch).flatMap((item): HistoryMessage[] =>
    item.type === "message"
      ? [historyMessage(item.message)]
      : options.commands === false
        ? []
        : commandHistoryMessages(item),
  );
  return messages.slice(-Math.min(options.limit ?? 200, 1000));
}

/** A message of `chat.history`: a transcript message, or a chat command / its reply. */
export type HistoryMessage = TranscriptMessage | CommandHistoryMessage;

/** A transcript message for history: image data left out (a reload must not resend megabytes). */
function historyMessage(message: TranscriptMessage): TranscriptMessage {
  if (typeof message.content === "string" || !message.content.some((block) => block.type === "image"))
    return message;
  const content = message.content.map((block) =>
    block.type === "image"
      ? {
          type: "image" as const,
          mimeType: block.mimeType,
          data: "",
          omitted: true,
          bytes: decodedBytes(block.data),
        }
      : block,
  );
  return { ...message, content } as TranscriptMessage;
}

/** The chat a session was last routed from (its entry's last-route fields), if any. */
export async function sessionLastRoute(
  context: AssistantContext,
  sessionKey: string,
): Promise<DeliveryRoute | undefined> {
  const key = context.resolveKey(sessionKey);
  const entry = await context.store
    .get(agentIdFromSessionKey(key, context.defaultAgentId), key)
    .catch(() => undefined);
  if (!entry?.lastChannel || !entry.lastTo) return undefined;
  return {
    channel: entry.lastChannel,
    to: entry.lastTo,
    ...(entry.lastAccountId ? { accountId: entry.lastAccountId } : {}),
    ...(entry.lastThreadId !== undefined && entry.lastThreadId !== ""
      ? { threadId: String(entry.lastThreadId) }
      : {}),
  };
}

/** Append an assistant note to a session's transcript without running the model (`chat.inject`). */
export async function injectNote(
  context: AssistantContext,
  sessionKey: string,
  text: string,
  options: { label?: string } = {},
): Promise<{ messageId: string }> {
  const key = context.resolveKey(sessionKey);
  const agentId = agentIdFromSessionKey(key, context.defaultAgentId);
  const { entry } = await ensureSessionEntry(context.deps, agentId, key);
  const transcript = await context.transcripts.get(agentId, entry, context.workspaceDir(agentId));
  const zero = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  const [stamped] = await transcript.append({
    type: "message",
    message: {
      role: "assistant",
      content: [{ type: "text", text }],
      provider: "openclaw",
      model: options.label ? `inject:${options.label}` : "inject",
      usage: { ...zero, totalTokens: 0, cost: { ...zero, total: 0 } },
      stopReason: "stop",
      timestamp: context.now(),
    },
  });
  context.bus.emit("chat", {
    runId: `inject-${stamped!.id}`,
    sessionKey: key,
    seq: 1,
    state: "final",
    message: { role: "assistant", content: [{ type: "text", text }], timestamp: context.now() },
  });
  return { messageId: stamped!.id };
}
