import { z } from "zod";
import { lazy } from "../lazy.js";
import {
  IdempotencyKeySchema,
  NonEmptyStringSchema,
  SessionKeySchema,
  TimestampMsSchema,
} from "./primitives.js";

export const AttachmentSchema = lazy(() =>
  z.strictObject({
    type: z.string().optional(),
    mimeType: z.string().optional(),
    fileName: z.string().optional(),
    /** Base64 content. */
    content: z.string().optional(),
    url: z.string().optional(),
  }),
);
export type Attachment = z.infer<typeof AttachmentSchema>;

export const UsageSchema = lazy(() =>
  z.looseObject({
    input: z.number().optional(),
    output: z.number().optional(),
    cacheRead: z.number().optional(),
    cacheWrite: z.number().optional(),
    totalTokens: z.number().optional(),
  }),
);

// agent ----------------------------------------------------------------------------------------

export const AgentParamsSchema = lazy(() =>
  z.strictObject({
    message: z.string(),
    agentId: z.string().optional(),
    /** Model for this run (`provider/model` or an alias); OpenClaw also takes `provider` apart. */
    provider: z.string().optional(),
    model: z.string().optional(),
    to: z.string().optional(),
    replyTo: z.string().optional(),
    sessionId: z.string().optional(),
    sessionKey: SessionKeySchema.optional(),
    thinking: z.string().optional(),
    deliver: z.boolean().optional(),
    bestEffortDeliver: z.boolean().optional(),
    attachments: z.array(AttachmentSchema).optional(),
    channel: z.string().optional(),
    replyChannel: z.string().optional(),
    accountId: z.string().optional(),
    replyAccountId: z.string().optional(),
    threadId: z.string().optional(),
    groupId: z.string().optional(),
    groupChannel: z.string().optional(),
    groupSpace: z.string().optional(),
    timeout: z.number().nonnegative().optional(),
    lane: z.string().optional(),
    extraSystemPrompt: z.string().optional(),
    inputProvenance: z.unknown().optional(),
    voiceWakeTrigger: z.string().optional(),
    idempotencyKey: IdempotencyKeySchema,
    label: z.string().optional(),
    spawnedBy: z.string().optional(),
  }),
);
export type AgentParams = z.infer<typeof AgentParamsSchema>;

/**
 * `agent` answers twice on the same request id: first `{ runId, status: "accepted", acceptedAt }`,
 * then the final `{ runId, status: "ok" | "error", … }`. Clients that only need the ack take the first.
 */
export const AgentResultSchema = lazy(() =>
  z.looseObject({
    runId: z.string(),
    status: z.enum(["accepted", "ok", "error", "timeout", "in_flight", "aborted"]),
    acceptedAt: z.number().optional(),
    sessionKey: z.string().optional(),
    agentId: z.string().optional(),
    /** Final answer: `completed`, `aborted` or the error message. */
    summary: z.string().optional(),
    text: z.string().optional(),
    error: z.string().optional(),
    usage: UsageSchema.optional(),
    /** Final answer: what the run produced (`payloads`) and how (`meta`). */
    result: z
      .looseObject({
        payloads: z.array(
          z.looseObject({ text: z.string().optional(), mediaUrl: z.string().nullable().optional() }),
        ),
        meta: z.looseObject({}).optional(),
      })
      .optional(),
  }),
);
export type AgentResult = z.infer<typeof AgentResultSchema>;

export const AgentWaitParamsSchema = lazy(() =>
  z.strictObject({
    runId: NonEmptyStringSchema,
    timeoutMs: z.int().nonnegative().optional(),
  }),
);
export const AgentWaitResultSchema = lazy(() =>
  z.looseObject({
    runId: z.string().optional(),
    status: z.enum(["ok", "error", "timeout"]),
    startedAt: z.number().optional(),
    endedAt: z.number().optional(),
    error: z.string().optional(),
  }),
);

// chat -----------------------------------------------------------------------------------------

export const ChatSendParamsSchema = lazy(() =>
  z.strictObject({
    sessionKey: SessionKeySchema,
    message: z.string(),
    thinking: z.string().optional(),
    deliver: z.boolean().optional(),
    attachments: z.array(AttachmentSchema).optional(),
    timeoutMs: z.int().nonnegative().optional(),
    idempotencyKey: IdempotencyKeySchema,
  }),
);
export type ChatSendParams = z.infer<typeof ChatSendParamsSchema>;
export const ChatSendResultSchema = lazy(() =>
  z.looseObject({
    runId: z.string(),
    status: z.enum(["started", "in_flight", "ok", "error"]),
  }),
);

export const ChatHistoryParamsSchema = lazy(() =>
  z.strictObject({
    sessionKey: SessionKeySchema,
    limit: z.int().min(1).max(1000).optional(),
    maxChars: z.int().min(1).optional(),
  }),
);
export const ChatHistoryResultSchema = lazy(() =>
  z.looseObject({
    sessionKey: z.string(),
    sessionId: z.string().optional(),
    messages: z.array(z.unknown()),
    thinkingLevel: z.string().optional(),
  }),
);

export const ChatAbortParamsSchema = lazy(() =>
  z.strictObject({
    sessionKey: SessionKeySchema,
    runId: z.string().optional(),
  }),
);
export const ChatAbortResultSchema = lazy(() =>
  z.looseObject({
    ok: z.literal(true),
    aborted: z.boolean(),
    runIds: z.array(z.string()).optional(),
  }),
);

/** Append an assistant note to a transcript without running the agent. */
export const ChatInjectParamsSchema = lazy(() =>
  z.strictObject({
    sessionKey: SessionKeySchema,
    message: NonEmptyStringSchema,
    label: z.string().max(100).optional(),
  }),
);
export const ChatInjectResultSchema = lazy(() =>
  z.looseObject({
    ok: z.literal(true),
    messageId: z.string().optional(),
  }),
);

// send -----------------------------------------------------------------------------------------

/** Direct outbound message through a channel, no agent run. */
export const SendParamsSchema = lazy(() =>
  z.strictObject({
    to: NonEmptyStringSchema,
    message: z.string().optional(),
    mediaUrl: z.string().optional(),
    mediaUrls: z.array(z.string()).optional(),
    gifPlayback: z.boolean().optional(),
    channel: z.string().optional(),
    accountId: z.string().optional(),
    sessionKey: SessionKeySchema.optional(),
    idempotencyKey: IdempotencyKeySchema,
  }),
);
export const SendResultSchema = lazy(() =>
  z.looseObject({
    runId: z.string().optional(),
    messageId: z.string(),
    channel: z.string(),
    chatId: z.string().optional(),
    toJid: z.string().optional(),
  }),
);

// events ---------------------------------------------------------------------------------------

/** Streams of the `agent` event. Later servers add more (`item`, `plan`, …), so `stream` stays open. */
export const AGENT_STREAMS = ["lifecycle", "assistant", "tool", "compaction", "reasoning", "error"] as const;
export type AgentStream = (typeof AGENT_STREAMS)[number];

export const AgentEventPayloadSchema = lazy(() =>
  z.looseObject({
    runId: z.string(),
    seq: z.int().nonnegative(),
    stream: z.string(),
    ts: TimestampMsSchema,
    data: z.record(z.string(), z.unknown()),
    sessionKey: z.string().optional(),
  }),
);
export type AgentEventPayload = z.infer<typeof AgentEventPayloadSchema>;

/** `data` of `stream: "lifecycle"`. */
export const AgentLifecycleDataSchema = lazy(() =>
  z.looseObject({
    phase: z.enum(["start", "end", "error"]),
    startedAt: z.number().optional(),
    endedAt: z.number().optional(),
    error: z.string().optional(),
  }),
);
/** `data` of `stream: "assistant"`: text deltas (`delta`) and the text so far (`text`). */
export const AgentAssistantDataSchema = lazy(() =>
  z.looseObject({
    text: z.string().optional(),
    delta: z.string().optional(),
  }),
);
/** `data` of `stream: "tool"`. */
export const AgentToolDataSchema = lazy(() =>
  z.looseObject({
    phase: z.enum(["start", "update", "result", "end"]),
    name: z.string(),
    toolCallId: z.string(),
    args: z.unknown().optional(),
    partialResult: z.unknown().optional(),
    result: z.unknown().optional(),
    isError: z.boolean().optional(),
  }),
);
/** `data` of `stream: "compaction"`. */
export const AgentCompactionDataSchema = lazy(() =>
  z.looseObject({
    phase: z.enum(["start", "end"]),
    willRetry: z.boolean().optional(),
  }),
);
export const AGENT_STREAM_DATA_SCHEMAS = {
  lifecycle: AgentLifecycleDataSchema,
  assistant: AgentAssistantDataSchema,
  tool: AgentToolDataSchema,
  compaction: AgentCompactionDataSchema,
} as const;

const chatBase = lazy(() => ({
  runId: z.string(),
  sessionKey: z.string(),
  seq: z.int().nonnegative(),
  spawnedBy: z.string().optional(),
}));
export const CHAT_ERROR_KINDS = ["refusal", "timeout", "rate_limit", "context_length", "unknown"] as const;

/** `chat` event: one of delta / final / aborted / error. */
export const ChatEventPayloadSchema = lazy(() =>
  z.discriminatedUnion("state", [
    z.looseObject({
      ...chatBase,
      state: z.literal("delta"),
      deltaText: z.string(),
      message: z.unknown().optional(),
      replace: z.boolean().optional(),
      usage: UsageSchema.optional(),
    }),
    z.looseObject({
      ...chatBase,
      state: z.literal("final"),
      message: z.unknown().optional(),
      usage: UsageSchema.optional(),
      stopReason: z.string().optional(),
    }),
    z.looseObject({ ...chatBase, state: z.literal("aborted"), message: z.unknown().optional() }),
    z.looseObject({
      ...chatBase,
      state: z.literal("error"),
      errorMessage: z.string().optional(),
      errorKind: z.enum(CHAT_ERROR_KINDS).optional(),
    }),
  ]),
);
export type ChatEventPayload = z.infer<typeof ChatEventPayloadSchema>;
