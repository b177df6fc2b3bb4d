import type { Readable } from "node:stream";
import { type InboundMedia, readCapped } from "@openclaw/protocol/channel";
import { parseWhatsAppMediaRef } from "./normalize.js";

/**
 * Download and decrypt an inbound media file with Baileys (`downloadContentFromMessage`: the
 * file is fetched from WhatsApp's media servers and AES-decrypted with the message's media key
 * as it streams), reading at most `maxBytes` of it: past the cap the stream is destroyed.
 */
export async function downloadWhatsAppMedia(
  media: InboundMedia,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<{ data: Uint8Array; mimeType?: string }> {
  const ref = parseWhatsAppMediaRef(media.ref);
  signal?.throwIfAborted();
  const B = await import("baileys");
  const stream: Readable = await B.downloadContentFromMessage(
    {
      mediaKey: Buffer.from(ref.mediaKey, "base64"),
      ...(ref.directPath ? { directPath: ref.directPath } : {}),
      ...(ref.url ? { url: ref.url } : {}),
    },
    ref.type,
  );
  const abort = () => stream.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
  signal?.addEventListener("abort", abort, { once: true });
  try {
    const data = await readCapped(stream, maxBytes);
    return { data, ...(media.mimeType ? { mimeType: media.mimeType.split(";")[0]?.trim() } : {}) };
  } finally {
    signal?.removeEventListener("abort", abort);
    stream.destroy();
  }
}
