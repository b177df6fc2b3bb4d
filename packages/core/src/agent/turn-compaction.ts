import { access, constants } from "node:fs/promises";
import { runWithFailover } from "../models/failover.js";
import type { ModelRef } from "../models/model-ref.js";
import {
  type CompactionResult,
  compactionSettings,
  compactTranscript,
  DEFAULT_CONTEXT_WINDOW,
  SUMMARY_SYSTEM_PROMPT,
} from "./compaction.js";
import { callModel, replyText } from "./model-call.js";
import { type StreamedReply, streamModelReply } from "./model-stream.js";
import { resolveRunModels } from "./run-models.js";
import type { SessionEntry } from "./session-store.js";
import type { RuntimeDeps, Turn } from "./turn-state.js";

/** The context window of a model: `agents.defaults.contextTokens`, the catalog, or the default. */
function contextWindowFor(deps: RuntimeDeps, ref: ModelRef): number {
  return (
    deps.config.agents?.defaults?.contextTokens ??
    deps.registry.modelInfo(ref.provider, ref.model)?.contextWindow ??
    DEFAULT_CONTEXT_WINDOW
  );
}

/** Count a compaction on the session entry (with `fields`) and announce it. */
async function recordCompaction(
  deps: RuntimeDeps,
  target: { agentId: string; sessionKey: string },
  sessionId: string,
  fields: Partial<SessionEntry>,
): Promise<SessionEntry | undefined> {
  const updated = await deps.store.update(target.agentId, target.sessionKey, (current) =>
    current ? { ...current, compactionCount: (current.compactionCount ?? 0) + 1, ...fields } : current,
  );
  deps.bus.emit("session.changed", {
    sessionKey: target.sessionKey,
    agentId: target.agentId,
    sessionId,
    reason: "compacted",
  });
  return updated;
}

/** Summarize older context of the running turn's transcript (with the turn's model). */
export async function compactTurn(turn: Turn, reason: string, force = false): Promise<CompactionResult> {
  const { deps, input, entry, events } = turn;
  const settings = compactionSettings(
    deps.config.agents?.defaults?.compaction,
    contextWindowFor(deps, turn.refs[0]!),
  );
  events.report({ type: "compaction-start", reason });
  const summarize = async (text: string) => {
    const { reply } = await callModel(turn, [{ role: "user", content: [{ type: "text", text }] }], {
      system: SUMMARY_SYSTEM_PROMPT,
      quiet: true,
    });
    return replyText(reply);
  };
  const result = await compactTranscript(
    turn.progress.transcript,
    { keepRecentTokens: force ? Math.min(settings.keepRecentTokens, 1) : settings.keepRecentTokens },
    summarize,
  );
  events.report({ type: "compaction-end", result });
  if (result.compacted) {
    const updated = await recordCompaction(deps, input, entry.sessionId, { authProfileOverride: undefined });
    if (updated) entry.compactionCount = updated.compactionCount;
  }
  return result;
}

/**
 * Before the turn's first model call: near the limit, a silent memory-flush turn first (once per
 * compaction, when the workspace is writable and the `write` tool allowed), then compaction past it.
 */
export async function compactIfNeeded(turn: Turn, flush: (prompt: string) => Promise<void>): Promise<void> {
  const { deps, input, entry } = turn;
  const settings = compactionSettings(
    deps.config.agents?.defaults?.compaction,
    contextWindowFor(deps, turn.refs[0]!),
  );
  const systemTokens = Math.ceil(turn.systemFor(turn.refs[0]!).length / 4);
  const used = turn.progress.transcript.contextTokens() + systemTokens;
  const limit = settings.contextWindow - settings.reserveTokens;
  const flushAt = limit - settings.memoryFlush.softThresholdTokens;
  if (
    !input.silent &&
    used > flushAt &&
    settings.memoryFlush.enabled &&
    (entry.memoryFlushCompactionCount ?? -1) !== (entry.compactionCount ?? 0) &&
    turn.toolsByName.has("write")
  ) {
    const writable = await access(turn.workspaceDir, constants.W_OK).then(
      () => true,
      () => false,
    );
    if (writable) {
      entry.memoryFlushCompactionCount = entry.compactionCount ?? 0;
      await deps.store.update(input.agentId, input.sessionKey, (current) =>
        current
          ? { ...current, memoryFlushAt: deps.now(), memoryFlushCompactionCount: entry.compactionCount ?? 0 }
          : current,
      );
      await flush(
        settings.memoryFlush.prompt.replace("YYYY-MM-DD", new Date(deps.now()).toISOString().slice(0, 10)),
      );
    }
  }
  if (turn.progress.transcript.contextTokens() + systemTokens > limit) await compactTurn(turn, "threshold");
}

/** `/compact`: summarize older context of a session right now (runs inside the session lane). */
export async function compactSessionNow(
  deps: RuntimeDeps,
  options: { agentId: string; sessionKey: string; instructions?: string },
): Promise<CompactionResult> {
  const entry = await deps.store.get(options.agentId, options.sessionKey);
  if (!entry)
    return { compacted: false, tokensBefore: 0, tokensAfter: 0, reason: "the session has no messages yet" };
  const transcript = await deps.transcripts.get(options.agentId, entry, deps.workspaceDir(options.agentId));
  const refs = resolveRunModels(deps.config, options.agentId, entry);
  const settings = compactionSettings(
    deps.config.agents?.defaults?.compaction,
    contextWindowFor(deps, refs[0]!),
  );
  const summarize = async (text: string) => {
    const { result } = await runWithFailover<StreamedReply>({
      refs,
      registry: deps.registry,
      auth: typeof deps.auth === "function" ? deps.auth(options.agentId) : deps.auth,
      cooldowns: deps.cooldowns,
      order: deps.config.auth?.order,
      attempt: (candidate) =>
        streamModelReply(
          candidate.model,
          {
            system: SUMMARY_SYSTEM_PROMPT,
            messages: [{ role: "user", content: [{ type: "text", text }] }],
            apiKey: candidate.apiKey,
          },
          {},
          { now: deps.now },
        ),
    });
    return replyText(result);
  };
  const result = await compactTranscript(
    transcript,
    { keepRecentTokens: Math.min(settings.keepRecentTokens, 1) },
    summarize,
    options.instructions,
  );
  if (result.compacted) {
    await recordCompaction(deps, options, entry.sessionId, { contextTokens: result.tokensAfter });
  }
  return result;
}
