import type { DeliveryRoute } from "./agent/events.js";
import type { LaneScheduler } from "./agent/lanes.js";
import type { TranscriptCache } from "./agent/session-handle.js";
import type { QueueMode, SessionQueue } from "./agent/session-queue.js";
import type { SessionEntry, SessionStoreLike } from "./agent/session-store.js";
import type { TranscriptMessage } from "./agent/transcript.js";
import type { RuntimeDeps } from "./agent/turn-state.js";
import type { AssistantSessions, SendInput, SubmitHandle } from "./assistant.js";
import type { AssistantBus } from "./bus/event-bus.js";
import type { ProviderRegistry } from "./models/provider-registry.js";
import type { RuntimeConfig } from "./models/runtime-config.js";

/**
 * What the assistant's capabilities (chat intake, sessions, sub-agents, agent-to-agent) share.
 * Built once by `createAssistant`; the capabilities call each other through it, so each module
 * holds one concern and none reaches into another's state.
 */
export interface AssistantContext {
  /** The assistant's own config object (`reloadConfig` swaps its sections in place). */
  readonly config: RuntimeConfig;
  readonly bus: AssistantBus;
  readonly store: SessionStoreLike;
  readonly registry: ProviderRegistry;
  readonly lanes: LaneScheduler;
  readonly transcripts: TranscriptCache;
  readonly deps: RuntimeDeps;
  readonly defaultAgentId: string;
  readonly mainKey: string;
  /** Session queue mode overrides (`/queue`, `sessions.patch { queueMode }`). */
  readonly queueModes: Map<string, QueueMode>;
  now(): number;
  /** True once `close()` began: nothing new starts. */
  closed(): boolean;
  workspaceDir(agentId: string): string;
  /** Canonical session key (`agent:<id>:<key>`); default the agent's main session. */
  resolveKey(sessionKey?: string, agentId?: string): string;
  /** Submit a message (chat intake). */
  submit(input: SendInput): SubmitHandle;
  /** Abort a session's run and clear its queue; with `runId`, only that run/message. */
  abort(sessionKey: string, runId?: string): { aborted: boolean; cleared: number };
  /** The session's queue (created on demand). */
  queueFor(sessionKey: string, agentId: string): SessionQueue;
  queueModeFor(sessionKey: string, channel?: string): QueueMode;
  readonly sessions: AssistantSessions;
  /** `commands: false` leaves chat commands and their replies out (they are in by default). */
  history(sessionKey: string, options?: { limit?: number; commands?: boolean }): Promise<TranscriptMessage[]>;
  /** `provider/model` a session would use now. */
  currentModel(sessionKey: string, entry?: SessionEntry): string;
  /** The chat a session was last routed from (its entry's last-route fields), if any. */
  lastRoute(sessionKey: string): Promise<DeliveryRoute | undefined>;
  /** `/stop` in a session also stops the sub-agents it spawned (spec §5.4); returns how many. */
  stopSubagents(requesterKey: string): number;
}
