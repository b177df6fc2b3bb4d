import type { InboundMessageInput } from "@openclaw/protocol/channel";

/** The `posted` WebSocket event's data (`post` is a JSON string, as the server sends it). */
export interface MattermostPostedData {
  post?: string;
  channel_type?: string;
  channel_display_name?: string;
  channel_name?: string;
  sender_name?: string;
  team_id?: string;
  mentions?: string;
}

interface Post {
  id?: string;
  user_id?: string;
  channel_id?: string;
  root_id?: string;
  message?: string;
  type?: string;
  create_at?: number;
  file_ids?: string[];
  metadata?: { files?: { id: string; name?: string; mime_type?: string; size?: number }[] };
  props?: Record<string, unknown>;
}

export type MattermostNormalizeResult = { message: InboundMessageInput } | { skip: string };

const kindOf = (mime = "") =>
  mime.startsWith("image/")
    ? "image"
    : mime.startsWith("video/")
      ? "video"
      : mime.startsWith("audio/")
        ? "audio"
        : "document";

/**
 * A `posted` event → InboundMessage. DMs are channel type `D`; group DMs (`G`), public (`O`) and
 * private (`P`) channels are groups. Mentioned: the event's `mentions` lists the bot, or the text
 * names `@<bot username>`. A post in a thread carries `root_id` → `chat.threadId`.
 */
export function normalizeMattermostPost(
  data: MattermostPostedData,
  context: { accountId: string; selfId: string; selfUsername: string; mediaMaxBytes: number },
): MattermostNormalizeResult {
  let post: Post;
  try {
    post = JSON.parse(String(data.post)) as Post;
  } catch {
    return { skip: "malformed post" };
  }
  if (!post || typeof post !== "object" || !post.id || !post.user_id || !post.channel_id)
    return { skip: "malformed post" };
  if (post.user_id === context.selfId) return { skip: "own post" };
  if (post.type) return { skip: `system post ${post.type}` };
  if (post.props?.from_bot === "true") return { skip: "bot post" };
  let text = typeof post.message === "string" ? post.message : "";
  const media: InboundMessageInput["media"] = [];
  for (const file of post.metadata?.files ?? []) {
    if (typeof file.size === "number" && file.size > context.mediaMaxBytes) {
      const note = `[${kindOf(file.mime_type)} omitted: ${(file.size / 1048576).toFixed(1)} MB is over the ${(context.mediaMaxBytes / 1048576).toFixed(1)} MB limit (mediaMaxMb)]`;
      text = text ? `${text}\n${note}` : note;
    } else
      media.push({
        kind: kindOf(file.mime_type),
        ref: `mattermost:file:${file.id}`,
        ...(file.mime_type ? { mimeType: file.mime_type } : {}),
        ...(file.name ? { fileName: file.name } : {}),
        ...(typeof file.size === "number" ? { sizeBytes: file.size } : {}),
      });
  }
  if (!text && media.length === 0) return { skip: "empty post" };
  let mentions: string[] = [];
  try {
    mentions = data.mentions ? (JSON.parse(data.mentions) as string[]) : [];
  } catch {
    mentions = [];
  }
  const named = new RegExp(
    `(^|[^\\w.-])@${context.selfUsername.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`,
    "i",
  ).test(text);
  const direct = data.channel_type === "D";
  return {
    message: {
      channel: "mattermost",
      accountId: context.accountId,
      messageId: post.id,
      chat: {
        type: direct ? "direct" : "group",
        id: post.channel_id,
        ...(data.channel_display_name ? { title: data.channel_display_name } : {}),
        ...(post.root_id ? { threadId: post.root_id } : {}),
        ...(data.team_id ? { teamId: data.team_id } : {}),
      },
      sender: {
        id: post.user_id,
        ...(data.sender_name ? { username: data.sender_name.replace(/^@/, "") } : {}),
      },
      text,
      mentioned: mentions.includes(context.selfId) || named,
      mentions,
      media,
      timestamp: typeof post.create_at === "number" ? post.create_at : Date.now(),
    },
  };
}
