import type { AnyChannelPlugin, ChannelLogger, InboundMessage } from "@openclaw/protocol";
import type { ImageInput } from "../chat/attachments.js";
import type { RoutingConfig } from "../routing/resolve-route.js";
import type { DropReason } from "./access-policy.js";
import type { InboxEntry, InboxJournal, InboxOutcome, ReplyPayload } from "./inbox-journal.js";

/** A turn handed to the assistant (the agent helper's `enqueue` runs it on the session's queue). */
export interface InboundTurn {
  agentId: string;
  sessionKey: string;
  mainSessionKey: string;
  lastRoutePolicy: "main" | "session";
  /**
   * The text of the turn (several messages joined when debounced), with a line for each media
   * item that is not passed as an image (`[audio: voice.ogg, audio/ogg, 12 KB]`, a download
   * failure, a file over `agents.defaults.mediaMaxMb`).
   */
  text: string;
  /** Images of the turn's messages, downloaded through their channel (base64), for the model. */
  images?: ImageInput[];
  /** The newest normalized message of the turn (channel, chat, sender, media, replyTo, …). */
  message: InboundMessage;
  /** All messages merged into this turn, oldest first. */
  messages: InboundMessage[];
  wasMentioned: boolean;
  signal?: AbortSignal;
  /**
   * Present when the channel streams drafts (`streamMode: "partial"`): call it with the reply text
   * so far as the model writes; the pipeline edits a draft message in place.
   */
  onPartial?: (textSoFar: string) => void;
}

/**
 * A reply nobody is waiting for — a sub-agent's announce, a sessions_send target's announce —
 * with the chat its session was last routed from.
 */
export interface UnsolicitedChannelReply {
  /** Stable id of the reply (the idempotency key of its delivery derives from it). */
  id: string;
  sessionKey: string;
  origin: string;
  route: { channel: string; accountId?: string; to: string; threadId?: string };
  payloads: ReplyPayload[];
}

/** What the assistant made of a handed-over turn. */
export interface InboundReply {
  payloads: ReplyPayload[];
  /**
   * The assistant's status for the message (`ok`, `merged`, `aborted`, `error`, `command`):
   * a command's answer is delivered at once, ahead of replies still being written.
   */
  status?: string;
}

/** What the pipeline needs from the assistant: run a turn on the session's queue, return reply payloads. */
export interface InboundAssistant {
  enqueue(turn: InboundTurn): Promise<InboundReply | ReplyPayload[]>;
  /** Optional: subscribe to unsolicited replies; the channel manager delivers them to their route. */
  onUnsolicitedReply?(listener: (reply: UnsolicitedChannelReply) => void): () => void;
}

/** The config keys the pipeline reads (structural subset of OpenClaw's config). */
export interface InboundHostConfig extends Omit<RoutingConfig, "agents"> {
  channels?: Record<
    string,
    (Record<string, unknown> & { accounts?: Record<string, Record<string, unknown> | undefined> }) | undefined
  >;
  agents?: {
    /** `mediaMaxMb`: most bytes of one inbound image downloaded for the model (default 5). */
    defaults?: { mediaMaxMb?: number };
    list?: readonly { id: string; default?: boolean; groupChat?: { mentionPatterns?: readonly string[] } }[];
  };
  messages?: {
    responsePrefix?: string;
    /** Reaction added to a message the assistant is about to answer (default 👀; "" disables). */
    ackReaction?: string;
    groupChat?: { mentionPatterns?: readonly string[] };
    inbound?: { debounceMs?: number; byChannel?: Record<string, unknown> };
  };
}

export type PipelineEvent =
  | { type: "inbound"; channel: string; accountId: string; at: number }
  | { type: "drop"; channel: string; accountId: string; reason: DropReason; messageId?: string }
  | { type: "outbound"; channel: string; accountId: string; at: number; messageId: string }
  | { type: "error"; channel: string; accountId: string; message: string }
  | {
      type: "closed";
      channel: string;
      accountId: string;
      key: string;
      outcome: InboxOutcome;
      reason?: string;
    };

/** The plugin and resolved account a reply goes through. */
export interface ChannelTarget {
  plugin: AnyChannelPlugin;
  account: unknown;
}

/** What the pipeline's parts (access, hand-over, delivery) share. */
export interface PipelineContext {
  journal: InboxJournal;
  logger: ChannelLogger;
  getConfig(): InboundHostConfig;
  resolveAccount(channel: string, accountId: string): ChannelTarget | undefined;
  emit(event: PipelineEvent): void;
  now(): number;
  /** Aborted by the pipeline's `stop()`. */
  stopSignal: AbortSignal;
  /** Keep a promise in the set `idle()` waits for. */
  track<T>(promise: Promise<T>): Promise<T>;
  /**
   * A journal write that need not be durable before the next step: appends are ordered, so the
   * next awaited append (a send intent) makes it durable too. Tracked so `idle()` waits for it.
   */
  background(write: Promise<void>, what: string): void;
  /** Close an inbox entry with its outcome (journaled in the background, `closed` event). */
  close(entry: InboxEntry, outcome: InboxOutcome, reason?: string): void;
}
