import { hostname, platform, release } from "node:os";
import { OpenClawError } from "@openclaw/protocol/base";
import { isThinkingLevel, type ThinkingLevel } from "@openclaw/protocol/model";
import type { UsageSummary } from "../bus/event-bus.js";
import { formatModelRef, type ModelRef } from "../models/model-ref.js";
import type { RuntimeConfig } from "../models/runtime-config.js";
import { ensureWorkspace, loadBootstrapFilesCached } from "../workspace/workspace.js";
import { resolveHostTimezone } from "./host-timezone.js";
import { acceptsImages } from "./model-messages.js";
import { resolveRunModels } from "./run-models.js";
import { isSessionExpired, type SessionResetConfig } from "./session-expiry.js";
import { freshSessionEntry, type LoadedTranscript } from "./session-handle.js";
import { isMainSessionKey, isSubagentSessionKey } from "./session-key.js";
import { keptOnReset, type SessionEntry } from "./session-store.js";
import { buildSystemPrompt } from "./system-prompt.js";
import { allowedToolsFor, cachedToolSpec, toolNotice } from "./tool-execution.js";
import { runToolLoop } from "./tool-loop.js";
import type {
  AssistantMessage,
  ModelChangeEntry,
  NewTranscriptEntry,
  ThinkingLevelChangeEntry,
} from "./transcript.js";
import { compactIfNeeded, compactTurn } from "./turn-compaction.js";
import { createTurnEmitter, type TurnEmitter } from "./turn-events.js";
import { failTurn } from "./turn-failure.js";
import type { RuntimeDeps, Turn, TurnInput, TurnOutcome, TurnProgress } from "./turn-state.js";

export { DEFAULT_MODEL, resolveRunModels } from "./run-models.js";
export { toolNotice } from "./tool-execution.js";
export { compactSessionNow } from "./turn-compaction.js";
export { CHAT_DELTA_INTERVAL_MS } from "./turn-events.js";
export type { RuntimeDeps, TurnInput, TurnOutcome } from "./turn-state.js";

const workspacesReady = new Map<string, Promise<unknown>>();
/** Facts of this machine for the runtime line, read once. */
const HOST = {
  host: hostname(),
  os: `${platform()} ${release()}`,
};
let hostZone: string | undefined;
/**
 * The host's IANA time zone, read on first use (only a turn whose agent has no
 * `agents.defaults.userTimezone` needs it) from `TZ` and the system's files, not from Intl,
 * whose first `DateTimeFormat` pages in ICU's date-format data (host-timezone.ts).
 */
function hostTimezone(): string {
  hostZone ??= resolveHostTimezone();
  return hostZone;
}

function toUsageSummary(message: AssistantMessage): UsageSummary {
  return {
    input: message.usage.input,
    output: message.usage.output,
    cacheRead: message.usage.cacheRead,
    cacheWrite: message.usage.cacheWrite,
    totalTokens: message.usage.totalTokens,
    cost: { total: message.usage.cost.total },
  };
}

/**
 * Ensure the session entry exists (creating a fresh session id) and return it. With
 * `checkExpiry`, a session past its daily/idle reset gets a new session id first.
 */
export async function ensureSessionEntry(
  deps: RuntimeDeps,
  agentId: string,
  sessionKey: string,
  extra: Partial<SessionEntry> = {},
  options: { checkExpiry?: boolean } = {},
): Promise<{ entry: SessionEntry; created: boolean }> {
  const existing = await deps.store.get(agentId, sessionKey);
  if (
    existing &&
    !(
      options.checkExpiry &&
      isSessionExpired(existing.updatedAt, deps.config.session as SessionResetConfig, deps.now())
    )
  )
    return { entry: existing, created: false };
  if (existing) {
    // stale session (daily/idle reset): a new session id, settings kept
    const fresh = freshSessionEntry(deps.now(), { ...keptOnReset(existing), ...extra });
    await deps.store.update(agentId, sessionKey, () => fresh);
    deps.bus.emit("session.changed", { sessionKey, agentId, sessionId: fresh.sessionId, reason: "reset" });
    return { entry: fresh, created: true };
  }
  let created = false;
  const entry = await deps.store.update(agentId, sessionKey, (current) => {
    if (current) return current;
    created = true;
    return freshSessionEntry(deps.now(), extra);
  });
  if (created)
    deps.bus.emit("session.changed", { sessionKey, agentId, sessionId: entry!.sessionId, reason: "created" });
  return { entry: entry!, created };
}

function agentEntry(config: RuntimeConfig, agentId: string) {
  return config.agents?.list?.find((entry) => entry.id === agentId);
}

/** Record model / thinking switches as their own transcript entries (like pi's SessionManager), then the user text. */
async function appendUserTurn(
  transcript: LoadedTranscript,
  selected: ModelRef | undefined,
  thinking: ThinkingLevel,
  user: { text: string; images: readonly { data: string; mimeType: string }[] },
  now: number,
) {
  const { text, images } = user;
  const changes: NewTranscriptEntry[] = [];
  const branch = [...transcript.branch].reverse();
  const lastModel = branch.find((item) => item.type === "model_change") as ModelChangeEntry | undefined;
  if (selected && (lastModel?.provider !== selected.provider || lastModel?.modelId !== selected.model))
    changes.push({ type: "model_change", provider: selected.provider, modelId: selected.model });
  const lastThinking = branch.find((item) => item.type === "thinking_level_change") as
    | ThinkingLevelChangeEntry
    | undefined;
  if ((lastThinking?.thinkingLevel ?? "off") !== thinking)
    changes.push({ type: "thinking_level_change", thinkingLevel: thinking });
  await transcript.append(...changes, {
    type: "message",
    message: {
      role: "user",
      content: [
        ...(text || images.length === 0 ? [{ type: "text" as const, text }] : []),
        ...images.map((image) => ({ type: "image" as const, data: image.data, mimeType: image.mimeType })),
      ],
      timestamp: now,
    },
  });
}

/**
 * A turn with images goes to the candidates that take image input (in order). When none does,
 * the turn fails with a clear error and its images are not kept (the text is).
 */
function imageCandidates(
  deps: RuntimeDeps,
  refs: ModelRef[],
  images: readonly unknown[],
): { refs: ModelRef[]; error?: OpenClawError } {
  if (images.length === 0) return { refs };
  const able = refs.filter((ref) => acceptsImages(deps.registry.modelInfo(ref.provider, ref.model)));
  if (able.length) return { refs: able };
  const first = refs[0]!;
  return {
    refs,
    error: new OpenClawError(
      "INVALID_REQUEST",
      `${formatModelRef(first)} does not accept images (models.providers.${first.provider}.models[].input has no "image"). Switch to a model that does (/model <provider/model>) or send the message without the image.`,
    ),
  };
}

/**
 * Set a turn up: the session entry (expiry checked), the workspace, the transcript with the user
 * message, the candidate models, the allowed tools and the system prompt.
 */
async function prepareTurn(
  deps: RuntimeDeps,
  input: TurnInput,
  events: TurnEmitter,
  progress: TurnProgress,
  limits: { callSignal: AbortSignal; timeoutMs: number },
): Promise<Turn> {
  const { config } = deps;
  const { sessionKey, agentId } = input;
  const { entry, created } = await ensureSessionEntry(
    deps,
    agentId,
    sessionKey,
    input.spawnedBy ? { spawnedBy: input.spawnedBy } : {},
    { checkExpiry: !input.silent },
  );
  const workspaceDir = deps.workspaceDir(agentId);
  const defaults = config.agents?.defaults ?? {};
  let ready = workspacesReady.get(workspaceDir);
  if (!ready) {
    ready = ensureWorkspace(workspaceDir, { skipBootstrap: defaults.skipBootstrap });
    workspacesReady.set(workspaceDir, ready);
  }
  await ready;
  const transcript = await deps.transcripts.get(agentId, entry, workspaceDir);
  progress.transcript = transcript;
  events.attach(transcript);
  let refs: ModelRef[] | undefined;
  let refError: unknown;
  try {
    refs = resolveRunModels(config, agentId, entry, input.modelOverride);
  } catch (error) {
    refError = error;
  }
  const thinkingRaw = input.thinking ?? entry.thinkingLevel ?? defaults.thinkingDefault ?? "off";
  const thinking: ThinkingLevel = isThinkingLevel(thinkingRaw) ? thinkingRaw : "off";
  const withImages = refs ? imageCandidates(deps, refs, input.images ?? []) : undefined;
  if (withImages) refs = withImages.refs;
  const images = withImages?.error ? [] : (input.images ?? []);
  await appendUserTurn(transcript, refs?.[0], thinking, { text: input.userText, images }, deps.now());
  if (refError || !refs) throw refError;
  if (withImages?.error) throw withImages.error;
  const subagent = isSubagentSessionKey(sessionKey);
  const agent = agentEntry(config, agentId);
  const allowedTools = allowedToolsFor(deps.tools, config, {
    agentId,
    sessionKey,
    provider: refs[0]?.provider,
    channelTools: input.channelTools,
  });
  const skills = subagent ? {} : await turnSkills(deps, sessionKey, agentId);
  // a new session syncs the memory index in the background (searches sync too)
  if (created && allowedTools.some((tool) => tool.name === "memory_search"))
    void deps
      .memory?.()
      .then((memory) => memory.syncForSession(agentId))
      .catch(() => {});
  const bootstrapFiles = await loadBootstrapFilesCached(workspaceDir, {
    includeMemory: isMainSessionKey(sessionKey, config.session?.mainKey),
    maxChars: defaults.bootstrapMaxChars,
    mode: subagent ? "minimal" : "full",
  });
  const systemFor = (ref: ModelRef) =>
    buildSystemPrompt({
      agentId,
      agentName: agent?.identity?.name ?? agent?.name,
      workspaceDir,
      bootstrapFiles,
      tools: allowedTools,
      mode: subagent ? "minimal" : "full",
      runtime: { host: HOST.host, os: HOST.os, node: process.version, model: formatModelRef(ref), thinking },
      timezone: defaults.userTimezone ?? hostTimezone(),
      extra: input.extraSystemPrompt ? [input.extraSystemPrompt] : undefined,
      skills: skills.prompt,
    });
  return {
    deps,
    input,
    events,
    progress: progress as Turn["progress"],
    entry,
    workspaceDir,
    thinking,
    refs,
    toolsByName: new Map(allowedTools.map((tool) => [tool.name, tool])),
    knownTools: new Set(deps.tools.map((tool) => tool.name)),
    toolSpecs: allowedTools.map(cachedToolSpec),
    systemFor,
    skillEnv: skills.env,
    ...limits,
  };
}

/** The session's skills snapshot: its prompt section and this run's env overlay (none when skills cannot load). */
async function turnSkills(
  deps: RuntimeDeps,
  sessionKey: string,
  agentId: string,
): Promise<{ prompt?: string; env?: Record<string, string> }> {
  try {
    const service = await deps.skills?.();
    if (!service) return {};
    const snapshot = await service.snapshot(sessionKey, agentId);
    return { prompt: snapshot.prompt || undefined, env: service.envFor(snapshot) };
  } catch {
    return {};
  }
}

/** After the tool loop: session totals and last route, the final events, the outcome. */
async function finishTurn(turn: Turn): Promise<TurnOutcome> {
  const { deps, input, progress, entry } = turn;
  const { runId, sessionKey, agentId } = input;
  const { finalText, lastAssistant, usedModel, totals } = progress;
  const silent =
    finalText.trim() === "NO_REPLY" ||
    (!finalText.trim() && lastAssistant !== undefined && lastAssistant.content.length === 0);
  const usage: UsageSummary = {
    input: totals.input,
    output: totals.output,
    cacheRead: totals.cacheRead,
    cacheWrite: totals.cacheWrite,
    totalTokens: lastAssistant ? lastAssistant.usage.totalTokens : 0,
    cost: { total: totals.cost },
  };
  const [provider, ...modelParts] = (usedModel ?? "").split("/");
  const contextTokens = progress.transcript.contextTokens();
  await deps.store.update(agentId, sessionKey, (current) =>
    current
      ? {
          ...current,
          updatedAt: deps.now(),
          modelProvider: provider,
          model: modelParts.join("/"),
          inputTokens: (current.inputTokens ?? 0) + totals.input,
          outputTokens: (current.outputTokens ?? 0) + totals.output,
          cacheRead: (current.cacheRead ?? 0) + totals.cacheRead,
          cacheWrite: (current.cacheWrite ?? 0) + totals.cacheWrite,
          totalTokens: lastAssistant?.usage.totalTokens || contextTokens,
          contextTokens,
          costTotal: (current.costTotal ?? 0) + totals.cost,
          ...(input.channel ? { lastChannel: input.channel } : {}),
          ...(input.route
            ? {
                lastChannel: input.route.channel,
                lastTo: input.route.to,
                lastAccountId: input.route.accountId,
                lastThreadId: input.route.threadId,
              }
            : {}),
        }
      : current,
  );
  deps.bus.emit("session.changed", { sessionKey, agentId, sessionId: entry.sessionId, reason: "updated" });
  const text = silent ? "" : finalText;
  turn.events.report({
    type: "final",
    text,
    silent,
    model: usedModel,
    usage,
    ...(lastAssistant ? { lastUsage: toUsageSummary(lastAssistant) } : {}),
    stopReason: lastAssistant?.stopReason ?? "stop",
  });
  const latest = await deps.store.get(agentId, sessionKey);
  const verbose = latest?.verboseLevel === "on" || latest?.verboseLevel === "full";
  const usageMode = typeof latest?.responseUsage === "string" ? latest.responseUsage : "off";
  const usageFooter =
    text && (usageMode === "tokens" || usageMode === "full" || usageMode === "cost")
      ? `— ${usage.input + (usage.cacheRead ?? 0)} in / ${usage.output} out${usageMode !== "tokens" && totals.cost ? ` · $${totals.cost.toFixed(4)}` : ""}${usedModel ? ` · ${usedModel}` : ""}`
      : undefined;
  return {
    runId,
    status: "ok",
    text,
    silent,
    model: usedModel,
    usage,
    ...(verbose && progress.toolCallsMade.length
      ? {
          toolNotices: progress.toolCallsMade.map((call) =>
            toolNotice(call.name, call.arguments, latest?.verboseLevel === "full"),
          ),
        }
      : {}),
    ...(usageFooter ? { usageFooter } : {}),
  };
}

/**
 * One turn: append the user message, build the prompt, stream the model (with failover), run
 * tool calls, append every step, update the session entry; every fact is reported once, through
 * the turn's emitter (`agent` + `chat` events and the caller's event stream).
 */
export async function executeTurn(deps: RuntimeDeps, input: TurnInput): Promise<TurnOutcome> {
  const events = createTurnEmitter({
    bus: deps.bus,
    runId: input.runId,
    sessionKey: input.sessionKey,
    spawnedBy: input.spawnedBy,
    silent: input.silent,
    observe: input.observe,
    now: deps.now,
  });
  events.report({ type: "start" });
  const progress: TurnProgress = {
    finalText: "",
    totals: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 },
    toolCallsMade: [],
  };
  const timeoutMs = (deps.config.agents?.defaults?.timeoutSeconds ?? 600) * 1000;
  const deadline = turnDeadline(timeoutMs);
  const timeoutSignal = deadline.signal;
  const callSignal = AbortSignal.any([input.signal, timeoutSignal]);
  let turn: Turn | undefined;
  try {
    turn = await prepareTurn(deps, input, events, progress, { callSignal, timeoutMs });
    const running = turn;
    events.report({ type: "run-start", model: formatModelRef(running.refs[0]!) });
    await compactIfNeeded(running, (prompt) =>
      runToolLoop(running, {
        flushPrompt: prompt,
        compact: (reason, force) => compactTurn(running, reason, force),
      }),
    );
    await runToolLoop(running, { compact: (reason, force) => compactTurn(running, reason, force) });
    return await finishTurn(running);
  } catch (error) {
    return failTurn({ deps, input, events, progress: turn?.progress ?? progress }, error, {
      timeoutSignal,
      timeoutMs,
    });
  } finally {
    deadline.clear();
  }
}

/**
 * The turn's time limit as a signal that aborts like `AbortSignal.timeout` (a `TimeoutError`),
 * but whose timer is cleared when the turn ends: a finished turn holds no timer and no signal
 * until `timeoutSeconds` runs out (600 s by default, per turn).
 */
function turnDeadline(timeoutMs: number): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")),
    timeoutMs,
  );
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
