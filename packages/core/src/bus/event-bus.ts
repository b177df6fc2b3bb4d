import { EventEmitter } from "eventemitter3";

/** Error kinds carried by `chat` error events (gateway wire vocabulary). */
export type ChatErrorKind = "refusal" | "timeout" | "rate_limit" | "context_length" | "unknown";

/** Usage figures attached to chat events and transcript assistant messages. */
export interface UsageSummary {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  totalTokens: number;
  cost?: { total: number };
}

/** Streams of the `agent` event: lifecycle phases, assistant text, tool activity, compaction. */
export type AgentEventStream = "lifecycle" | "assistant" | "tool" | "compaction" | "reasoning" | "error";

/**
 * `agent` event payload, forwarded verbatim to gateway clients:
 * `{ runId, seq, stream, ts, data, sessionKey }`. `seq` increases per run.
 */
export interface AgentEventPayload {
  runId: string;
  seq: number;
  stream: AgentEventStream;
  ts: number;
  sessionKey?: string;
  data: Record<string, unknown>;
}

/** A transcript-shaped message carried in chat events. */
export interface ChatMessagePayload {
  role: "assistant" | "user";
  content: { type: "text"; text: string }[];
  timestamp: number;
  [key: string]: unknown;
}

interface ChatEventBase {
  runId: string;
  sessionKey: string;
  seq: number;
  spawnedBy?: string;
}

/** `chat` event payload, forwarded verbatim to gateway clients. */
export type ChatEventPayload =
  | (ChatEventBase & {
      state: "delta";
      deltaText: string;
      message?: ChatMessagePayload;
      replace?: boolean;
      usage?: UsageSummary;
    })
  | (ChatEventBase & {
      state: "final";
      message?: ChatMessagePayload;
      usage?: UsageSummary;
      stopReason?: string;
    })
  | (ChatEventBase & { state: "aborted"; message?: ChatMessagePayload })
  | (ChatEventBase & { state: "error"; errorMessage?: string; errorKind?: ChatErrorKind });

/** Emitted when a session entry was created, changed or reset. */
export interface SessionChangedPayload {
  sessionKey: string;
  agentId: string;
  sessionId: string;
  reason: "created" | "updated" | "reset" | "compacted";
}

/** Emitted when a queued inbound message was merged into another turn or refused. */
export interface QueueEventPayload {
  sessionKey: string;
  action: "queued" | "merged" | "steered" | "dropped" | "overflow" | "cleared";
  count: number;
  detail?: string;
}

/** A reply nobody is waiting for (e.g. a sub-agent announce turn): channels deliver it to the last route. */
export interface UnsolicitedReplyPayload {
  sessionKey: string;
  /** `subagent`: a sub-agent's announce; `agent-to-agent`: the target's announce after sessions_send. */
  origin: "subagent" | "agent-to-agent" | "inject" | "system";
  result: import("../agent/events.js").ReplyResult;
  /** The chat this session was last routed from, when it came from a channel. */
  route?: import("../agent/events.js").DeliveryRoute;
}

/** Every event published on the assistant bus, by name. */
export interface AssistantBusEvents {
  agent: (event: AgentEventPayload) => void;
  chat: (event: ChatEventPayload) => void;
  "session.changed": (event: SessionChangedPayload) => void;
  queue: (event: QueueEventPayload) => void;
  reply: (event: UnsolicitedReplyPayload) => void;
}

export type AssistantBusEventName = keyof AssistantBusEvents;

/**
 * The in-process event bus. The gateway forwards `agent` and `chat` to WebSocket clients;
 * channels and tests subscribe the same way. Listeners run synchronously in emit order, and a
 * throwing listener never breaks the run that emitted.
 */
export class AssistantBus extends EventEmitter<AssistantBusEvents> {
  override emit<K extends EventEmitter.EventNames<AssistantBusEvents>>(
    event: K,
    ...args: EventEmitter.EventArgs<AssistantBusEvents, K>
  ): boolean {
    try {
      return super.emit(event, ...args);
    } catch (error) {
      queueMicrotask(() => {
        this.onListenerError?.(error, event);
      });
      return true;
    }
  }

  /** Called when a listener throws; default writes to stderr. */
  onListenerError?: (error: unknown, event: string) => void = (error, event) => {
    process.stderr.write(`openclaw: bus listener for "${event}" threw: ${String(error)}\n`);
  };
}

export function createAssistantBus(): AssistantBus {
  return new AssistantBus();
}
