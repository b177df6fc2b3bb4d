import { randomUUID } from "node:crypto";
import { homedir } from "node:os";
import path from "node:path";
import type { ModelProviderV1 } from "@openclaw/protocol";
import { AsyncChannel } from "./agent/async-channel.js";
import { CachedSessionStore } from "./agent/cached-session-store.js";
import {
  type CommandHost,
  matchResetTrigger,
  parseCommand,
  runCommand,
  type SenderInfo,
} from "./agent/commands.js";
import type { AssistantEvent, DeliveryRoute, ReplyResult } from "./agent/events.js";
import { LaneScheduler } from "./agent/lanes.js";
import {
  compactSessionNow,
  DEFAULT_MODEL,
  ensureSessionEntry,
  executeTurn,
  type RuntimeDeps,
  resolveRunModels,
} from "./agent/run.js";
import { freshSessionEntry, TranscriptCache } from "./agent/session-handle.js";
import { agentIdFromSessionKey, parseAgentSessionKey, toAgentSessionKey } from "./agent/session-key.js";
import {
  normalizeQueueMode,
  type PendingMessage,
  type QueueDrop,
  type QueueMode,
  SessionQueue,
} from "./agent/session-queue.js";
import type { SessionEntry, SessionStoreLike } from "./agent/session-store.js";
import { activeBranch, messageText, type TranscriptMessage } from "./agent/transcript.js";
import { AssistantBus } from "./bus/event-bus.js";
import { resolvePaths } from "./config/paths.js";
import { authSourceFromStore } from "./models/auth-source.js";
import { type AuthProfileSource, ProfileCooldowns } from "./models/failover.js";
import {
  configuredModelRefs,
  formatModelRef,
  modelAliases,
  modelCatalog,
  resolveModelInput,
} from "./models/model-ref.js";
import { type ProviderApi, type ProviderFactory, ProviderRegistry } from "./models/provider-registry.js";
import type { RuntimeConfig } from "./models/runtime-config.js";
import { resolveDefaultAgentId } from "./routing/index.js";
import {
  AuthProfileStore,
  createAgentSessionStore,
  createFileStateStore,
  SessionStore,
  type StateStore,
} from "./state/index.js";
import { builtinTools } from "./tools/index.js";
import type { ToolPolicyLayer } from "./tools/policy.js";
import { ProcessRegistry } from "./tools/process-registry.js";
import type { SessionSummary, SessionToolsHost, ToolDefinition } from "./tools/types.js";

export interface CreateAssistantOptions {
  /** OpenClaw config (the loader's effective config, or a plain object with the same keys). */
  config: RuntimeConfig;
  /** Ready provider instances by id; they win over providers built from config. */
  providers?: ModelProviderV1[] | Record<string, ModelProviderV1>;
  /** Provider factories by API kind (the provider packages' creators), used for config-declared and built-in providers. */
  providerFactories?: Partial<Record<ProviderApi, ProviderFactory>>;
  /** Reserved for channel plugins (the channels pipeline calls `enqueue`). */
  channels?: unknown[];
  /** Session store (sessions.json + transcripts). Default: files under `stateDir`. */
  state?: SessionStoreLike;
  /**
   * Stored auth profiles used for key rotation. Default: each agent's
   * `agents/<agentId>/agent/auth-profiles.json` (falling back to the main agent's).
   */
  auth?: AuthProfileSource | ((agentId: string) => AuthProfileSource);
  /** Default `$OPENCLAW_STATE_DIR` or `~/.openclaw`. */
  stateDir?: string;
  clock?: { now(): number };
  fetch?: typeof fetch;
  env?: NodeJS.ProcessEnv;
  /** Extra tools next to the built-ins. */
  tools?: ToolDefinition[];
  bus?: AssistantBus;
  /** Most tool output characters returned to the model (default 100 000). */
  toolOutputCap?: number;
}

export interface SendInput {
  /** Request key (`main`, `agent:main:main`, `discord:group:123`…); default the agent's main session. */
  sessionKey?: string;
  agentId?: string;
  text: string;
  sender?: SenderInfo;
  /** Same key ⇒ same result, the message is not processed twice. */
  idempotencyKey?: string;
  /** Model override for this turn (`provider/model` or alias). */
  model?: string;
  thinking?: string;
  extraSystemPrompt?: string;
  /** Channel the message came from (per-channel queue mode, last route). */
  channel?: string;
  /**
   * The chat the message came from; recorded as the session's last route so replies nobody
   * waits for (sub-agent announces, agent-to-agent announces) reach that chat.
   */
  route?: DeliveryRoute;
  /** Channel/group tool policy for this conversation (default: from `channels.<channel>.groups.<groupId>.tools`). */
  channelTools?: ToolPolicyLayer;
  /** Group/room id within `channel`; selects `channels.<channel>.groups.<groupId|"*">` settings. */
  groupId?: string;
  spawnedBy?: string;
}

/**
 * Per-group settings of a channel: `channels.<channel>.groups.<groupId>` (or `"*"`):
 * `tools` (allow/deny) and `systemPrompt`.
 */
export function channelGroupSettings(
  config: RuntimeConfig,
  channel: string | undefined,
  groupId: string | undefined,
): { tools?: ToolPolicyLayer; systemPrompt?: string } {
  if (!channel || !groupId) return {};
  const groups = ((config.channels?.[channel] as { groups?: Record<string, unknown> } | undefined)?.groups ??
    {}) as Record<string, { tools?: ToolPolicyLayer; systemPrompt?: string } | undefined>;
  const group = groups[groupId] ?? groups[groupId.toLowerCase()] ?? groups["*"];
  return {
    tools: group?.tools,
    systemPrompt: typeof group?.systemPrompt === "string" ? group.systemPrompt : undefined,
  };
}

/** Handle of one submitted message. */
export interface SubmitHandle {
  /** Id of the message; also the runId of the run it starts (see `ReplyResult.runId`). */
  messageId: string;
  sessionKey: string;
  /** Settles exactly once, whatever happens. */
  result: Promise<ReplyResult>;
  /** Events of the run(s) answering this message, ending after the terminal event. */
  events: AsyncIterable<AssistantEvent>;
  /** True when the idempotency key matched an earlier message. */
  duplicate: boolean;
}

export interface RunStatus {
  status: "ok" | "error" | "timeout";
  startedAt?: number;
  endedAt?: number;
  error?: string;
}

export interface AssistantSessions {
  resolveKey(sessionKey?: string, agentId?: string): string;
  list(options?: {
    agentId?: string;
    limit?: number;
    activeMinutes?: number;
    spawnedBy?: string;
  }): Promise<(SessionEntry & { key: string; agentId: string })[]>;
  get(sessionKey: string): Promise<SessionEntry | undefined>;
  /** Merge fields (null clears). `model` sets the session model override (`provider/model` or alias); throws ModelRefError outside the allowlist. */
  patch(sessionKey: string, patch: Partial<Record<keyof SessionEntry, unknown>>): Promise<SessionEntry>;
  reset(sessionKey: string): Promise<SessionEntry>;
  delete(sessionKey: string): Promise<boolean>;
  compact(
    sessionKey: string,
    instructions?: string,
  ): Promise<{ compacted: boolean; tokensBefore: number; tokensAfter: number; reason?: string }>;
}

export interface ModelListing {
  ref: string;
  provider: string;
  model: string;
  alias?: string;
  contextWindow?: number;
  current: boolean;
}

export interface Assistant {
  readonly bus: AssistantBus;
  readonly sessions: AssistantSessions;
  readonly registry: ProviderRegistry;
  /** Submit a message; returns immediately with its id, a result promise and an event stream. */
  submit(input: SendInput): SubmitHandle;
  /** Events of the run(s) answering this message; ends after `final`, `aborted` or `error`. */
  send(input: SendInput): AsyncIterable<AssistantEvent>;
  /** For channel pipelines: resolves with what to deliver. Never rejects. */
  enqueue(input: SendInput): Promise<ReplyResult>;
  /** Abort the session's run and clear its queue (`/stop`); with `runId`, only that run/message. */
  abort(sessionKey: string, runId?: string): { aborted: boolean; cleared: number };
  /** Messages on the active branch (newest last). */
  history(sessionKey: string, options?: { limit?: number }): Promise<TranscriptMessage[]>;
  /** Append an assistant note to the transcript without running the model (`chat.inject`). */
  inject(sessionKey: string, text: string, options?: { label?: string }): Promise<{ messageId: string }>;
  /**
   * Queue a system event (`wake` with mode `next-heartbeat`, cron system events) for a session:
   * no run now; the next turn of that session gets it as a `System: …` line before its text.
   * In memory, at most 20 per session (oldest dropped); the same text twice in a row counts once.
   */
  queueSystemEvent(sessionKey: string | undefined, text: string): { sessionKey: string; queued: number };
  /** Wait for a message's run (`agent.wait`). */
  waitForRun(runId: string, timeoutMs?: number): Promise<RunStatus>;
  /** Models this assistant can use (allowlist, configured providers, current default). */
  listModels(agentId?: string): Promise<ModelListing[]>;
  /**
   * Apply a new config (hot reload of agents, models, tools, messages, session, auth): later
   * turns use it; providers are rebuilt lazily. Lanes keep their concurrency until restart.
   */
  reloadConfig(config: RuntimeConfig): void;
  close(): Promise<void>;
}

/** Exact reply that ends sessions_send's reply-back ping-pong (spec §6.3). */
export const REPLY_SKIP = "REPLY_SKIP";
/** Exact reply of the target's announce turn that keeps it out of its chat (spec §6.3). */
export const ANNOUNCE_SKIP = "ANNOUNCE_SKIP";

/** What a bare `/new` asks the model, so the fresh session opens with a short greeting. */
export const NEW_SESSION_GREETING =
  "A new session was just started with /new. Greet the user in one or two short sentences and ask what they would like to do.";

function expand(dir: string, env: NodeJS.ProcessEnv): string {
  return path.resolve(dir.replace(/^~(?=$|\/)/, env.HOME ?? homedir()));
}

/** Create the embeddable assistant: agent runtime, queue, tools and providers, no server. */
export function createAssistant(options: CreateAssistantOptions): Assistant {
  // our own top-level copy, so reloadConfig() can swap sections without touching the caller's object
  const config: RuntimeConfig = { ...options.config };
  const env = options.env ?? process.env;
  const now = options.clock ? () => options.clock!.now() : Date.now;
  const bus = options.bus ?? new AssistantBus();
  // the same layout rules as the config loader (OPENCLAW_STATE_DIR, --profile, OPENCLAW_HOME)
  const paths = resolvePaths(env);
  const stateDir = options.stateDir ?? paths.stateDir;
  const defaultWorkspace = options.stateDir ? path.join(stateDir, "workspace") : paths.workspaceDir;
  // default: the state area's SessionStore (locked sessions.json updates, one writer per transcript)
  let fileState: StateStore | undefined;
  const stateFiles = () => (fileState ??= createFileStateStore(stateDir));
  const ownStore = options.state
    ? undefined
    : new SessionStore({ state: stateFiles(), workspaceFor: (agentId) => workspaceDir(agentId), now });
  const authSources = new Map<string, AuthProfileSource>();
  const defaultAuth = (agentId: string): AuthProfileSource => {
    let source = authSources.get(agentId);
    if (!source) {
      const own = authSourceFromStore(new AuthProfileStore(stateFiles(), agentId), now);
      const main =
        agentId === "main" ? undefined : authSourceFromStore(new AuthProfileStore(stateFiles(), "main"), now);
      source = {
        async list(provider) {
          const mine = await own.list(provider);
          return mine.length || !main ? mine : main.list(provider);
        },
        record: (id, outcome) => {
          own.record?.(id, outcome);
          main?.record?.(id, outcome);
        },
      };
      authSources.set(agentId, source);
    }
    return source;
  };
  const store: SessionStoreLike =
    options.state ??
    new CachedSessionStore(createAgentSessionStore(ownStore!), (error) =>
      process.stderr.write(`openclaw: writing sessions.json failed: ${String(error)}\n`),
    );
  const registry = new ProviderRegistry({
    config,
    providers: options.providers,
    factories: options.providerFactories,
    env,
    fetch: options.fetch,
  });
  const processes = new ProcessRegistry();
  const lanes = new LaneScheduler({
    maxConcurrent: config.agents?.defaults?.maxConcurrent,
    maxConcurrentSubagents:
      typeof config.agents?.defaults?.subagents?.maxConcurrent === "number"
        ? (config.agents.defaults.subagents.maxConcurrent as number)
        : undefined,
  });
  const transcripts = new TranscriptCache(store, now);
  const defaultAgentId = resolveDefaultAgentId(config as never);
  const queues = new Map<string, SessionQueue>();
  const queueModes = new Map<string, QueueMode>();
  const intake = new Map<string, Promise<void>>();
  const idempotent = new Map<string, SubmitHandle>();
  const runs = new Map<string, { startedAt: number; endedAt?: number; result: Promise<ReplyResult> }>();
  let closed = false;

  function workspaceDir(agentId: string): string {
    const agent = config.agents?.list?.find((entry) => entry.id === agentId);
    if (agent?.workspace) return expand(agent.workspace, env);
    if (agentId === defaultAgentId)
      return expand(config.agents?.defaults?.workspace ?? defaultWorkspace, env);
    return path.join(stateDir, `workspace-${agentId}`);
  }

  const mainKey = config.session?.mainKey ?? "main";
  const systemEvents = new Map<string, string[]>();
  const takeSystemEvents = (sessionKey: string): string[] => {
    const events = systemEvents.get(sessionKey) ?? [];
    systemEvents.delete(sessionKey);
    return events;
  };
  const resolveKey = (sessionKey?: string, agentId?: string) =>
    toAgentSessionKey(sessionKey, agentId ?? defaultAgentId, mainKey);

  const queueModeFor = (sessionKey: string, channel?: string): QueueMode => {
    const own = queueModes.get(sessionKey);
    if (own) return own;
    const queueConfig = config.messages?.queue ?? {};
    const byChannel = channel
      ? normalizeQueueMode((queueConfig.byChannel as Record<string, unknown> | undefined)?.[channel])
      : undefined;
    return byChannel ?? normalizeQueueMode(queueConfig.mode) ?? "collect";
  };

  /**
   * `tools.agentToAgent` (spec §3.4): messaging a session of ANOTHER agent needs
   * `enabled: true`, and with an `allow` list both agent ids must be in it (`*` = any).
   * Sessions of the same agent may always talk.
   */
  const agentToAgentRefusal = (requesterKey: string, targetKey: string): string | undefined => {
    const from = agentIdFromSessionKey(requesterKey, defaultAgentId);
    const to = agentIdFromSessionKey(targetKey, defaultAgentId);
    if (from === to) return undefined;
    const policy = (config.tools as { agentToAgent?: { enabled?: boolean; allow?: string[] } } | undefined)
      ?.agentToAgent;
    if (policy?.enabled !== true)
      return `agent-to-agent messaging is disabled: set tools.agentToAgent.enabled to true to let agent "${from}" message agent "${to}"`;
    const allow = policy.allow ?? [];
    const allowed = (id: string) => allow.length === 0 || allow.includes("*") || allow.includes(id);
    if (!allowed(from) || !allowed(to))
      return `agent-to-agent messaging between "${from}" and "${to}" is not in tools.agentToAgent.allow`;
    return undefined;
  };

  /** Running sub-agent sessions by requester session key; those stopped by the requester's /stop. */
  const subagents = new Map<string, Set<string>>();
  const stoppedSubagents = new Set<string>();
  /** `/stop` in a session also stops the sub-agents it spawned (spec §5.4); returns how many. */
  const stopSubagents = (requesterKey: string): number => {
    let count = 0;
    for (const child of subagents.get(requesterKey) ?? []) {
      stoppedSubagents.add(child);
      const { aborted, cleared } = abort(child);
      stopSubagents(child);
      if (aborted || cleared) count++;
    }
    return count;
  };

  /** Sessions with an agent-to-agent step (reply-back or announce turn) queued or running. */
  const a2aSteps = new Map<string, number>();

  const agentToAgentPrompt = (
    step: "request" | "reply" | "announce",
    details: { requesterKey: string; targetKey: string; turn?: number; maxTurns?: number; other?: string },
  ): string => {
    if (step === "request")
      return `## Agent-to-agent message\nThis message comes from another agent session (${details.requesterKey}), not from a person. Your reply is returned to that session.`;
    if (step === "reply")
      return `## Agent-to-agent reply-back (turn ${details.turn} of at most ${details.maxTurns})\nThe message is the latest reply of session ${details.other}. Answer it if more needs to be said; reply exactly ${REPLY_SKIP} to end the exchange. Nothing you write here is posted to a chat.`;
    return `## Agent-to-agent announce\nThe exchange with session ${details.requesterKey} is over. If the people in your chat should hear about it, write the message to post there; otherwise reply exactly ${ANNOUNCE_SKIP}.`;
  };

  /** One internal agent-to-agent step: a queued turn in `sessionKey`, its trimmed reply (undefined on failure). */
  const agentStep = async (
    sessionKey: string,
    text: string,
    fromKey: string,
    extraSystemPrompt: string,
  ): Promise<string | undefined> => {
    if (closed) return undefined;
    const handle = submit({
      sessionKey: resolveKey(sessionKey),
      text,
      sender: { id: fromKey, name: "agent", authorized: false },
      spawnedBy: fromKey,
      extraSystemPrompt,
    });
    a2aSteps.set(handle.sessionKey, (a2aSteps.get(handle.sessionKey) ?? 0) + 1);
    try {
      const result = await handle.result;
      return result.status === "ok" ? result.text.trim() : undefined;
    } finally {
      const left = (a2aSteps.get(handle.sessionKey) ?? 1) - 1;
      if (left > 0) a2aSteps.set(handle.sessionKey, left);
      else a2aSteps.delete(handle.sessionKey);
    }
  };

  /**
   * After sessions_send's primary reply (spec §6.3): reply-back ping-pong, alternating requester
   * and target, at most `session.agentToAgent.maxPingPongTurns` (0–5, default 5) turns, ended by
   * an exact REPLY_SKIP; then one announce turn in the target session whose reply is posted to the
   * target's last chat unless it is exactly ANNOUNCE_SKIP.
   */
  const runAgentToAgentFlow = async (flow: {
    requesterKey: string;
    targetKey: string;
    request: string;
    primary: string;
  }): Promise<void> => {
    const configured = (config.session?.agentToAgent as { maxPingPongTurns?: number } | undefined)
      ?.maxPingPongTurns;
    const maxTurns = Math.max(0, Math.min(5, typeof configured === "number" ? configured : 5));
    let latest = flow.primary.trim();
    let speaker = flow.targetKey;
    for (let turn = 1; turn <= maxTurns && latest && latest !== REPLY_SKIP; turn++) {
      const next = speaker === flow.targetKey ? flow.requesterKey : flow.targetKey;
      const reply = await agentStep(
        next,
        latest,
        speaker,
        agentToAgentPrompt("reply", { ...flow, turn, maxTurns, other: speaker }),
      );
      if (reply === undefined || reply === "" || reply === REPLY_SKIP) break;
      latest = reply;
      speaker = next;
    }
    if (closed) return;
    const announceText = [
      `Original request from ${flow.requesterKey}:`,
      flow.request,
      "",
      "Your first reply:",
      flow.primary.trim() || "(empty)",
      ...(latest !== flow.primary.trim() && latest !== REPLY_SKIP
        ? ["", "Latest reply in the exchange:", latest]
        : []),
    ].join("\n");
    const handle = submit({
      sessionKey: flow.targetKey,
      text: announceText,
      sender: { id: flow.requesterKey, name: "agent", authorized: false },
      spawnedBy: flow.requesterKey,
      extraSystemPrompt: agentToAgentPrompt("announce", flow),
    });
    a2aSteps.set(handle.sessionKey, (a2aSteps.get(handle.sessionKey) ?? 0) + 1);
    const result = await handle.result.finally(() => {
      const left = (a2aSteps.get(handle.sessionKey) ?? 1) - 1;
      if (left > 0) a2aSteps.set(handle.sessionKey, left);
      else a2aSteps.delete(handle.sessionKey);
    });
    if (result.status !== "ok" || !result.text.trim() || result.text.trim() === ANNOUNCE_SKIP) return;
    const route = await lastRoute(flow.targetKey);
    bus.emit("reply", {
      sessionKey: handle.sessionKey,
      origin: "agent-to-agent",
      result,
      ...(route ? { route } : {}),
    });
  };

  /** The chat a session was last routed from (its entry's last-route fields), if any. */
  const lastRoute = async (sessionKey: string): Promise<DeliveryRoute | undefined> => {
    const key = resolveKey(sessionKey);
    const entry = await store.get(agentIdFromSessionKey(key, defaultAgentId), key).catch(() => undefined);
    if (!entry?.lastChannel || !entry.lastTo) return undefined;
    return {
      channel: entry.lastChannel,
      to: entry.lastTo,
      ...(entry.lastAccountId ? { accountId: entry.lastAccountId } : {}),
      ...(entry.lastThreadId !== undefined && entry.lastThreadId !== ""
        ? { threadId: String(entry.lastThreadId) }
        : {}),
    };
  };

  const sessionsHost: SessionToolsHost = {
    list: async ({ agentId, limit, activeMinutes }) => {
      const entries = await sessions.list({ agentId, limit, activeMinutes });
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
      (await history(sessionKey, { limit })).map((message) => ({
        role: message.role,
        text:
          message.role === "toolResult"
            ? `[${message.toolName}] ${messageText(message)}`
            : messageText(message),
        timestamp: new Date(message.timestamp).toISOString(),
      })),
    send: async ({ sessionKey, message, fromSessionKey, timeoutMs }) => {
      const targetKey = resolveKey(sessionKey);
      const requesterKey = resolveKey(fromSessionKey);
      if (targetKey === requesterKey)
        return { status: "error", error: `sessions_send cannot target the current session (${targetKey})` };
      const refusal = agentToAgentRefusal(requesterKey, targetKey);
      if (refusal) return { status: "error", error: refusal };
      const handle = submit({
        sessionKey: targetKey,
        text: message,
        sender: { id: requesterKey, name: "agent", authorized: false },
        spawnedBy: requesterKey,
        extraSystemPrompt: agentToAgentPrompt("request", { requesterKey, targetKey }),
      });
      // the reply-back ping-pong and the target's announce run after the primary reply, in the
      // background — but not for a message sent from inside an agent-to-agent step (no cascades)
      const nested = (a2aSteps.get(requesterKey) ?? 0) > 0;
      void handle.result.then((primary) => {
        if (primary.status === "ok" && !closed && !nested)
          void runAgentToAgentFlow({
            requesterKey,
            targetKey,
            request: message,
            primary: primary.text,
          }).catch((error) =>
            process.stderr.write(`openclaw: agent-to-agent flow failed: ${String(error)}\n`),
          );
      });
      if (timeoutMs === 0) return { status: "accepted", runId: handle.messageId };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs ?? 60_000);
        timer.unref();
      });
      const result = await Promise.race([handle.result, timeout]);
      clearTimeout(timer);
      if (result === "timeout")
        return {
          status: "timeout",
          runId: handle.messageId,
          error: "no reply before the timeout (the run continues; read it later with sessions_history)",
        };
      if (result.status === "error") return { status: "error", runId: handle.messageId, error: result.text };
      return { status: "ok", runId: handle.messageId, reply: result.text };
    },
    spawn: async ({ task, label, agentId, model, runTimeoutSeconds, cleanup, requesterSessionKey }) => {
      const childAgent = agentId ?? agentIdFromSessionKey(requesterSessionKey, defaultAgentId);
      const childSessionKey = `agent:${childAgent}:subagent:${randomUUID()}`;
      const handle = submit({
        sessionKey: childSessionKey,
        agentId: childAgent,
        text: task,
        model,
        spawnedBy: requesterSessionKey,
        sender: { id: requesterSessionKey, authorized: false },
      });
      void sessions
        .patch(childSessionKey, { spawnedBy: requesterSessionKey, ...(label ? { label } : {}) })
        .catch(() => {});
      let timer: NodeJS.Timeout | undefined;
      if (runTimeoutSeconds) {
        timer = setTimeout(() => abort(childSessionKey), runTimeoutSeconds * 1000);
        timer.unref();
      }
      const running = subagents.get(requesterSessionKey) ?? new Set<string>();
      subagents.set(requesterSessionKey, running);
      running.add(childSessionKey);
      void handle.result.then((result) => {
        clearTimeout(timer);
        const siblings = subagents.get(requesterSessionKey);
        siblings?.delete(childSessionKey);
        if (siblings?.size === 0) subagents.delete(requesterSessionKey);
        // stopped by the requester's /stop: the user asked for silence, no announce turn
        if (stoppedSubagents.delete(childSessionKey)) return;
        if (closed) return;
        const name = label ? `"${label}"` : childSessionKey;
        const text =
          result.status === "ok" || result.status === "merged"
            ? `[Sub-agent ${name} finished]\n${result.text || "(no output)"}`
            : `[Sub-agent ${name} did not finish: ${result.status}]\n${result.text}`;
        // the announce is a normal queued message in the requester session, so it is never lost
        const announce = submit({
          sessionKey: requesterSessionKey,
          text,
          sender: { id: "subagent", name: "sub-agent", authorized: false },
        });
        void announce.result.then(async (reply) => {
          if (cleanup === "delete")
            await sessions
              .delete(childSessionKey)
              .catch((error) =>
                process.stderr.write(`openclaw: removing sub-agent session failed: ${String(error)}\n`),
              );
          const route = await lastRoute(announce.sessionKey);
          bus.emit("reply", {
            sessionKey: announce.sessionKey,
            origin: "subagent",
            result: reply,
            ...(route ? { route } : {}),
          });
        });
      });
      return { status: "accepted", runId: handle.messageId, childSessionKey };
    },
    status: async (sessionKey) => {
      const key = resolveKey(sessionKey);
      const entry = await sessions.get(key);
      if (!entry) return undefined;
      return {
        sessionKey: key,
        sessionId: entry.sessionId,
        model: currentModel(key, entry),
        thinkingLevel: entry.thinkingLevel ?? config.agents?.defaults?.thinkingDefault ?? "off",
        queueMode: queueModeFor(key),
        inputTokens: entry.inputTokens ?? 0,
        outputTokens: entry.outputTokens ?? 0,
        contextTokens: entry.contextTokens ?? 0,
        compactionCount: entry.compactionCount ?? 0,
        updatedAt: entry.updatedAt ? new Date(entry.updatedAt).toISOString() : undefined,
      };
    },
  };

  const deps: RuntimeDeps = {
    config,
    bus,
    registry,
    auth: options.auth ?? defaultAuth,
    cooldowns: new ProfileCooldowns(now),
    store,
    transcripts,
    tools: [...builtinTools(), ...(options.tools ?? [])],
    processes,
    sessionsHost,
    fetch: options.fetch ?? globalThis.fetch,
    now,
    workspaceDir,
    toolOutputCap: options.toolOutputCap,
  };

  const currentModel = (sessionKey: string, entry?: SessionEntry): string => {
    try {
      return formatModelRef(
        resolveRunModels(config, agentIdFromSessionKey(sessionKey, defaultAgentId), entry)[0]!,
      );
    } catch {
      return DEFAULT_MODEL;
    }
  };

  const queueFor = (sessionKey: string, agentId: string): SessionQueue => {
    let queue = queues.get(sessionKey);
    if (!queue) {
      const queueConfig = () => config.messages?.queue ?? {};
      queue = new SessionQueue({
        sessionKey,
        lanes,
        bus,
        mode: (message) =>
          queueModeFor(sessionKey, (message?.options as { channel?: string } | undefined)?.channel),
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
        runTurn: (batch) => {
          const first = (batch.messages[0] ?? batch.overflow[0])!.options as unknown as SendInput;
          const group = channelGroupSettings(config, first.channel, first.groupId);
          const extraPrompts = [
            first.groupId
              ? `## Group chat\nYou are in a group conversation (${first.channel}:${first.groupId}); several people may be talking. Reply only when it helps.`
              : "",
            group.systemPrompt ?? "",
            first.extraSystemPrompt ?? "",
          ].filter(Boolean);
          // queued system events (wake next-heartbeat) reach the model with this turn
          const events = takeSystemEvents(sessionKey);
          return executeTurn(deps, {
            runId: batch.runId,
            sessionKey,
            agentId,
            userText: events.length
              ? `${events.map((event) => `System: ${event}`).join("\n")}\n\n${batch.text}`
              : batch.text,
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
          });
        },
        onIdle: () => {
          if (queues.get(sessionKey) === queue && !queue!.busy) queues.delete(sessionKey);
        },
      });
      queues.set(sessionKey, queue);
    }
    return queue;
  };

  const abort = (sessionKey: string, runId?: string) => {
    const key = resolveKey(sessionKey);
    const queue = queues.get(key);
    if (!queue) return { aborted: false, cleared: 0 };
    if (runId) return { aborted: queue.abortRun(runId), cleared: 0 };
    return queue.stop();
  };

  const history = async (
    sessionKey: string,
    historyOptions: { limit?: number } = {},
  ): Promise<TranscriptMessage[]> => {
    const key = resolveKey(sessionKey);
    const agentId = agentIdFromSessionKey(key, defaultAgentId);
    const entry = await store.get(agentId, key);
    if (!entry) return [];
    const transcript = await transcripts.get(agentId, entry, workspaceDir(agentId));
    const messages = activeBranch(transcript.branch)
      .filter((item) => item.type === "message")
      .map((item) => (item as { message: TranscriptMessage }).message);
    const limit = Math.min(historyOptions.limit ?? 200, 1000);
    return messages.slice(-limit);
  };

  const commandHost = (sessionKey: string, agentId: string, sender?: SenderInfo): CommandHost => ({
    config,
    agentId,
    sessionKey,
    sender,
    entry: () => store.get(agentId, sessionKey),
    patch: (patch) => sessions.patch(sessionKey, patch),
    reset: () => sessions.reset(sessionKey),
    stop: () => {
      const stopped = queueFor(sessionKey, agentId).stop();
      return { ...stopped, subagents: stopSubagents(sessionKey) };
    },
    compact: (instructions) => sessions.compact(sessionKey, instructions),
    queueMode: () => queueModeFor(sessionKey),
    currentModel: async () => currentModel(sessionKey, await store.get(agentId, sessionKey)),
  });

  const submit = (input: SendInput): SubmitHandle => {
    if (input.idempotencyKey) {
      const seen = idempotent.get(input.idempotencyKey);
      if (seen) return { ...seen, duplicate: true, events: emptyEvents(seen) };
    }
    const agentId =
      input.agentId ??
      (input.sessionKey ? parseAgentSessionKey(input.sessionKey)?.agentId : undefined) ??
      defaultAgentId;
    const sessionKey = resolveKey(input.sessionKey, agentId);
    const messageId = randomUUID();
    const channel = new AsyncChannel<AssistantEvent>();
    let terminal = false;
    const observer = (event: AssistantEvent) => {
      if (event.type === "final" || event.type === "aborted" || event.type === "error") terminal = true;
      channel.push(event);
    };
    let resolveResult!: (result: ReplyResult) => void;
    const result = new Promise<ReplyResult>((resolve) => {
      resolveResult = resolve;
    });
    void result.then((reply) => {
      if (!terminal) {
        if (reply.status === "error" || reply.status === "aborted" || reply.status === "command")
          channel.push(
            reply.status === "error"
              ? {
                  type: "error",
                  runId: reply.runId ?? messageId,
                  sessionKey,
                  code: reply.error?.code ?? "ERROR",
                  kind: reply.error?.kind ?? "unknown",
                  message: reply.text,
                }
              : reply.status === "aborted"
                ? { type: "aborted", runId: reply.runId ?? messageId, sessionKey, text: reply.text }
                : { type: "final", runId: messageId, sessionKey, text: reply.text },
          );
      }
      channel.close();
      const run = runs.get(messageId);
      if (run) run.endedAt = now();
    });
    const pending: PendingMessage = {
      id: messageId,
      text: input.text,
      receivedAt: now(),
      senderLabel:
        input.sender?.name ??
        (input.sender?.id && input.sender.id !== "operator" ? input.sender.id : undefined),
      options: input as unknown as Record<string, unknown>,
      observers: new Set([observer]),
      resolve: resolveResult,
      settled: false,
    };
    const handle: SubmitHandle = { messageId, sessionKey, result, events: channel, duplicate: false };
    runs.set(messageId, { startedAt: now(), result });
    if (runs.size > 10_000) runs.delete(runs.keys().next().value!);
    if (input.idempotencyKey) {
      idempotent.set(input.idempotencyKey, handle);
      if (idempotent.size > 10_000) idempotent.delete(idempotent.keys().next().value!);
    }
    const settle = (reply: Omit<ReplyResult, "messageId" | "sessionKey">) => {
      if (pending.settled) return;
      pending.settled = true;
      resolveResult({ messageId, sessionKey, ...reply });
    };
    if (closed) {
      settle({
        status: "error",
        text: "The assistant is shutting down; message not processed.",
        payloads: [],
        error: { code: "UNAVAILABLE", kind: "unknown", message: "closed" },
      });
      return handle;
    }
    if (typeof input.text !== "string" || !input.text.trim()) {
      settle({
        status: "error",
        text: "Empty message: nothing to answer.",
        payloads: [],
        error: { code: "INVALID_REQUEST", kind: "unknown", message: "empty message" },
      });
      return handle;
    }
    const mayCommand = input.sender?.authorized !== false && config.commands?.text !== false;
    const trigger =
      input.sender?.authorized === false
        ? undefined
        : matchResetTrigger(input.text, config.session?.resetTriggers);
    const command = trigger ? { name: "reset", args: "" } : mayCommand ? parseCommand(input.text) : undefined;
    if (command?.name === "stop") {
      // /stop acts at once, ahead of anything queued
      void runCommand(command, commandHost(sessionKey, agentId, input.sender)).then((text) =>
        settle({ status: "command", text, payloads: [{ text }] }),
      );
      return handle;
    }
    // keep arrival order per session even though commands and lookups are async
    const previous = intake.get(sessionKey) ?? Promise.resolve();
    const next = previous.then(async () => {
      if (!queueModes.has(sessionKey)) {
        const entry = await store.get(agentId, sessionKey).catch(() => undefined);
        const mode = normalizeQueueMode(entry?.queueMode);
        if (mode) queueModes.set(sessionKey, mode);
      }
      if (command) {
        // /compact waits for the session lane itself (sessions.compact)
        const text = await runCommand(command, commandHost(sessionKey, agentId, input.sender));
        if (command.name === "new" && !command.args && text.startsWith("New session started")) {
          // a bare /new greets: the first turn of the fresh session answers this message
          pending.text = NEW_SESSION_GREETING;
          queueFor(sessionKey, agentId).submit(pending);
          return;
        }
        if (trigger?.rest && text.startsWith("New session started")) {
          // "<trigger> <text>": the fresh session answers the text
          pending.text = trigger.rest;
          queueFor(sessionKey, agentId).submit(pending);
          return;
        }
        settle({ status: "command", text, payloads: [{ text }] });
        return;
      }
      queueFor(sessionKey, agentId).submit(pending);
    });
    const tail = next.catch((error) =>
      settle({
        status: "error",
        text: `Internal error: ${String(error)}`,
        payloads: [],
        error: { code: "INTERNAL", kind: "unknown", message: String(error) },
      }),
    );
    intake.set(sessionKey, tail);
    void tail.then(() => {
      if (intake.get(sessionKey) === tail) intake.delete(sessionKey);
    });
    return handle;
  };

  /** Archive a replaced/deleted session's transcript (`.reset.<ts>` / `.deleted.<ts>`); never fails the caller. */
  const archiveOld = async (agentId: string, entry: SessionEntry, reason: "reset" | "deleted") => {
    try {
      await store.archiveTranscript?.(agentId, entry, reason);
    } catch (error) {
      process.stderr.write(
        `openclaw: archiving the transcript of ${entry.sessionId} failed: ${String(error)}\n`,
      );
    }
  };

  const sessions: AssistantSessions = {
    resolveKey,
    async list(listOptions = {}) {
      const agentIds = listOptions.agentId
        ? [listOptions.agentId]
        : [...new Set([defaultAgentId, ...(config.agents?.list ?? []).map((agent) => agent.id)])];
      const rows: (SessionEntry & { key: string; agentId: string })[] = [];
      for (const agentId of agentIds)
        for (const [key, entry] of Object.entries(await store.list(agentId)))
          rows.push({ ...entry, key, agentId });
      const cutoff = listOptions.activeMinutes ? now() - listOptions.activeMinutes * 60_000 : undefined;
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
      const key = resolveKey(sessionKey);
      return store.get(agentIdFromSessionKey(key, defaultAgentId), key);
    },
    async patch(sessionKey, patch) {
      const key = resolveKey(sessionKey);
      const agentId = agentIdFromSessionKey(key, defaultAgentId);
      // `sessions.patch { model }` (RPC) is the session's model override, not the last-used model
      if ("model" in patch) {
        const { model, ...rest } = patch;
        if (model === null || model === undefined || model === "")
          patch = { ...rest, providerOverride: null, modelOverride: null };
        else {
          const ref = resolveModelInput(String(model), config, agentId);
          patch = { ...rest, providerOverride: ref.provider, modelOverride: ref.model };
        }
      }
      const { entry } = await ensureSessionEntry(deps, agentId, key);
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
        if (mode) queueModes.set(key, mode);
        else queueModes.delete(key);
      }
      bus.emit("session.changed", {
        sessionKey: key,
        agentId,
        sessionId: updated!.sessionId,
        reason: "updated",
      });
      return updated!;
    },
    async reset(sessionKey) {
      const key = resolveKey(sessionKey);
      const agentId = agentIdFromSessionKey(key, defaultAgentId);
      const previous = await store.get(agentId, key);
      const keep = previous
        ? Object.fromEntries(
            Object.entries(previous).filter(([name]) =>
              [
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
              ].includes(name),
            ),
          )
        : {};
      const fresh = freshSessionEntry(now(), keep);
      if (previous) {
        // in the session lane: no run is appending to the old transcript while it is archived
        await lanes.run(
          key,
          async () => {
            await store.update(agentId, key, () => fresh);
            await store.flush();
            transcripts.forget(agentId, previous.sessionId);
            await archiveOld(agentId, previous, "reset");
          },
          "nested",
        );
      } else await store.update(agentId, key, () => fresh);
      bus.emit("session.changed", { sessionKey: key, agentId, sessionId: fresh.sessionId, reason: "reset" });
      return fresh;
    },
    async delete(sessionKey) {
      const key = resolveKey(sessionKey);
      const agentId = agentIdFromSessionKey(key, defaultAgentId);
      abort(key);
      const previous = await store.get(agentId, key);
      if (!previous) return false;
      await lanes.run(
        key,
        async () => {
          await store.update(agentId, key, () => undefined);
          await store.flush();
          transcripts.forget(agentId, previous.sessionId);
          await archiveOld(agentId, previous, "deleted");
        },
        "nested",
      );
      return true;
    },
    compact(sessionKey, instructions) {
      const key = resolveKey(sessionKey);
      const agentId = agentIdFromSessionKey(key, defaultAgentId);
      return lanes.run(key, () => compactSessionNow(deps, { agentId, sessionKey: key, instructions }));
    },
  };

  return {
    bus,
    sessions,
    registry,
    submit,
    send: (input) => submit(input).events,
    enqueue: (input) => submit(input).result,
    abort,
    history,
    queueSystemEvent(sessionKey, text) {
      const key = resolveKey(sessionKey);
      const events = systemEvents.get(key) ?? [];
      const clean = text.trim();
      if (clean && events.at(-1) !== clean) events.push(clean);
      if (events.length > 20) events.splice(0, events.length - 20);
      if (events.length) systemEvents.set(key, events);
      return { sessionKey: key, queued: events.length };
    },
    async inject(sessionKey, text, injectOptions = {}) {
      const key = resolveKey(sessionKey);
      const agentId = agentIdFromSessionKey(key, defaultAgentId);
      const { entry } = await ensureSessionEntry(deps, agentId, key);
      const transcript = await transcripts.get(agentId, entry, workspaceDir(agentId));
      const [stamped] = await transcript.append({
        type: "message",
        message: {
          role: "assistant",
          content: [{ type: "text", text }],
          provider: "openclaw",
          model: injectOptions.label ? `inject:${injectOptions.label}` : "inject",
          usage: {
            input: 0,
            output: 0,
            cacheRead: 0,
            cacheWrite: 0,
            totalTokens: 0,
            cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
          },
          stopReason: "stop",
          timestamp: now(),
        },
      });
      const runId = `inject-${stamped!.id}`;
      bus.emit("chat", {
        runId,
        sessionKey: key,
        seq: 1,
        state: "final",
        message: { role: "assistant", content: [{ type: "text", text }], timestamp: now() },
      });
      return { messageId: stamped!.id };
    },
    async waitForRun(runId, timeoutMs = 30_000) {
      const run = runs.get(runId);
      if (!run) return { status: "error", error: `unknown run ${runId}` };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
      });
      const result = await Promise.race([run.result, timeout]);
      clearTimeout(timer);
      if (result === "timeout") return { status: "timeout", startedAt: run.startedAt };
      return {
        status: result.status === "error" ? "error" : "ok",
        startedAt: run.startedAt,
        endedAt: run.endedAt ?? now(),
        ...(result.status === "error" ? { error: result.text } : {}),
      };
    },
    async listModels(agentId = defaultAgentId) {
      const current = currentModel(`agent:${agentId}:${mainKey}`);
      const aliases = modelAliases(config, agentId);
      const aliasByRef = Object.fromEntries(Object.entries(aliases).map(([alias, ref]) => [ref, alias]));
      const refs = new Set([
        ...Object.keys(modelCatalog(config, agentId)),
        ...configuredModelRefs(config),
        current,
      ]);
      return [...refs].map((ref) => {
        const [provider = "", ...rest] = ref.split("/");
        const model = rest.join("/");
        return {
          ref,
          provider,
          model,
          alias: aliasByRef[ref],
          contextWindow: registry.modelInfo(provider, model)?.contextWindow,
          current: ref === current,
        };
      });
    },
    reloadConfig(next) {
      for (const key of Object.keys(config)) delete config[key];
      Object.assign(config, next);
      registry.clear();
    },
    async close() {
      closed = true;
      for (const queue of queues.values()) queue.stop("The assistant is shutting down.");
      await lanes.idle().catch(() => {});
      await processes.killAll();
      await store.flush();
      await ownStore?.close();
    },
  };
}

function emptyEvents(handle: SubmitHandle): AsyncIterable<AssistantEvent> {
  return {
    async *[Symbol.asyncIterator]() {
      const result = await handle.result;
      if (result.status === "error")
        yield {
          type: "error",
          runId: result.runId ?? handle.messageId,
          sessionKey: handle.sessionKey,
          code: result.error?.code ?? "ERROR",
          kind: result.error?.kind ?? "unknown",
          message: result.text,
        };
      else if (result.status === "aborted")
        yield {
          type: "aborted",
          runId: result.runId ?? handle.messageId,
          sessionKey: handle.sessionKey,
          text: result.text,
        };
      else
        yield {
          type: "final",
          runId: result.runId ?? handle.messageId,
          sessionKey: handle.sessionKey,
          text: result.text,
          model: result.model,
          usage: result.usage,
        };
    },
  };
}
