import type { InboundMessageInput } from "@openclaw/protocol/channel";

// biome-ignore lint/suspicious/noExplicitAny: raw vendor JSON, checked field by field
type Json = Record<string, any>;

export interface BotIdentity {
  id: number;
  username: string;
}

/**
 * Telegram `Message` → InboundMessage. Returns undefined for what is not a conversation message
 * (service messages without text or media). Defensive: any missing field yields undefined, not a throw.
 */
export function normalizeTelegramMessage(
  message: Json | undefined,
  accountId: string,
  bot: BotIdentity,
  isChannelPost = false,
): InboundMessageInput | undefined {
  if (!message || typeof message !== "object") return undefined;
  const chat = message.chat as Json | undefined;
  if (
    !chat ||
    (typeof chat.id !== "number" && typeof chat.id !== "string") ||
    typeof message.message_id !== "number"
  )
    return undefined;
  const from =
    (message.from as Json | undefined) ??
    (isChannelPost ? { id: chat.id, username: chat.username, first_name: chat.title } : undefined);
  if (!from || from.id === undefined) return undefined;
  if (from.id === bot.id) return undefined;
  const text: string =
    typeof message.text === "string"
      ? message.text
      : typeof message.caption === "string"
        ? message.caption
        : "";
  const entities: Json[] = Array.isArray(message.entities)
    ? message.entities
    : Array.isArray(message.caption_entities)
      ? message.caption_entities
      : [];
  const media = extractMedia(message);
  if (!text && media.length === 0) return undefined;

  const botName = `@${bot.username}`.toLowerCase();
  const mentions: string[] = [];
  let mentioned = false;
  let command: string | undefined;
  for (const entity of entities) {
    const slice = text.slice(entity.offset, entity.offset + entity.length);
    if (entity.type === "mention") {
      mentions.push(slice);
      if (slice.toLowerCase() === botName) mentioned = true;
    } else if (entity.type === "text_mention" && entity.user?.id !== undefined) {
      mentions.push(String(entity.user.id));
      if (entity.user.id === bot.id) mentioned = true;
    } else if (entity.type === "bot_command" && entity.offset === 0) {
      const [name, target] = slice.split("@");
      if (!target || `@${target}`.toLowerCase() === botName) {
        command = name;
        if (target) mentioned = true;
      }
    }
  }
  const reply = message.reply_to_message as Json | undefined;
  const replyFromBot = reply?.from?.id === bot.id;
  const type = chat.type === "private" ? "direct" : chat.type === "channel" ? "channel" : "group";
  const topic = message.is_topic_message === true && message.message_thread_id !== undefined;
  return {
    channel: "telegram",
    accountId,
    messageId: String(message.message_id),
    chat: {
      type,
      id: String(chat.id),
      ...(chat.title ? { title: String(chat.title) } : {}),
      ...(topic ? { threadId: String(message.message_thread_id), isForumTopic: true } : {}),
    },
    sender: {
      id: String(from.id),
      ...(from.username ? { username: String(from.username) } : {}),
      ...(from.first_name
        ? { displayName: [from.first_name, from.last_name].filter(Boolean).join(" ") }
        : {}),
      ...(from.is_bot ? { isBot: true } : {}),
    },
    text,
    mentioned: mentioned || replyFromBot,
    mentions,
    ...(reply && typeof reply.message_id === "number"
      ? {
          replyTo: {
            messageId: String(reply.message_id),
            fromBot: replyFromBot,
            ...(typeof reply.text === "string" ? { text: reply.text } : {}),
          },
        }
      : {}),
    media,
    ...(command ? { command } : {}),
    timestamp: typeof message.date === "number" ? message.date * 1000 : Date.now(),
  };
}

function extractMedia(message: Json): NonNullable<InboundMessageInput["media"]> {
  const out: NonNullable<InboundMessageInput["media"]> = [];
  if (Array.isArray(message.photo) && message.photo.length > 0) {
    const largest = message.photo[message.photo.length - 1] as Json;
    out.push({
      kind: "image",
      ref: String(largest.file_id),
      ...(largest.file_size ? { sizeBytes: largest.file_size } : {}),
    });
  }
  for (const [key, kind] of [
    ["document", "document"],
    ["voice", "voice"],
    ["audio", "audio"],
    ["video", "video"],
    ["sticker", "sticker"],
  ] as const) {
    const file = message[key] as Json | undefined;
    if (file?.file_id)
      out.push({
        kind,
        ref: String(file.file_id),
        ...(file.mime_type ? { mimeType: String(file.mime_type) } : {}),
        ...(file.file_name ? { fileName: String(file.file_name) } : {}),
        ...(file.file_size ? { sizeBytes: Number(file.file_size) } : {}),
      });
  }
  return out;
}
