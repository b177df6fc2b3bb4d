const MARKER = Symbol.for("openclaw.media-too-large");

/** Thrown by a channel's `media.download` when the file is over the cap (nothing past it was kept). */
export class MediaTooLargeError extends Error {
  readonly [MARKER] = true;
  /** The file's size when known (declared by the vendor), else the bytes read before stopping. */
  readonly sizeBytes: number;
  readonly maxBytes: number;
  /** True when `sizeBytes` is the real size; false when the download was cut at the cap. */
  readonly exact: boolean;

  constructor(sizeBytes: number, maxBytes: number, exact = true) {
    super(`${exact ? "" : "over "}${sizeBytes} bytes, over the ${maxBytes}-byte limit`);
    this.name = "MediaTooLargeError";
    this.sizeBytes = sizeBytes;
    this.maxBytes = maxBytes;
    this.exact = exact;
  }

  static isInstance(value: unknown): value is MediaTooLargeError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/**
 * Read a byte stream into memory, at most `maxBytes`: past the cap, the stream is cancelled and
 * `MediaTooLargeError` thrown (so a large file is never buffered whole). Accepts a web
 * `ReadableStream` (a `fetch` body) or a Node stream / async iterable.
 */
export async function readCapped(
  source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const iterable: AsyncIterable<Uint8Array> =
    Symbol.asyncIterator in source
      ? (source as AsyncIterable<Uint8Array>)
      : (source as ReadableStream<Uint8Array> & AsyncIterable<Uint8Array>);
  for await (const chunk of iterable) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      // leaving the loop early cancels the stream (web streams) / destroys it (Node streams)
      throw new MediaTooLargeError(total, maxBytes, false);
    }
    chunks.push(chunk);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * `fetch` a media file and read at most `maxBytes` of it: a `Content-Length` over the cap is
 * refused before the body is read, a body longer than announced is cut at the cap. A non-2xx
 * answer throws with the status. Returns the bytes and the `Content-Type` the server gave.
 */
export async function fetchCapped(
  url: string,
  init: RequestInit & { fetch?: typeof fetch },
  maxBytes: number,
): Promise<{ data: Uint8Array; mimeType?: string }> {
  const { fetch: fetchImpl = fetch, ...rest } = init;
  const response = await fetchImpl(url, rest);
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(
      `download failed: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`,
    );
  }
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new MediaTooLargeError(declared, maxBytes);
  }
  const data = response.body ? await readCapped(response.body, maxBytes) : new Uint8Array();
  const mimeType = response.headers.get("content-type")?.split(";")[0]?.trim();
  return { data, ...(mimeType ? { mimeType } : {}) };
}
