import { OpenClawError } from "@openclaw/protocol/base";

/** One image carried by a message into the user turn (base64, no `data:` prefix). */
export interface ImageInput {
  data: string;
  mimeType: string;
  fileName?: string;
}

/** What `chat.send` / `agent` take in `attachments[]` (OpenClaw's shape). */
export interface AttachmentParam {
  type?: string;
  mimeType?: string;
  fileName?: string;
  content?: string;
  url?: string;
}

/** Image types every bundled provider sends to its vendor. */
export const IMAGE_MIME_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"] as const;
/** Default per-attachment cap when `agents.defaults.mediaMaxMb` is not set. */
export const DEFAULT_MEDIA_MAX_MB = 5;
/** Most attachments on one message. */
export const MAX_ATTACHMENTS = 10;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Image type from the first bytes (PNG, JPEG, GIF, WebP), when the client did not say. */
function sniffImageType(base64: string): string | undefined {
  const head = Buffer.from(base64.slice(0, 24), "base64");
  if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return "image/png";
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "image/jpeg";
  if (head.subarray(0, 4).toString("latin1") === "GIF8") return "image/gif";
  if (head.subarray(0, 4).toString("latin1") === "RIFF" && head.subarray(8, 12).toString("latin1") === "WEBP")
    return "image/webp";
  return undefined;
}

/** Decoded size of a base64 string, without decoding it. */
export function decodedBytes(base64: string): number {
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

const sizeOf = (bytes: number) =>
  bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toFixed(1)} MB`
    : bytes >= 1024
      ? `${Math.round(bytes / 1024)} KB`
      : `${bytes} bytes`;

/** `agents.defaults.mediaMaxMb` of a config tree, in bytes. */
export function mediaMaxBytes(config: Record<string, unknown>): number {
  const agents = config.agents as { defaults?: { mediaMaxMb?: unknown } } | undefined;
  const mb = agents?.defaults?.mediaMaxMb;
  return (typeof mb === "number" && mb > 0 ? mb : DEFAULT_MEDIA_MAX_MB) * 1024 * 1024;
}

/**
 * The images of a `chat.send` / `agent` request: inline base64 content (a `data:` URL is
 * accepted too) of a PNG, JPEG, GIF or WebP image, each at most `maxBytes` decoded. Anything
 * else is refused with `INVALID_REQUEST` naming the attachment, before the message is taken.
 */
export function imageAttachments(
  attachments: readonly AttachmentParam[] | undefined,
  maxBytes: number,
): ImageInput[] {
  if (!attachments?.length) return [];
  if (attachments.length > MAX_ATTACHMENTS)
    throw new OpenClawError(
      "INVALID_REQUEST",
      `too many attachments (${attachments.length}); at most ${MAX_ATTACHMENTS} per message`,
    );
  return attachments.map((attachment, index) => {
    const name = attachment.fileName || `attachment ${index + 1}`;
    let content = attachment.content?.trim();
    let mimeType = attachment.mimeType?.toLowerCase().split(";")[0]?.trim() || undefined;
    if (!content)
      throw new OpenClawError(
        "INVALID_REQUEST",
        attachment.url
          ? `${name}: attachments by URL are not supported; send the file's content (base64)`
          : `${name}: attachment has no content`,
      );
    const dataUrl = /^data:([^;,]+)?(?:;[^,]*)?;base64,/i.exec(content);
    if (dataUrl) {
      mimeType ??= dataUrl[1]?.toLowerCase();
      content = content.slice(dataUrl[0].length);
    }
    content = content.replace(/\s+/g, "");
    if (!BASE64.test(content) || content.length % 4 === 1)
      throw new OpenClawError("INVALID_REQUEST", `${name}: attachment content is not valid base64`);
    if (!mimeType || mimeType === "application/octet-stream") mimeType = sniffImageType(content) ?? mimeType;
    if (!mimeType || !(IMAGE_MIME_TYPES as readonly string[]).includes(mimeType))
      throw new OpenClawError(
        "INVALID_REQUEST",
        `${name}: ${mimeType ?? "unknown type"} cannot be attached; only images (${IMAGE_MIME_TYPES.join(", ")}) are supported — put text in the message itself`,
      );
    const bytes = decodedBytes(content);
    if (bytes > maxBytes)
      throw new OpenClawError(
        "INVALID_REQUEST",
        `${name} is ${sizeOf(bytes)}; attachments are limited to ${sizeOf(maxBytes)} each (agents.defaults.mediaMaxMb)`,
      );
    return { data: content, mimeType, ...(attachment.fileName ? { fileName: attachment.fileName } : {}) };
  });
}
