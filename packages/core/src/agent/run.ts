import { access, constants } from "node:fs/promises";
import { hostname, platform, release } from "node:os";
import {
  isThinkingLevel,
  type LanguageModelV1CallOptions,
  type LanguageModelV1FunctionTool,
  type LanguageModelV1Message,
  ProviderError,
  type ThinkingLevel,
} from "@openclaw/protocol";
import { z } from "zod";
import type { AssistantBus, ChatErrorKind, ChatMessagePayload, UsageSummary } from "../bus/event-bus.js";
import {
  AllModelsFailedError,
  type AuthProfileSource,
  type FailoverCandidate,
  type ProfileCooldowns,
  runWithFailover,
} from "../models/failover.js";
import {
  agentModelConfig,
  formatModelRef,
  type ModelRef,
  ModelRefError,
  parseModelRef,
  resolveModelInput,
} from "../models/model-ref.js";
import { type ProviderRegistry, ProviderUnavailableError } from "../models/provider-registry.js";
import type { RuntimeConfig } from "../models/runtime-config.js";
import { capOutput } from "../tools/output-cap.js";
import { isToolAllowed, type ToolPolicyLayer } from "../tools/policy.js";
import type { ProcessRegistry } from "../tools/process-registry.js";
import type { SessionToolsHost, ToolContext, ToolDefinition, ToolsRuntimeConfig } from "../tools/types.js";
import { ToolError } from "../tools/types.js";
import {
  ensureWorkspace,
  invalidateBootstrapCache,
  loadBootstrapFilesCached,
} from "../workspace/workspace.js";
import {
  compactionSettings,
  compactTranscript,
  DEFAULT_CONTEXT_WINDOW,
  SUMMARY_SYSTEM_PROMPT,
} from "./compaction.js";
import type { AssistantEvent } from "./events.js";
import { toModelMessages } from "./model-messages.js";
import { type StreamedReply, StreamInterruptedError, streamModelReply } from "./model-stream.js";
import { isSessionExpired, type SessionResetConfig } from "./session-expiry.js";
import type { LoadedTranscript, TranscriptCache } from "./session-handle.js";
import { freshSessionEntry } from "./session-handle.js";
import { isMainSessionKey, isSubagentSessionKey } from "./session-key.js";
import type { SessionEntry, SessionStoreLike } from "./session-store.js";
import { buildSystemPrompt } from "./system-prompt.js";
import {
  type AssistantMessage,
  emptyUsage,
  type ModelChangeEntry,
  type NewTranscriptEntry,
  type ThinkingLevelChangeEntry,
  type ToolResultMessage,
} from "./transcript.js";

/** Everything a turn needs from the assistant it runs in. */
export interface RuntimeDeps {
  config: RuntimeConfig;
  bus: AssistantBus;
  registry: ProviderRegistry;
  /** Auth profiles, or a function giving each agent's own. */
  auth?: AuthProfileSource | ((agentId: string) => AuthProfileSource);
  cooldowns: ProfileCooldowns;
  store: SessionStoreLike;
  transcripts: TranscriptCache;
  tools: ToolDefinition[];
  processes: ProcessRegistry;
  sessionsHost?: SessionToolsHost;
  fetch: typeof fetch;
  now(): number;
  workspaceDir(agentId: string): string;
  /** Most tool output characters handed to the model (default 100 000). */
  toolOutputCap?: number;
  /** Most model calls in one turn (default 32). */
  maxSteps?: number;
}

export interface TurnInput {
  runId: string;
  sessionKey: string;
  agentId: string;
  /** The user text of this turn (already merged when several messages were coalesced). */
  userText: string;
  modelOverride?: string;
  thinking?: string;
  extraSystemPrompt?: string;
  channel?: string;
  /** The chat this turn came from (recorded as the session's last route). */
  route?: import("./events.js").DeliveryRoute;
  spawnedBy?: string;
  /** Channel/group tool policy for this conversation. */
  channelTools?: ToolPolicyLayer;
  signal: AbortSignal;
  /** Messages steered into the running turn; drained at each model/tool boundary. */
  drainSteered?(): string[];
  observe(event: AssistantEvent): void;
  /** Memory-flush turns: nothing reaches chat clients. */
  silent?: boolean;
}

export interface TurnOutcome {
  runId: string;
  status: "ok" | "aborted" | "error";
  text: string;
  silent: boolean;
  model?: string;
  usage?: UsageSummary;
  error?: { code: string; kind: ChatErrorKind; message: string };
  /** Verbose mode: one line per tool call, delivered before the reply. */
  toolNotices?: string[];
  /** `/usage tokens|full`: a line appended to the delivered reply. */
  usageFooter?: string;
}

/** One short line describing a tool call for verbose mode (`🔧 read: notes.txt`). */
export function toolNotice(name: string, args: Record<string, unknown>, full: boolean): string {
  const main =
    args.path ?? args.command ?? args.url ?? args.query ?? args.task ?? args.sessionKey ?? args.action;
  const detail = full ? JSON.stringify(args) : typeof main === "string" ? main : "";
  const short = detail.length > 120 ? `${detail.slice(0, 119)}…` : detail;
  return `🔧 ${name}${short ? `: ${short}` : ""}`;
}

/** Minimum spacing of `chat` delta events of one run (the first delta goes out at once). */
export const CHAT_DELTA_INTERVAL_MS = 100;

const workspacesReady = new Map<string, Promise<unknown>>();
/** Facts of this machine for the runtime line, read once. */
const HOST = {
  host: hostname(),
  os: `${platform()} ${release()}`,
  timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
};

function chatErrorKind(error: unknown): ChatErrorKind {
  const kind = ProviderError.isInstance(error)
    ? error.kind
    : error instanceof AllModelsFailedError
      ? error.kind
      : error instanceof StreamInterruptedError
        ? error.cause.kind
        : undefined;
  switch (kind) {
    case "refusal":
      return "refusal";
    case "timeout":
      return "timeout";
    case "rate_limit":
      return "rate_limit";
    case "context_length":
      return "context_length";
    default:
      return "unknown";
  }
}

function errorCode(error: unknown): string {
  if (error && typeof error === "object" && typeof (error as { code?: unknown }).code === "string")
    return (error as { code: string }).code;
  return "INTERNAL";
}

function userMessageOf(error: unknown): string {
  if (
    error instanceof AllModelsFailedError ||
    error instanceof ProviderUnavailableError ||
    error instanceof ModelRefError
  )
    return error.message;
  if (ProviderError.isInstance(error)) {
    if (error.kind === "refusal")
      return `The model declined to answer: ${error.providerMessage ?? error.message}`;
    if (error.kind === "invalid_request")
      return `The model provider rejected the request: ${error.providerMessage ?? error.message}`;
    if (error.kind === "context_length")
      return "The conversation is too long for the model even after compacting. Start a new session with /new.";
    return `Model error (${error.kind}): ${error.providerMessage ?? error.message}`;
  }
  if (error instanceof StreamInterruptedError) return `${error.message}. The partial answer was kept.`;
  return `Something went wrong while answering: ${(error as Error)?.message ?? String(error)}`;
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

/** Model refs for a run: explicit override > session override > agent primary, then fallbacks. */
export function resolveRunModels(
  config: RuntimeConfig,
  agentId: string,
  entry: SessionEntry | undefined,
  override?: string,
): ModelRef[] {
  const { primary, fallbacks } = agentModelConfig(config, agentId);
  const sessionModel =
    entry?.modelOverride !== undefined
      ? entry.providerOverride
        ? `${entry.providerOverride}/${entry.modelOverride}`
        : entry.modelOverride
      : undefined;
  const first = override
    ? resolveModelInput(override, config, agentId)
    : sessionModel
      ? parseModelRef(sessionModel)
      : primary
        ? parseModelRef(primary)
        : undefined;
  const refs: ModelRef[] = [];
  if (first) refs.push(first);
  for (const fallback of fallbacks) {
    try {
      refs.push(parseModelRef(fallback));
    } catch {}
  }
  if (refs.length === 0) refs.push(parseModelRef(DEFAULT_MODEL));
  return refs;
}

/** Used when nothing is configured at all (OpenClaw's default provider is Anthropic). */
export const DEFAULT_MODEL = "anthropic/claude-opus-4-5";

function toolSpec(tool: ToolDefinition): LanguageModelV1FunctionTool {
  const schema = z.toJSONSchema(tool.parameters, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  delete schema.$schema;
  return { type: "function", name: tool.name, description: tool.description, inputSchema: schema };
}

const toolSpecCache = new WeakMap<ToolDefinition, LanguageModelV1FunctionTool>();
function cachedToolSpec(tool: ToolDefinition): LanguageModelV1FunctionTool {
  let spec = toolSpecCache.get(tool);
  if (!spec) {
    spec = toolSpec(tool);
    toolSpecCache.set(tool, spec);
  }
  return spec;
}

/** Entry fields a reset keeps (user settings, origin); everything else starts over. */
export const KEPT_ON_RESET = [
  "label",
  "chatType",
  "channel",
  "thinkingLevel",
  "verboseLevel",
  "queueMode",
  "spawnedBy",
  "lastChannel",
  "lastTo",
  "lastAccountId",
  "lastThreadId",
  "responseUsage",
];

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
    const keep = Object.fromEntries(
      Object.entries(existing).filter(([name]) => KEPT_ON_RESET.includes(name)),
    );
    const fresh = freshSessionEntry(deps.now(), { ...keep, ...extra });
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

/**
 * One turn: append the user message, build the prompt, stream the model (with failover), run
 * tool calls, append every step, update the session entry, and emit `agent` + `chat` events.
 */
export async function executeTurn(deps: RuntimeDeps, input: TurnInput): Promise<TurnOutcome> {
  const { bus, config } = deps;
  const { runId, sessionKey, agentId } = input;
  let agentSeq = 0;
  let chatSeq = 0;
  const startedAt = deps.now();
  const emitAgent = (
    stream: Parameters<typeof bus.emit<"agent">>[1]["stream"],
    data: Record<string, unknown>,
  ) => {
    if (input.silent) return;
    bus.emit("agent", { runId, seq: ++agentSeq, stream, ts: deps.now(), sessionKey, data });
  };
  const chatMessage = (text: string): ChatMessagePayload => ({
    role: "assistant",
    content: [{ type: "text", text }],
    timestamp: deps.now(),
  });
  // chat deltas are buffered (first one at once, then at most every CHAT_DELTA_INTERVAL_MS) so a
  // fast model does not send one WebSocket frame per token; agent `assistant` events stay per delta
  let pendingDelta = "";
  let pendingText = "";
  let lastDeltaAt = 0;
  let deltaTimer: NodeJS.Timeout | undefined;
  const flushDelta = () => {
    if (deltaTimer) {
      clearTimeout(deltaTimer);
      deltaTimer = undefined;
    }
    if (!pendingDelta) return;
    const deltaText = pendingDelta;
    pendingDelta = "";
    lastDeltaAt = performance.now();
    emitChatNow({ state: "delta", deltaText, message: chatMessage(pendingText) });
  };
  const bufferDelta = (delta: string, text: string) => {
    pendingDelta += delta;
    pendingText = text;
    if (performance.now() - lastDeltaAt >= CHAT_DELTA_INTERVAL_MS) flushDelta();
    else deltaTimer ??= setTimeout(flushDelta, CHAT_DELTA_INTERVAL_MS);
  };
  const emitChat = (payload: Record<string, unknown> & { state: string }) => {
    flushDelta();
    emitChatNow(payload);
  };
  const emitChatNow = (payload: Record<string, unknown> & { state: string }) => {
    if (input.silent) return;
    bus.emit("chat", {
      runId,
      sessionKey,
      seq: ++chatSeq,
      ...(input.spawnedBy ? { spawnedBy: input.spawnedBy } : {}),
      ...payload,
    } as never);
  };
  const observe = (event: AssistantEvent) => {
    if (!input.silent) input.observe(event);
  };

  emitAgent("lifecycle", { phase: "start", startedAt });
  let transcript: LoadedTranscript | undefined;
  let finalText = "";
  let lastAssistant: AssistantMessage | undefined;
  let usedModel: string | undefined;
  const totals = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };
  const toolCallsMade: { name: string; arguments: Record<string, unknown> }[] = [];

  const runTimeoutMs = (config.agents?.defaults?.timeoutSeconds ?? 600) * 1000;
  const timeoutSignal = AbortSignal.timeout(runTimeoutMs);

  const finishError = async (error: unknown): Promise<TurnOutcome> => {
    if (!input.signal.aborted && timeoutSignal.aborted) {
      // the run's own time limit (agents.defaults.timeoutSeconds), not a user abort
      const partial = error instanceof StreamInterruptedError ? error.partial : undefined;
      error = new ProviderError(
        "timeout",
        `The run took longer than ${runTimeoutMs / 1000} s (agents.defaults.timeoutSeconds) and was stopped.`,
      );
      if (partial) error = new StreamInterruptedError(error as ProviderError, partial);
    }
    const aborted =
      input.signal.aborted ||
      (ProviderError.isInstance(error) && error.kind === "aborted") ||
      (error instanceof StreamInterruptedError && error.cause.kind === "aborted");
    if (aborted) {
      const partial = error instanceof StreamInterruptedError ? error.partial : undefined;
      const partialText = partial
        ? partial.content.map((block) => (block.type === "text" ? block.text : "")).join("")
        : finalText;
      if (transcript && partial)
        await transcript.append({ type: "message", message: partial }).catch(() => {});
      emitChat({ state: "aborted", ...(partialText ? { message: chatMessage(partialText) } : {}) });
      emitAgent("lifecycle", { phase: "end", aborted: true, startedAt, endedAt: deps.now() });
      observe({ type: "aborted", runId, sessionKey, text: partialText });
      return { runId, status: "aborted", text: partialText, silent: false, model: usedModel };
    }
    const message = userMessageOf(error);
    const kind = chatErrorKind(error);
    const code = errorCode(error);
    if (transcript) {
      const partial = error instanceof StreamInterruptedError ? error.partial : undefined;
      const [provider = "unknown", ...rest] = (usedModel ?? "unknown/unknown").split("/");
      const errorEntry: AssistantMessage = partial ?? {
        role: "assistant",
        content: [],
        provider,
        model: rest.join("/") || "unknown",
        usage: emptyUsage(),
        stopReason: "error",
        timestamp: deps.now(),
      };
      errorEntry.stopReason = "error";
      errorEntry.errorMessage = message;
      await transcript.append({ type: "message", message: errorEntry }).catch(() => {});
    }
    emitChat({ state: "error", errorMessage: message, errorKind: kind });
    emitAgent("lifecycle", { phase: "error", error: message, code, startedAt, endedAt: deps.now() });
    observe({ type: "error", runId, sessionKey, code, kind, message });
    return {
      runId,
      status: "error",
      text: message,
      silent: false,
      model: usedModel,
      error: { code, kind, message },
    };
  };

  try {
    const { entry } = await ensureSessionEntry(
      deps,
      agentId,
      sessionKey,
      input.spawnedBy ? { spawnedBy: input.spawnedBy } : {},
      {
        checkExpiry: !input.silent,
      },
    );
    const workspaceDir = deps.workspaceDir(agentId);
    const defaults = config.agents?.defaults ?? {};
    let ready = workspacesReady.get(workspaceDir);
    if (!ready) {
      ready = ensureWorkspace(workspaceDir, { skipBootstrap: defaults.skipBootstrap });
      workspacesReady.set(workspaceDir, ready);
    }
    await ready;
    transcript = await deps.transcripts.get(agentId, entry, workspaceDir);
    let resolvedRefs: ModelRef[] | undefined;
    let refError: unknown;
    try {
      resolvedRefs = resolveRunModels(config, agentId, entry, input.modelOverride);
    } catch (error) {
      refError = error;
    }
    const thinkingRaw = input.thinking ?? entry.thinkingLevel ?? defaults.thinkingDefault ?? "off";
    const thinking: ThinkingLevel = isThinkingLevel(thinkingRaw) ? thinkingRaw : "off";
    // like pi's SessionManager: record model / thinking switches as their own entries
    const changes: NewTranscriptEntry[] = [];
    const branch = transcript.branch;
    const lastModel = [...branch].reverse().find((item) => item.type === "model_change") as
      | ModelChangeEntry
      | undefined;
    const selected = resolvedRefs?.[0];
    if (selected && (lastModel?.provider !== selected.provider || lastModel?.modelId !== selected.model))
      changes.push({ type: "model_change", provider: selected.provider, modelId: selected.model });
    const lastThinking = [...branch].reverse().find((item) => item.type === "thinking_level_change") as
      | ThinkingLevelChangeEntry
      | undefined;
    if ((lastThinking?.thinkingLevel ?? "off") !== thinking)
      changes.push({ type: "thinking_level_change", thinkingLevel: thinking });
    await transcript.append(...changes, {
      type: "message",
      message: { role: "user", content: [{ type: "text", text: input.userText }], timestamp: deps.now() },
    });
    if (refError || !resolvedRefs) throw refError;
    const refs = resolvedRefs;
    const subagent = isSubagentSessionKey(sessionKey);
    const agent = agentEntry(config, agentId);
    const toolsConfig = (config.tools ?? {}) as RuntimeConfig["tools"] & object;
    const allowedTools = deps.tools.filter(
      (tool) =>
        isToolAllowed(tool.name, {
          global: toolsConfig as never,
          provider: refs[0]?.provider,
          agent: agent?.tools,
          channel: input.channelTools,
          subagent: subagent
            ? ((toolsConfig.subagents as { tools?: ToolPolicyLayer } | undefined)?.tools ?? {
                deny: ["sessions_spawn"],
              })
            : undefined,
        }).allowed,
    );
    const toolsByName = new Map(allowedTools.map((tool) => [tool.name, tool]));
    const knownTools = new Set(deps.tools.map((tool) => tool.name));
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
        runtime: {
          host: HOST.host,
          os: HOST.os,
          node: process.version,
          model: formatModelRef(ref),
          thinking,
        },
        timezone: defaults.userTimezone ?? HOST.timezone,
        extra: input.extraSystemPrompt ? [input.extraSystemPrompt] : undefined,
      });
    const toolSpecs = allowedTools.map(cachedToolSpec);
    const timeoutMs = runTimeoutMs;
    const callSignal = AbortSignal.any([input.signal, timeoutSignal]);
    let currentRefs = refs;
    const contextWindowFor = (ref: ModelRef) =>
      defaults.contextTokens ??
      deps.registry.modelInfo(ref.provider, ref.model)?.contextWindow ??
      DEFAULT_CONTEXT_WINDOW;

    const callModel = async (
      messages: LanguageModelV1Message[],
      options: { system?: string; tools?: LanguageModelV1FunctionTool[]; silentStream?: boolean },
    ) => {
      let textSoFar = "";
      const { result, candidate, attempts } = await runWithFailover<StreamedReply>({
        refs: currentRefs,
        registry: deps.registry,
        auth: typeof deps.auth === "function" ? deps.auth(agentId) : deps.auth,
        cooldowns: deps.cooldowns,
        order: config.auth?.order,
        pinnedProfileId: entry.authProfileOverride,
        signal: callSignal,
        onFailover: (attempt) => {
          emitAgent("error", {
            kind: "failover",
            model: attempt.model,
            reason: attempt.kind,
            message: attempt.message,
          });
          observe({
            type: "failover",
            runId,
            from: attempt.model,
            reason: `${attempt.kind}: ${attempt.message}`,
          });
        },
        attempt: (candidate: FailoverCandidate) => {
          const callOptions: LanguageModelV1CallOptions = {
            system: options.system ?? systemFor(candidate.ref),
            messages,
            tools: options.tools?.length ? options.tools : undefined,
            thinking: thinking === "off" ? undefined : thinking,
            abortSignal: callSignal,
            apiKey: candidate.apiKey,
            maxOutputTokens: deps.registry.modelInfo(candidate.ref.provider, candidate.ref.model)?.maxTokens,
          };
          return streamModelReply(
            candidate.model,
            callOptions,
            options.silentStream
              ? {}
              : {
                  onTextDelta: (delta, text) => {
                    textSoFar = text;
                    emitAgent("assistant", { text, delta });
                    bufferDelta(delta, text);
                    observe({ type: "text-delta", runId, delta, text });
                  },
                  onReasoningDelta: (delta) => {
                    emitAgent("reasoning", { delta });
                    observe({ type: "reasoning-delta", runId, delta });
                  },
                },
            {
              api: deps.registry.resolve(candidate.ref.provider).api,
              info: deps.registry.modelInfo(candidate.ref.provider, candidate.ref.model),
              now: deps.now,
            },
          );
        },
      });
      void textSoFar;
      // stick with the model that answered for the rest of this turn
      const index = currentRefs.findIndex((ref) => formatModelRef(ref) === formatModelRef(candidate.ref));
      if (index > 0) currentRefs = currentRefs.slice(index);
      if (attempts.length && candidate.profileId && candidate.profileId !== entry.authProfileOverride) {
        // failed-over profile becomes the session's pin until reset
        await deps.store.update(agentId, sessionKey, (current) =>
          current ? { ...current, authProfileOverride: candidate.profileId } : current,
        );
      }
      return { reply: result, candidate };
    };

    const summarize = async (text: string) => {
      const { reply } = await callModel([{ role: "user", content: [{ type: "text", text }] }], {
        system: SUMMARY_SYSTEM_PROMPT,
        silentStream: true,
      });
      return reply.message.content.map((block) => (block.type === "text" ? block.text : "")).join("");
    };

    const compactNow = async (reason: string, force = false) => {
      const settings = compactionSettings(defaults.compaction, contextWindowFor(currentRefs[0]!));
      emitAgent("compaction", { phase: "start", reason });
      observe({ type: "compaction", runId, phase: "start" });
      const result = await compactTranscript(
        transcript!,
        { keepRecentTokens: force ? Math.min(settings.keepRecentTokens, 1) : settings.keepRecentTokens },
        summarize,
      );
      emitAgent("compaction", { phase: "end", ...result });
      observe({
        type: "compaction",
        runId,
        phase: "end",
        tokensBefore: result.tokensBefore,
        tokensAfter: result.tokensAfter,
      });
      if (result.compacted) {
        const updated = await deps.store.update(agentId, sessionKey, (current) =>
          current
            ? {
                ...current,
                compactionCount: (current.compactionCount ?? 0) + 1,
                authProfileOverride: undefined,
              }
            : current,
        );
        if (updated) entry.compactionCount = updated.compactionCount;
        bus.emit("session.changed", { sessionKey, agentId, sessionId: entry.sessionId, reason: "compacted" });
      }
      return result;
    };

    const maybeCompact = async () => {
      const settings = compactionSettings(defaults.compaction, contextWindowFor(currentRefs[0]!));
      const systemTokens = Math.ceil(systemFor(currentRefs[0]!).length / 4);
      const used = transcript!.contextTokens() + systemTokens;
      const limit = settings.contextWindow - settings.reserveTokens;
      const flushAt = limit - settings.memoryFlush.softThresholdTokens;
      if (
        !input.silent &&
        used > flushAt &&
        settings.memoryFlush.enabled &&
        (entry.memoryFlushCompactionCount ?? -1) !== (entry.compactionCount ?? 0) &&
        toolsByName.has("write")
      ) {
        const writable = await access(workspaceDir, constants.W_OK).then(
          () => true,
          () => false,
        );
        if (writable) {
          entry.memoryFlushCompactionCount = entry.compactionCount ?? 0;
          await deps.store.update(agentId, sessionKey, (current) =>
            current
              ? {
                  ...current,
                  memoryFlushAt: deps.now(),
                  memoryFlushCompactionCount: entry.compactionCount ?? 0,
                }
              : current,
          );
          await runToolLoop(
            settings.memoryFlush.prompt.replace(
              "YYYY-MM-DD",
              new Date(deps.now()).toISOString().slice(0, 10),
            ),
            true,
          );
        }
      }
      if (transcript!.contextTokens() + systemTokens > limit) await compactNow("threshold");
    };

    let lastReply: StreamedReply | undefined;
    // the tool loop; `silentFlush` runs the memory-flush turn without touching chat
    const runToolLoop = async (flushPrompt?: string, silentFlush = false): Promise<void> => {
      if (flushPrompt) {
        await transcript!.append({
          type: "message",
          message: { role: "user", content: [{ type: "text", text: flushPrompt }], timestamp: deps.now() },
        });
      }
      let contextRetried = false;
      for (let step = 0; step < (deps.maxSteps ?? 32); step++) {
        let reply: StreamedReply;
        let candidate: FailoverCandidate;
        try {
          ({ reply, candidate } = await callModel(toModelMessages(transcript!.context()), {
            tools: toolSpecs,
            silentStream: silentFlush,
          }));
        } catch (error) {
          if (ProviderError.isInstance(error) && error.kind === "context_length" && !contextRetried) {
            contextRetried = true;
            const result = await compactNow("context_length", true);
            if (result.compacted) {
              step--;
              continue;
            }
          }
          throw error;
        }
        usedModel = formatModelRef(candidate.ref);
        await transcript!.append({ type: "message", message: reply.message });
        totals.input += reply.message.usage.input;
        totals.output += reply.message.usage.output;
        totals.cacheRead += reply.message.usage.cacheRead;
        totals.cacheWrite += reply.message.usage.cacheWrite;
        totals.cost += reply.message.usage.cost.total;
        if (!silentFlush) {
          lastReply = reply;
          lastAssistant = reply.message;
          const text = reply.message.content
            .map((block) => (block.type === "text" ? block.text : ""))
            .join("");
          if (text.trim()) finalText = text;
        }
        for (const call of reply.toolCalls) {
          if (callSignal.aborted) {
            await transcript!.append({
              type: "message",
              message: toolResultMessage(
                call.id,
                call.name,
                "Aborted before the tool ran.",
                true,
                deps.now(),
              ),
            });
            continue;
          }
          if (!silentFlush) {
            toolCallsMade.push({ name: call.name, arguments: call.arguments });
            flushDelta();
            emitAgent("tool", { phase: "start", name: call.name, toolCallId: call.id, args: call.arguments });
            observe({
              type: "tool-start",
              runId,
              toolCallId: call.id,
              name: call.name,
              args: call.arguments,
            });
          }
          const result = await runTool(call, {
            deps,
            agentId,
            sessionKey,
            toolsByName,
            knownTools,
            workspaceDir,
            toolsConfig: toolsConfig as ToolsRuntimeConfig,
            signal: callSignal,
          });
          if (call.name === "write" || call.name === "edit" || call.name === "exec")
            invalidateBootstrapCache(workspaceDir);
          await transcript!.append({
            type: "message",
            message: toolResultMessage(
              call.id,
              call.name,
              result.content,
              result.isError,
              deps.now(),
              result.details,
            ),
          });
          if (!silentFlush) {
            emitAgent("tool", {
              phase: "result",
              name: call.name,
              toolCallId: call.id,
              result: result.content,
              isError: result.isError,
            });
            observe({
              type: "tool-result",
              runId,
              toolCallId: call.id,
              name: call.name,
              result: result.content,
              isError: result.isError,
            });
          }
        }
        if (callSignal.aborted)
          throw new ProviderError(
            input.signal.aborted ? "aborted" : "timeout",
            input.signal.aborted ? "The run was aborted" : `The run timed out after ${timeoutMs / 1000} s`,
          );
        const steered = silentFlush ? [] : (input.drainSteered?.() ?? []);
        for (const text of steered)
          await transcript!.append({
            type: "message",
            message: { role: "user", content: [{ type: "text", text }], timestamp: deps.now() },
          });
        if (reply.toolCalls.length === 0 && steered.length === 0) return;
      }
      if (!silentFlush) finalText ||= "(stopped: too many tool steps in one turn)";
    };

    observe({ type: "run-start", runId, sessionKey, model: formatModelRef(refs[0]!) });
    await maybeCompact();
    await runToolLoop();
    void lastReply;

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
    const contextTokens = transcript.contextTokens();
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
    bus.emit("session.changed", { sessionKey, agentId, sessionId: entry.sessionId, reason: "updated" });
    const text = silent ? "" : finalText;
    emitChat({
      state: "final",
      ...(text
        ? {
            message: {
              ...chatMessage(text),
              ...(usedModel ? { provider, model: modelParts.join("/") } : {}),
            },
          }
        : {}),
      usage: lastAssistant ? toUsageSummary(lastAssistant) : usage,
      stopReason: lastAssistant?.stopReason ?? "stop",
    });
    emitAgent("lifecycle", { phase: "end", startedAt, endedAt: deps.now(), model: usedModel });
    observe({ type: "final", runId, sessionKey, text, model: usedModel, usage, silent });
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
      ...(verbose && toolCallsMade.length
        ? {
            toolNotices: toolCallsMade.map((call) =>
              toolNotice(call.name, call.arguments, latest?.verboseLevel === "full"),
            ),
          }
        : {}),
      ...(usageFooter ? { usageFooter } : {}),
    };
  } catch (error) {
    return finishError(error);
  }
}

function toolResultMessage(
  toolCallId: string,
  toolName: string,
  text: string,
  isError: boolean,
  now: number,
  details?: unknown,
): ToolResultMessage {
  return {
    role: "toolResult",
    toolCallId,
    toolName,
    content: [{ type: "text", text }],
    ...(details !== undefined ? { details } : {}),
    isError,
    timestamp: now,
  };
}

/** Policy check → argument validation → execute → cap output. Never throws. */
async function runTool(
  call: { id: string; name: string; arguments: Record<string, unknown>; parseError?: string },
  options: {
    deps: RuntimeDeps;
    agentId: string;
    sessionKey: string;
    toolsByName: Map<string, ToolDefinition>;
    knownTools: Set<string>;
    workspaceDir: string;
    toolsConfig: ToolsRuntimeConfig;
    signal: AbortSignal;
  },
): Promise<{ content: string; isError: boolean; details?: unknown }> {
  const cap = options.deps.toolOutputCap ?? 100_000;
  if (call.parseError)
    return {
      content: `Error: ${call.parseError}. Call ${call.name} again with a JSON object of arguments.`,
      isError: true,
    };
  const tool = options.toolsByName.get(call.name);
  if (!tool) {
    if (options.knownTools.has(call.name))
      return {
        content: `Error: tool "${call.name}" is not allowed in this session by the tool policy.`,
        isError: true,
      };
    return {
      content: `Error: unknown tool "${call.name}". Available tools: ${[...options.toolsByName.keys()].join(", ") || "none"}.`,
      isError: true,
    };
  }
  const parsed = tool.parameters.safeParse(call.arguments);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
      .join("; ");
    return { content: `Error: invalid arguments for ${call.name}: ${issues}`, isError: true };
  }
  const context: ToolContext = {
    agentId: options.agentId,
    sessionKey: options.sessionKey,
    workspaceDir: options.workspaceDir,
    signal: options.signal,
    toolsConfig: options.toolsConfig,
    fetch: options.deps.fetch,
    sessions: options.deps.sessionsHost,
    processes: options.deps.processes,
    outputCap: cap,
    now: options.deps.now,
  };
  try {
    // a tool that ignores the abort signal must not hold the session's lane forever
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () =>
        reject(new ToolError("aborted", `${call.name} was stopped: the run was aborted or timed out`));
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener("abort", onAbort, { once: true });
    });
    aborted.catch(() => {});
    let result: Awaited<ReturnType<typeof tool.execute>>;
    try {
      result = await Promise.race([tool.execute(parsed.data, context), aborted]);
    } finally {
      if (onAbort) options.signal.removeEventListener("abort", onAbort);
    }
    const capped = capOutput(result.content ?? "", cap);
    return { content: capped.text, isError: result.isError === true, details: result.details };
  } catch (error) {
    if (error instanceof ToolError)
      return { content: `Error (${error.code}): ${error.message}`, isError: true };
    return {
      content: `Error: tool ${call.name} failed: ${(error as Error)?.message ?? String(error)}`,
      isError: true,
    };
  }
}

/** `/compact`: summarize older context of a session right now (runs inside the session lane). */
export async function compactSessionNow(
  deps: RuntimeDeps,
  options: { agentId: string; sessionKey: string; instructions?: string },
): Promise<{ compacted: boolean; tokensBefore: number; tokensAfter: number; reason?: string }> {
  const entry = await deps.store.get(options.agentId, options.sessionKey);
  if (!entry)
    return { compacted: false, tokensBefore: 0, tokensAfter: 0, reason: "the session has no messages yet" };
  const transcript = await deps.transcripts.get(options.agentId, entry, deps.workspaceDir(options.agentId));
  const refs = resolveRunModels(deps.config, options.agentId, entry);
  const window =
    deps.config.agents?.defaults?.contextTokens ??
    deps.registry.modelInfo(refs[0]!.provider, refs[0]!.model)?.contextWindow ??
    DEFAULT_CONTEXT_WINDOW;
  const settings = compactionSettings(deps.config.agents?.defaults?.compaction, window);
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
    return result.message.content.map((block) => (block.type === "text" ? block.text : "")).join("");
  };
  const result = await compactTranscript(
    transcript,
    { keepRecentTokens: Math.min(settings.keepRecentTokens, 1) },
    summarize,
    options.instructions,
  );
  if (result.compacted) {
    await deps.store.update(options.agentId, options.sessionKey, (current) =>
      current
        ? {
            ...current,
            compactionCount: (current.compactionCount ?? 0) + 1,
            contextTokens: result.tokensAfter,
          }
        : current,
    );
    deps.bus.emit("session.changed", {
      sessionKey: options.sessionKey,
      agentId: options.agentId,
      sessionId: entry.sessionId,
      reason: "compacted",
    });
  }
  return result;
}
