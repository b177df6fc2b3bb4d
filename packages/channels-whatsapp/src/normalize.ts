import type { InboundMessageInput } from "@openclaw/protocol/channel";
import type { proto, WAMessage } from "baileys";

type Baileys = typeof import("baileys");

/** The linked account as Baileys reports it (`sock.user`). */
export interface WhatsAppSelf {
  id: string;
  lid?: string;
  name?: string;
}

const MEDIA_KINDS = {
  imageMessage: "image",
  videoMessage: "video",
  audioMessage: "audio",
  documentMessage: "document",
  stickerMessage: "sticker",
} as const;

/** `15551234567@s.whatsapp.net` (or `:12` device suffix) → `+15551234567`; other JIDs unchanged. */
export function jidToE164(jid: string | undefined | null): string | undefined {
  const match = /^(\d+)(?::\d+)?@s\.whatsapp\.net$/.exec(jid ?? "");
  return match ? `+${match[1]}` : (jid ?? undefined);
}

const toNumber = (value: unknown): number | undefined => {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value !== "") return Number(value);
  if (value && typeof value === "object" && "low" in value) return Number(String(value));
  return undefined;
};

/**
 * What a media download needs, carried in `InboundMedia.ref` (the journal keeps it, so a message
 * recovered after a restart can still be downloaded): `whatsapp:media:` + JSON of the Baileys media
 * type, the media key (base64), `directPath` and `url`.
 */
export interface WhatsAppMediaRef {
  type: "image" | "video" | "audio" | "document" | "sticker";
  mediaKey: string;
  directPath?: string;
  url?: string;
}

const MEDIA_REF_PREFIX = "whatsapp:media:";

function mediaRef(type: WhatsAppMediaRef["type"], inner: Record<string, unknown>): string | undefined {
  const key = inner.mediaKey;
  const mediaKey =
    typeof key === "string"
      ? key
      : key instanceof Uint8Array
        ? Buffer.from(key).toString("base64")
        : undefined;
  if (!mediaKey || (typeof inner.directPath !== "string" && typeof inner.url !== "string")) return undefined;
  const ref: WhatsAppMediaRef = {
    type,
    mediaKey,
    ...(typeof inner.directPath === "string" ? { directPath: inner.directPath } : {}),
    ...(typeof inner.url === "string" ? { url: inner.url } : {}),
  };
  return `${MEDIA_REF_PREFIX}${JSON.stringify(ref)}`;
}

/** The download details of a `whatsapp:media:` reference; throws a readable Error otherwise. */
export function parseWhatsAppMediaRef(ref: string): WhatsAppMediaRef {
  if (!ref.startsWith(MEDIA_REF_PREFIX)) throw new Error("not a downloadable WhatsApp media reference");
  const parsed = JSON.parse(ref.slice(MEDIA_REF_PREFIX.length)) as Partial<WhatsAppMediaRef>;
  if (typeof parsed.mediaKey !== "string" || typeof parsed.type !== "string")
    throw new Error("WhatsApp media reference without a media key");
  return parsed as WhatsAppMediaRef;
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export type NormalizeResult = { message: InboundMessageInput } | { skip: string };

/**
 * A Baileys `messages.upsert` message → InboundMessage. Mentions: the linked account's JID or LID in
 * `contextInfo.mentionedJid`, or a reply to one of its messages (name patterns are the host's).
 * Senders are E.164 numbers (`+15551234567`) when WhatsApp gives the phone-number JID, as in
 * `channels.whatsapp.allowFrom`; replies go to the chat JID.
 */
export function normalizeWhatsAppMessage(
  B: Baileys,
  raw: WAMessage,
  accountId: string,
  self: WhatsAppSelf,
  mediaMaxBytes: number,
): NormalizeResult {
  const key = raw?.key;
  const chatJid = key?.remoteJid;
  if (!key || typeof key.id !== "string" || !key.id || typeof chatJid !== "string" || !chatJid)
    return { skip: "malformed message (no key)" };
  if (key.fromMe) return { skip: "own message" };
  if (B.isJidStatusBroadcast(chatJid) || chatJid.endsWith("@broadcast") || chatJid.endsWith("@newsletter"))
    return { skip: "status or broadcast" };
  const content = B.normalizeMessageContent(raw.message);
  const type = content ? B.getContentType(content) : undefined;
  if (!content || !type) return { skip: "no content" };
  if (type === "protocolMessage" || type === "reactionMessage" || type === "senderKeyDistributionMessage")
    return { skip: type };

  const group = Boolean(B.isJidGroup(chatJid));
  // Baileys 7 gives the phone-number JID and the LID of a sender, either one as the primary
  const pair = group ? [key.participant, key.participantAlt] : [chatJid, key.remoteJidAlt];
  const senderJid = pair.find((jid) => jid && B.isPnUser(jid)) ?? pair.find(Boolean);
  if (!senderJid) return { skip: "malformed message (no participant)" };
  const body = (content as Record<string, unknown>)[type] as
    | (Record<string, unknown> & { contextInfo?: proto.IContextInfo | null })
    | string
    | null;
  const inner = typeof body === "object" && body !== null ? body : undefined;
  let text =
    (typeof body === "string" ? body : undefined) ??
    (typeof inner?.text === "string" ? inner.text : undefined) ??
    (typeof inner?.caption === "string" ? inner.caption : "");

  const media: InboundMessageInput["media"] = [];
  const kind = MEDIA_KINDS[type as keyof typeof MEDIA_KINDS];
  if (kind && inner) {
    const size = toNumber(inner.fileLength);
    if (size !== undefined && size > mediaMaxBytes) {
      const note = `[${kind} omitted: ${megabytes(size)} is over the ${megabytes(mediaMaxBytes)} limit (mediaMaxMb)]`;
      text = text ? `${text}\n${note}` : note;
    } else
      media.push({
        kind: kind === "audio" && inner.ptt ? "voice" : kind,
        ref: mediaRef(kind, inner) ?? `whatsapp:${chatJid}/${key.id}`,
        ...(typeof inner.mimetype === "string" ? { mimeType: inner.mimetype } : {}),
        ...(typeof inner.fileName === "string" ? { fileName: inner.fileName } : {}),
        ...(size !== undefined ? { sizeBytes: size } : {}),
      });
  }
  if (!text && media.length === 0) return { skip: `unsupported message type ${type}` };

  const context = inner?.contextInfo ?? undefined;
  const mine = (jid: string | null | undefined) =>
    Boolean(jid) &&
    (B.areJidsSameUser(jid ?? undefined, self.id) ||
      (!!self.lid && B.areJidsSameUser(jid ?? undefined, self.lid)));
  const mentions = (context?.mentionedJid ?? []).filter((j): j is string => typeof j === "string");
  const repliedToBot = Boolean(context?.stanzaId) && mine(context?.participant);
  const seconds = toNumber(raw.messageTimestamp);
  return {
    message: {
      channel: "whatsapp",
      accountId,
      messageId: key.id,
      chat: { type: group ? "group" : "direct", id: chatJid },
      sender: {
        id: jidToE164(B.jidNormalizedUser(senderJid)) ?? senderJid,
        ...(raw.pushName ? { displayName: raw.pushName } : {}),
      },
      text,
      mentioned: mentions.some(mine) || repliedToBot,
      mentions,
      ...(context?.stanzaId ? { replyTo: { messageId: context.stanzaId, fromBot: repliedToBot } } : {}),
      media,
      timestamp: seconds !== undefined && Number.isFinite(seconds) ? seconds * 1000 : Date.now(),
    },
  };
}
