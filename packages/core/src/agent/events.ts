import type { ChatErrorKind, UsageSummary } from "../bus/event-bus.js";

/**
 * What `assistant.send()` yields for one inbound message: the events of the run(s) that
 * answer it, ending with exactly one of `final`, `aborted` or `error`.
 */
export type AssistantEvent =
  | { type: "queued"; messageId: string; sessionKey: string; position: number; mode: string }
  | {
      type: "merged";
      messageId: string;
      runId: string;
      sessionKey: string;
      how: "collect" | "steer" | "overflow";
    }
  | { type: "run-start"; runId: string; sessionKey: string; model?: string }
  | { type: "text-delta"; runId: string; delta: string; text: string }
  | { type: "reasoning-delta"; runId: string; delta: string }
  | { type: "tool-start"; runId: string; toolCallId: string; name: string; args: unknown }
  | { type: "tool-result"; runId: string; toolCallId: string; name: string; result: string; isError: boolean }
  | { type: "compaction"; runId: string; phase: "start" | "end"; tokensBefore?: number; tokensAfter?: number }
  | { type: "failover"; runId: string; from: string; reason: string }
  | {
      type: "final";
      runId: string;
      sessionKey: string;
      text: string;
      model?: string;
      usage?: UsageSummary;
      /** NO_REPLY answers: nothing should be delivered to the user. */
      silent?: boolean;
    }
  | { type: "aborted"; runId: string; sessionKey: string; text: string }
  | { type: "error"; runId: string; sessionKey: string; code: string; kind: ChatErrorKind; message: string };

/** The outcome of one inbound message (what `enqueue` resolves with). */
export interface ReplyResult {
  /** Id given to the inbound message (its runId when it started a run). */
  messageId: string;
  /** The run that answered it (may differ when the message was merged into another turn). */
  runId?: string;
  sessionKey: string;
  status: "ok" | "merged" | "aborted" | "error" | "command";
  /** The reply text (the error message for `error`). Empty for silent replies. */
  text: string;
  /** What a channel should deliver, in order. Empty when there is nothing to send. */
  payloads: { text: string }[];
  model?: string;
  usage?: UsageSummary;
  error?: { code: string; kind: ChatErrorKind; message: string };
}

/**
 * Where a conversation's replies go on a chat channel: the chat the session was last routed
 * from (stored on the session entry as `lastChannel`, `lastAccountId`, `lastTo`, `lastThreadId`).
 */
export interface DeliveryRoute {
  channel: string;
  accountId?: string;
  /** Chat id the channel sends to. */
  to: string;
  threadId?: string;
}
