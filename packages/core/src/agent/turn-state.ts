import type { LanguageModelV1FunctionTool, ThinkingLevel } from "@openclaw/protocol";
import type { AssistantBus, ChatErrorKind, UsageSummary } from "../bus/event-bus.js";
import type { AuthProfileSource, ProfileCooldowns } from "../models/failover.js";
import type { ModelRef } from "../models/model-ref.js";
import type { ProviderRegistry } from "../models/provider-registry.js";
import type { RuntimeConfig } from "../models/runtime-config.js";
import type { ToolPolicyLayer } from "../tools/policy.js";
import type { ProcessRegistry } from "../tools/process-registry.js";
import type { SessionToolsHost, ToolDefinition } from "../tools/types.js";
import type { AssistantEvent, DeliveryRoute } from "./events.js";
import type { LoadedTranscript, TranscriptCache } from "./session-handle.js";
import type { SessionEntry, SessionStoreLike } from "./session-store.js";
import type { AssistantMessage } from "./transcript.js";
import type { TurnEmitter } from "./turn-events.js";

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
  /** State dir and config file whose secrets the file/exec tools refuse (default: from the env). */
  stateDir?: string;
  configPath?: string;
  /** The gateway this assistant runs in (exec on nodes, exec approvals). */
  gateway?: import("../approvals/exec-routing.js").ExecGateway;
  /** Most model calls in one turn (default 32). */
  maxSteps?: number;
  /** Memory search (the agents' indexes), created on first use. */
  memory?: () => Promise<import("../memory/manager.js").MemoryManager>;
  /** Skills (snapshots, env overlays, slash commands), loaded on first use. */
  skills?: () => Promise<import("../skills/service.js").SkillsService>;
}

export interface TurnInput {
  runId: string;
  sessionKey: string;
  agentId: string;
  /** The user text of this turn (already merged when several messages were coalesced). */
  userText: string;
  /** Images sent with the turn's messages (base64), added to the user message as image blocks. */
  images?: { data: string; mimeType: string }[];
  modelOverride?: string;
  thinking?: string;
  extraSystemPrompt?: string;
  channel?: string;
  /** The chat this turn came from (recorded as the session's last route). */
  route?: DeliveryRoute;
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

/** What a turn has produced so far (read by its end, its failure and the tool loop). */
export interface TurnProgress {
  transcript?: LoadedTranscript;
  /** The latest non-empty assistant text. */
  finalText: string;
  lastAssistant?: AssistantMessage;
  /** `provider/model` of the model that answered last. */
  usedModel?: string;
  totals: { input: number; output: number; cacheRead: number; cacheWrite: number; cost: number };
  toolCallsMade: { name: string; arguments: Record<string, unknown> }[];
}

/** A running turn, once its session, transcript, models and tools are known. */
export interface Turn {
  deps: RuntimeDeps;
  input: TurnInput;
  events: TurnEmitter;
  progress: TurnProgress & { transcript: LoadedTranscript };
  entry: SessionEntry;
  workspaceDir: string;
  thinking: ThinkingLevel;
  /** Candidate models, first = current; narrowed to the one that answered. */
  refs: ModelRef[];
  toolsByName: Map<string, ToolDefinition>;
  /** Every tool name (allowed or not), to tell "not allowed" from "unknown". */
  knownTools: Set<string>;
  toolSpecs: LanguageModelV1FunctionTool[];
  systemFor(ref: ModelRef): string;
  /** Env the session's skills add to this run's tools (`skills.entries.<key>.env` / `apiKey`). */
  skillEnv?: Record<string, string>;
  /** The caller's abort and the run's time limit. */
  callSignal: AbortSignal;
  timeoutMs: number;
}
