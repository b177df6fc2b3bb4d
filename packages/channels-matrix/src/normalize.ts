import type { InboundMessageInput } from "@openclaw/protocol/channel";

/** The fields of a Matrix room event the channel reads (a `MatrixEvent`'s wire JSON). */
export interface MatrixEventJson {
  event_id?: string;
  type?: string;
  sender?: string;
  origin_server_ts?: number;
  room_id?: string;
  content?: Record<string, unknown>;
}

const MEDIA: Record<string, "image" | "video" | "audio" | "document"> = {
  "m.image": "image",
  "m.video": "video",
  "m.audio": "audio",
  "m.file": "document",
};

export type MatrixNormalizeResult = { message: InboundMessageInput } | { skip: string };

/**
 * A room message → InboundMessage. Mentioned: `m.mentions.user_ids` holds the bot, the HTML body
 * links to it (matrix.to pill), the plain body names its user id, or it replies to the bot.
 * Threads: `m.relates_to.rel_type = m.thread` → `chat.threadId` = the thread root.
 */
export function normalizeMatrixEvent(
  event: MatrixEventJson,
  context: {
    accountId: string;
    roomId: string;
    selfId: string;
    direct: boolean;
    roomName?: string;
    senderName?: string;
    /** Sender of the event this one replies to, when the client has it. */
    repliedToSender?: string;
    mediaMaxBytes: number;
  },
): MatrixNormalizeResult {
  const content = event.content;
  if (!event.event_id || !event.sender || typeof content !== "object" || content === null)
    return { skip: "malformed event" };
  if (event.sender === context.selfId) return { skip: "own event" };
  if (event.type !== "m.room.message") return { skip: `event type ${event.type}` };
  const msgtype = content.msgtype;
  if (typeof msgtype !== "string") return { skip: "redacted or malformed message" };
  if (msgtype === "m.notice") return { skip: "notice (bot output)" };
  const relates = (content["m.relates_to"] ?? {}) as {
    rel_type?: string;
    event_id?: string;
    "m.in_reply_to"?: { event_id?: string };
  };
  if (relates.rel_type === "m.replace") return { skip: "edit" };
  let text = typeof content.body === "string" ? content.body : "";
  const media: InboundMessageInput["media"] = [];
  const kind = MEDIA[msgtype];
  if (kind) {
    const info = (content.info ?? {}) as { size?: number; mimetype?: string };
    const size = typeof info.size === "number" ? info.size : undefined;
    if (size !== undefined && size > context.mediaMaxBytes) {
      text = `[${kind} omitted: ${(size / 1048576).toFixed(1)} MB is over the ${(context.mediaMaxBytes / 1048576).toFixed(1)} MB limit (mediaMaxMb)]`;
    } else {
      media.push({
        kind,
        ref: typeof content.url === "string" ? content.url : `matrix:${event.event_id}`,
        ...(info.mimetype ? { mimeType: info.mimetype } : {}),
        ...(typeof content.filename === "string" || typeof content.body === "string"
          ? { fileName: String(content.filename ?? content.body) }
          : {}),
        ...(size !== undefined ? { sizeBytes: size } : {}),
      });
      text = typeof content.filename === "string" && content.filename !== content.body ? text : "";
    }
  }
  if (!text && media.length === 0) return { skip: "empty message" };
  const mentionIds = ((content["m.mentions"] as { user_ids?: unknown } | undefined)?.user_ids ??
    []) as unknown[];
  const html = typeof content.formatted_body === "string" ? content.formatted_body : "";
  const repliedTo = relates["m.in_reply_to"]?.event_id;
  const repliedToBot = Boolean(repliedTo) && context.repliedToSender === context.selfId;
  const mentioned =
    mentionIds.includes(context.selfId) ||
    html.includes(`matrix.to/#/${context.selfId}`) ||
    html.includes(`matrix.to/#/${encodeURIComponent(context.selfId)}`) ||
    text.includes(context.selfId) ||
    repliedToBot;
  const threadId = relates.rel_type === "m.thread" ? relates.event_id : undefined;
  return {
    message: {
      channel: "matrix",
      accountId: context.accountId,
      messageId: event.event_id,
      chat: {
        type: context.direct ? "direct" : "group",
        id: context.roomId,
        ...(context.roomName ? { title: context.roomName } : {}),
        ...(threadId ? { threadId } : {}),
      },
      // username = the user id without its sigil, so an allowFrom entry "@alice:example.org" matches
      sender: {
        id: event.sender,
        username: event.sender.replace(/^@/, ""),
        ...(context.senderName ? { displayName: context.senderName } : {}),
      },
      // a reply's fallback quote ("> <@a:b> …") is not what the user wrote
      text: repliedTo ? text.replace(/^(> .*\n)+\n/, "") : text,
      mentioned,
      mentions: mentionIds.filter((id): id is string => typeof id === "string"),
      ...(repliedTo && relates.rel_type !== "m.thread"
        ? { replyTo: { messageId: repliedTo, fromBot: repliedToBot } }
        : {}),
      media,
      timestamp: typeof event.origin_server_ts === "number" ? event.origin_server_ts : Date.now(),
    },
  };
}
