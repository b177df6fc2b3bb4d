import { z } from "zod";
import { lazy } from "../lazy.js";
import { CHAT_TYPES } from "./chat-types.js";

export { CHAT_TYPES, type ChatType } from "./chat-types.js";

export const InboundMediaSchema = lazy(() =>
  z.object({
    kind: z.enum(["image", "audio", "video", "document", "sticker", "voice"]),
    /**
     * Vendor file id or URL (opaque to the host): the channel's `media.download` resolves it when
     * the turn is handed to the assistant, so the journal keeps references, never file bytes.
     */
    ref: z.string(),
    mimeType: z.string().optional(),
    fileName: z.string().optional(),
    sizeBytes: z.number().int().nonnegative().optional(),
  }),
);
export type InboundMedia = z.infer<typeof InboundMediaSchema>;

export const InboundSenderSchema = lazy(() =>
  z.object({
    /** Stable vendor user id (Telegram numeric id, Discord snowflake, Slack U…). */
    id: z.string().min(1),
    username: z.string().optional(),
    displayName: z.string().optional(),
    isBot: z.boolean().optional(),
  }),
);
export type InboundSender = z.infer<typeof InboundSenderSchema>;

/**
 * A message normalized by a channel. `messageId` is the channel's own id, unique within
 * (channel, accountId, chat.id): the host dedupes on it, so a redelivered update is processed once.
 */
export const InboundMessageSchema = lazy(() =>
  z.object({
    channel: z.string().min(1),
    accountId: z.string().min(1),
    messageId: z.string().min(1),
    chat: z.object({
      type: z.enum(CHAT_TYPES),
      /** Conversation id: the DM peer's chat id, group/channel id. Outbound replies go here. */
      id: z.string().min(1),
      title: z.string().optional(),
      /** Thread / forum topic id inside `id` (Telegram `message_thread_id`, Slack `thread_ts`, Discord thread). */
      threadId: z.string().optional(),
      /** For a thread that is its own conversation id (Discord threads): the parent channel, used for routing. */
      parentId: z.string().optional(),
      /** Telegram forum topics use `:topic:<id>` session keys instead of `:thread:<id>`. */
      isForumTopic: z.boolean().optional(),
      /** Discord guild id / Slack team id (routing tiers). */
      guildId: z.string().optional(),
      teamId: z.string().optional(),
    }),
    sender: InboundSenderSchema,
    text: z.string(),
    /** True when the bot was mentioned natively (@username, <@id>, app_mention) or replied to. */
    mentioned: z.boolean().default(false),
    /** Raw mention targets found in the text (ids/usernames) for diagnostics. */
    mentions: z.array(z.string()).default([]),
    replyTo: z
      .object({ messageId: z.string(), fromBot: z.boolean().optional(), text: z.string().optional() })
      .optional(),
    media: z.array(InboundMediaSchema).default([]),
    /** A leading bot command (`/start`, `/reset`) as sent, without the `@botname` suffix. */
    command: z.string().optional(),
    /** Unix ms when the vendor says the message was sent. */
    timestamp: z.number(),
  }),
);
export type InboundMessage = z.infer<typeof InboundMessageSchema>;
/** What a channel passes to `ctx.inbound` (defaults may be omitted). */
export type InboundMessageInput = z.input<typeof InboundMessageSchema>;
