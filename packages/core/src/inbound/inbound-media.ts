import { type InboundMedia, type InboundMessage, MediaTooLargeError } from "@openclaw/protocol/channel";
import {
  IMAGE_MIME_TYPES,
  type ImageInput,
  imageAttachments,
  MAX_ATTACHMENTS,
  mediaMaxBytes,
} from "../chat/attachments.js";
import type { PipelineContext } from "./types.js";

/** A message's text for the model, with its images downloaded and its other media as reference lines. */
export interface ResolvedMedia {
  text: string;
  images: ImageInput[];
}

/** Longest a single download may take before it becomes a note (a stuck vendor must not hold the session). */
const DOWNLOAD_TIMEOUT_MS = 60_000;

const sizeOf = (bytes: number) =>
  bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toFixed(1)} MB`
    : bytes >= 1024
      ? `${Math.round(bytes / 1024)} KB`
      : `${bytes} bytes`;

/** `[audio: voice.ogg, audio/ogg, 12 KB]`: what the model is told of media it does not receive. */
export function mediaReferenceLine(media: InboundMedia, why?: string): string {
  const details = [
    media.fileName,
    media.mimeType,
    media.sizeBytes !== undefined ? sizeOf(media.sizeBytes) : undefined,
  ].filter(Boolean);
  return `[${media.kind}${details.length ? `: ${details.join(", ")}` : ""}${why ? ` — ${why}` : ""}]`;
}

const isImage = (media: InboundMedia) =>
  media.kind === "image" ||
  (media.kind === "sticker" && (IMAGE_MIME_TYPES as readonly string[]).includes(media.mimeType ?? ""));

/**
 * Download the images of an admitted message through its channel (`plugin.media.download`), at
 * most `agents.defaults.mediaMaxMb` each, and turn the rest into reference lines. Never throws:
 * a file too large, a failed download or an unknown type becomes a note in the text.
 */
export async function resolveInboundMedia(
  context: PipelineContext,
  message: InboundMessage,
): Promise<ResolvedMedia> {
  if (message.media.length === 0) return { text: message.text, images: [] };
  const target = context.resolveAccount(message.channel, message.accountId);
  const maxBytes = mediaMaxBytes(context.getConfig() as Record<string, unknown>);
  const lines: string[] = message.text ? [message.text] : [];
  const images: ImageInput[] = [];
  let wanted = 0;
  const downloads = message.media.map(async (media) => {
    if (!isImage(media) || !target?.plugin.media) return { media, line: mediaReferenceLine(media) };
    // as many images as chat.send takes; the rest are named, not downloaded
    if (++wanted > MAX_ATTACHMENTS)
      return {
        media,
        line: mediaReferenceLine(media, `not passed: at most ${MAX_ATTACHMENTS} images per message`),
      };
    if (media.sizeBytes !== undefined && media.sizeBytes > maxBytes)
      return { media, line: tooLarge(media, media.sizeBytes, maxBytes, true) };
    const signal = AbortSignal.any([context.stopSignal, AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS)]);
    let file: { data: Uint8Array; mimeType?: string };
    try {
      file = await target.plugin.media.download({
        accountId: message.accountId,
        account: target.account,
        media,
        maxBytes,
        signal,
      });
    } catch (error) {
      if (MediaTooLargeError.isInstance(error))
        return { media, line: tooLarge(media, error.sizeBytes, error.maxBytes, error.exact) };
      const reason = signal.aborted && !context.stopSignal.aborted ? "timed out" : messageOf(error);
      context.logger.warn(`inbound ${media.kind} not downloaded: ${reason}`, {
        channel: message.channel,
        messageId: message.messageId,
      });
      return { media, line: mediaReferenceLine(media, `could not be downloaded: ${reason}`) };
    }
    try {
      // one check of what a model may receive (type sniffed from the bytes, size), as for chat.send
      const [image] = imageAttachments(
        [
          {
            content: Buffer.from(file.data).toString("base64"),
            ...(mimeTypeOf(file.mimeType, media.mimeType)
              ? { mimeType: mimeTypeOf(file.mimeType, media.mimeType) }
              : {}),
            ...(media.fileName ? { fileName: media.fileName } : {}),
          },
        ],
        maxBytes,
      );
      return { media, image };
    } catch (error) {
      return { media, line: mediaReferenceLine(media, `not passed to the model: ${messageOf(error)}`) };
    }
  });
  for (const result of await Promise.all(downloads)) {
    if ("image" in result && result.image) images.push(result.image);
    else if ("line" in result && result.line) lines.push(result.line);
  }
  return { text: lines.join("\n"), images };
}

function tooLarge(media: InboundMedia, size: number, maxBytes: number, exact: boolean): string {
  const what = exact ? `${sizeOf(size)} is over` : "larger than";
  return `[${media.kind} omitted: ${what} the ${sizeOf(maxBytes)} limit (mediaMaxMb)]`;
}

/** The server's type unless it is the generic one, then the type the message declared (else sniffed). */
const mimeTypeOf = (served: string | undefined, declared: string | undefined) =>
  served && served !== "application/octet-stream" ? served : declared;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
