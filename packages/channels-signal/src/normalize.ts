import type { InboundMessageInput } from "@openclaw/protocol/channel";

export interface SignalEnvelope {
  source?: string;
  sourceNumber?: string | null;
  sourceUuid?: string;
  sourceName?: string;
  timestamp?: number;
  dataMessage?: {
    timestamp?: number;
    message?: string | null;
    groupInfo?: { groupId?: string; groupName?: string; type?: string };
    mentions?: { uuid?: string; number?: string | null; name?: string; start?: number; length?: number }[];
    attachments?: { contentType?: string; filename?: string | null; id?: string; size?: number }[];
    quote?: {
      id?: number;
      author?: string;
      authorNumber?: string | null;
      authorUuid?: string;
      text?: string;
    };
  };
}

export type SignalNormalizeResult = { message: InboundMessageInput } | { skip: string };

const kindOf = (mime = "") =>
  mime.startsWith("image/")
    ? "image"
    : mime.startsWith("video/")
      ? "video"
      : mime.startsWith("audio/")
        ? "audio"
        : "document";

/** Group chats are addressed as `group:<base64 group id>`, DMs by the sender's number (or UUID). */
export const signalGroupTarget = (groupId: string) => `group:${groupId}`;

/**
 * A signal-cli `receive` envelope → InboundMessage. Only data messages count (receipts, typing,
 * sync messages are skipped). Mentioned: a mention of the linked number or UUID, or a quote of
 * one of its messages. The message id is `<timestamp>:<author>` (Signal identifies a message by
 * its author and timestamp; replies quote both).
 */
export function normalizeSignalEnvelope(
  envelope: SignalEnvelope,
  context: { accountId: string; selfNumber?: string; selfUuid?: string; mediaMaxBytes: number },
): SignalNormalizeResult {
  const data = envelope?.dataMessage;
  if (!envelope || typeof envelope !== "object") return { skip: "malformed envelope" };
  if (!data) return { skip: "not a data message" };
  const author = envelope.sourceNumber ?? envelope.sourceUuid ?? envelope.source;
  const timestamp = data.timestamp ?? envelope.timestamp;
  if (!author || typeof timestamp !== "number")
    return { skip: "malformed envelope (no source or timestamp)" };
  if (author === context.selfNumber || envelope.sourceUuid === context.selfUuid)
    return { skip: "own message" };
  let text = typeof data.message === "string" ? data.message : "";
  const media: InboundMessageInput["media"] = [];
  for (const attachment of data.attachments ?? []) {
    const kind = kindOf(attachment.contentType);
    if (typeof attachment.size === "number" && attachment.size > context.mediaMaxBytes) {
      const note = `[${kind} omitted: ${(attachment.size / 1048576).toFixed(1)} MB is over the ${(context.mediaMaxBytes / 1048576).toFixed(1)} MB limit (mediaMaxMb)]`;
      text = text ? `${text}\n${note}` : note;
    } else if (attachment.id)
      media.push({
        kind,
        ref: `signal:attachment:${attachment.id}`,
        ...(attachment.contentType ? { mimeType: attachment.contentType } : {}),
        ...(attachment.filename ? { fileName: attachment.filename } : {}),
        ...(typeof attachment.size === "number" ? { sizeBytes: attachment.size } : {}),
      });
  }
  if (!text && media.length === 0) return { skip: "empty message" };
  const isSelf = (number?: string | null, uuid?: string) =>
    Boolean((number && number === context.selfNumber) || (uuid && uuid === context.selfUuid));
  const mentions = (data.mentions ?? []).map((m) => m.number ?? m.uuid ?? "").filter(Boolean);
  const mentionedSelf = (data.mentions ?? []).some((m) => isSelf(m.number, m.uuid));
  const quote = data.quote;
  const quotedSelf = Boolean(quote) && isSelf(quote?.authorNumber ?? quote?.author, quote?.authorUuid);
  const groupId = data.groupInfo?.groupId;
  return {
    message: {
      channel: "signal",
      accountId: context.accountId,
      messageId: `${timestamp}:${author}`,
      chat: {
        type: groupId ? "group" : "direct",
        id: groupId ? signalGroupTarget(groupId) : author,
        ...(data.groupInfo?.groupName ? { title: data.groupInfo.groupName } : {}),
      },
      sender: { id: author, ...(envelope.sourceName ? { displayName: envelope.sourceName } : {}) },
      // Signal puts U+FFFC where a mention sits
      text: text.replace(/\uFFFC/g, "@"),
      mentioned: mentionedSelf || quotedSelf,
      mentions,
      ...(quote?.id
        ? {
            replyTo: {
              messageId: `${quote.id}:${quote.authorNumber ?? quote.author ?? quote.authorUuid ?? ""}`,
              fromBot: quotedSelf,
            },
          }
        : {}),
      media,
      timestamp,
    },
  };
}
