import { homedir } from "node:os";
import path from "node:path";
import type { ModelProviderV1 } from "@openclaw/protocol";
import { CachedSessionStore } from "./agent/cached-session-store.js";
import type { SenderInfo } from "./agent/commands.js";
import type { AssistantEvent, DeliveryRoute, ReplyResult } from "./agent/events.js";
import { LaneScheduler } from "./agent/lanes.js";
import { DEFAULT_MODEL, resolveRunModels } from "./agent/run-models.js";
import { TranscriptCache } from "./agent/session-handle.js";
import { agentIdFromSessionKey, toAgentSessionKey } from "./agent/session-key.js";
import type { QueueMode } from "./agent/session-queue.js";
import type { SessionEntry, SessionStoreLike } from "./agent/session-store.js";
import type { TranscriptMessage } from "./agent/transcript.js";
import type { RuntimeDeps } from "./agent/turn-state.js";
import { createAgentToAgent } from "./agent-to-agent/service.js";
import type { AssistantContext } from "./assistant-context.js";
import { AssistantBus } from "./bus/event-bus.js";
import { createChatIntake } from "./chat/intake.js";
import { createSessionQueues } from "./chat/session-queues.js";
import { SystemEventQueue } from "./chat/system-events.js";
import { resolvePaths } from "./config/paths.js";
import type { MemoryManager } from "./memory/manager.js";
import { createPerAgentAuth } from "./models/auth-source.js";
import { type AuthProfileSource, ProfileCooldowns } from "./models/failover.js";
import { configuredModelRefs, formatModelRef, modelAliases, modelCatalog } from "./models/model-ref.js";
import { type ProviderApi, type ProviderFactory, ProviderRegistry } from "./models/provider-registry.js";
import type { RuntimeConfig } from "./models/runtime-config.js";
import { resolveDefaultAgentId } from "./routing/index.js";
import { createSessionsService, injectNote, sessionHistory, sessionLastRoute } from "./sessions/service.js";
import { createSessionToolsHost } from "./sessions/tools-host.js";
import type { SkillsService } from "./skills/service.js";
import {
  AuthProfileStore,
  createAgentSessionStore,
  createFileStateStore,
  SessionStore,
  type StateStore,
} from "./state/index.js";
import { createSubagents } from "./subagents/service.js";
import { builtinTools } from "./tools/index.js";
import type { ToolPolicyLayer } from "./tools/policy.js";
import { ProcessRegistry } from "./tools/process-registry.js";
import type { ToolDefinition } from "./tools/types.js";

export { ANNOUNCE_SKIP, REPLY_SKIP } from "./agent-to-agent/service.js";
export { channelGroupSettings } from "./chat/group-settings.js";
export { NEW_SESSION_GREETING } from "./chat/intake.js";

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
  /** The gateway this assistant runs in: exec on nodes and exec approval requests go through it. */
  gateway?: import("./approvals/exec-routing.js").ExecGateway;
}

export interface SendInput {
  /** Request key (`main`, `agent:main:main`, `discord:group:123`…); default the agent's main session. */
  sessionKey?: string;
  agentId?: string;
  text: string;
  /**
   * Images sent with the message (`chat.send` / `agent` attachments, validated by the chat
   * methods): they join the user message as image parts for models that accept images.
   */
  images?: import("./chat/attachments.js").ImageInput[];
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
  /** `commands: false` leaves chat commands and their replies out (they are in by default). */
  history(sessionKey: string, options?: { limit?: number; commands?: boolean }): Promise<TranscriptMessage[]>;
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
  /** Memory search: one index per agent (`memory/<agentId>.sqlite`), opened on first use. */
  memory?(): Promise<MemoryManager>;
  /** Skills: status, per-session snapshots, slash commands; loaded on first use. */
  skills?(): Promise<SkillsService>;
  /** The agent's workspace folder. */
  workspaceDir?(agentId: string): string;
  close(): Promise<void>;
}

function expand(dir: string, env: NodeJS.ProcessEnv): string {
  return path.resolve(dir.replace(/^~(?=$|\/)/, env.HOME ?? homedir()));
}

/** Models an agent can use (allowlist, configured providers, the current default). */
function listModels(context: AssistantContext, agentId: string): ModelListing[] {
  const { config } = context;
  const current = context.currentModel(`agent:${agentId}:${context.mainKey}`);
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
      contextWindow: context.registry.modelInfo(provider, model)?.contextWindow,
      current: ref === current,
    };
  });
}

/** Memory and skills, loaded on first use (an assistant that never searches never opens SQLite). */
function lazyMemoryAndSkills(
  options: CreateAssistantOptions,
  config: RuntimeConfig,
  stateDir: string,
  env: NodeJS.ProcessEnv,
  workspaceDir: (agentId: string) => string,
) {
  let memoryManager: Promise<MemoryManager> | undefined;
  let skillsService: Promise<SkillsService> | undefined;
  const memory = () =>
    (memoryManager ??= import("./memory/manager.js").then(
      (module) =>
        new module.MemoryManager({
          config: () => config as Record<string, unknown>,
          stateDir,
          env,
          factories: options.providerFactories,
          fetch: options.fetch,
          workspaceDir,
        }),
    ));
  const skills = () =>
    (skillsService ??= import("./skills/service.js").then(
      (module) =>
        new module.SkillsService({
          config: () => config as Record<string, unknown>,
          stateDir,
          env,
          workspaceDir,
          // paired nodes (system.which) can satisfy requires.bins / os
          ...(options.gateway ? { nodes: options.gateway } : {}),
        }),
    ));
  const closeMemoryAndSkills = async () => {
    await (await memoryManager?.catch(() => undefined))?.close();
    (await skillsService?.catch(() => undefined))?.close();
  };
  return { memory, skills, closeMemoryAndSkills };
}

/** Where sessions and auth profiles live: the given store, else files under the state dir. */
function createStores(
  options: CreateAssistantOptions,
  stateDir: string,
  now: () => number,
  workspaceDir: (agentId: string) => string,
) {
  // default: the state area's SessionStore (locked sessions.json updates, one writer per transcript)
  let fileState: StateStore | undefined;
  const stateFiles = () => (fileState ??= createFileStateStore(stateDir));
  const ownStore = options.state
    ? undefined
    : new SessionStore({ state: stateFiles(), workspaceFor: workspaceDir, now });
  const store: SessionStoreLike =
    options.state ??
    new CachedSessionStore(createAgentSessionStore(ownStore!), (error) =>
      process.stderr.write(`openclaw: writing sessions.json failed: ${String(error)}\n`),
    );
  const auth = options.auth
    ? undefined
    : createPerAgentAuth((agentId) => new AuthProfileStore(stateFiles(), agentId), now);
  return { store, ownStore, auth };
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
  const defaultAgentId = resolveDefaultAgentId(config as never);
  const workspaceDir = (agentId: string): string => {
    const agent = config.agents?.list?.find((entry) => entry.id === agentId);
    if (agent?.workspace) return expand(agent.workspace, env);
    if (agentId === defaultAgentId)
      return expand(config.agents?.defaults?.workspace ?? defaultWorkspace, env);
    return path.join(stateDir, `workspace-${agentId}`);
  };
  const { store, ownStore, auth } = createStores(options, stateDir, now, workspaceDir);
  const registry = new ProviderRegistry({
    config,
    providers: options.providers,
    factories: options.providerFactories,
    env,
    fetch: options.fetch,
  });
  const processes = new ProcessRegistry();
  const { memory, skills, closeMemoryAndSkills } = lazyMemoryAndSkills(
    options,
    config,
    stateDir,
    env,
    workspaceDir,
  );
  const subagentLimit = config.agents?.defaults?.subagents?.maxConcurrent;
  const lanes = new LaneScheduler({
    maxConcurrent: config.agents?.defaults?.maxConcurrent,
    maxConcurrentSubagents: typeof subagentLimit === "number" ? subagentLimit : undefined,
  });
  const mainKey = config.session?.mainKey ?? "main";
  const systemEvents = new SystemEventQueue();
  let closed = false;
  // the capabilities reach each other through the context; its functions are filled in below
  const context = {
    config,
    bus,
    store,
    registry,
    lanes,
    transcripts: new TranscriptCache(store, now),
    defaultAgentId,
    mainKey,
    queueModes: new Map<string, QueueMode>(),
    now,
    closed: () => closed,
    workspaceDir,
    resolveKey: (sessionKey?: string, agentId?: string) =>
      toAgentSessionKey(sessionKey, agentId ?? defaultAgentId, mainKey),
    currentModel: (sessionKey: string, entry?: SessionEntry): string => {
      try {
        return formatModelRef(
          resolveRunModels(config, agentIdFromSessionKey(sessionKey, defaultAgentId), entry)[0]!,
        );
      } catch {
        return DEFAULT_MODEL;
      }
    },
    history: (sessionKey: string, historyOptions?: { limit?: number; commands?: boolean }) =>
      sessionHistory(context, sessionKey, historyOptions),
    lastRoute: (sessionKey: string) => sessionLastRoute(context, sessionKey),
  } as { -readonly [K in keyof AssistantContext]: AssistantContext[K] };
  const queues = createSessionQueues(context, systemEvents);
  const intake = createChatIntake(context);
  const subagents = createSubagents(context);
  context.queueFor = queues.queueFor;
  context.queueModeFor = queues.modeFor;
  context.abort = queues.abort;
  context.submit = intake.submit;
  context.stopSubagents = subagents.stop;
  context.sessions = createSessionsService(context);
  context.deps = {
    config,
    bus,
    registry,
    auth: options.auth ?? auth,
    cooldowns: new ProfileCooldowns(now),
    store,
    transcripts: context.transcripts,
    tools: [...builtinTools(), ...(options.tools ?? [])],
    processes,
    sessionsHost: createSessionToolsHost(context, createAgentToAgent(context), subagents),
    fetch: options.fetch ?? globalThis.fetch,
    now,
    workspaceDir,
    toolOutputCap: options.toolOutputCap,
    stateDir,
    configPath: paths.configPath,
    memory,
    skills,
    ...(options.gateway ? { gateway: options.gateway } : {}),
  } satisfies RuntimeDeps;

  return {
    bus,
    sessions: context.sessions,
    registry,
    submit: intake.submit,
    send: (input) => intake.submit(input).events,
    enqueue: (input) => intake.submit(input).result,
    abort: queues.abort,
    history: context.history,
    queueSystemEvent(sessionKey, text) {
      const key = context.resolveKey(sessionKey);
      return { sessionKey: key, queued: systemEvents.add(key, text) };
    },
    inject: (sessionKey, text, injectOptions) => injectNote(context, sessionKey, text, injectOptions),
    waitForRun: intake.waitForRun,
    listModels: async (agentId = defaultAgentId) => listModels(context, agentId),
    reloadConfig(next) {
      for (const key of Object.keys(config)) delete config[key];
      Object.assign(config, next);
      registry.clear();
    },
    memory,
    skills,
    workspaceDir,
    async close() {
      closed = true;
      queues.stopAll("The assistant is shutting down.");
      await lanes.idle().catch(() => {});
      await processes.killAll();
      await closeMemoryAndSkills();
      await store.flush();
      await ownStore?.close();
      await auth?.settled();
    },
  };
}
