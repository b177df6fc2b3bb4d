import type { ErrorShape } from "@openclaw/protocol";

/**
 * Deepest JSON nesting a client frame may have. Real frames stay under ~20 levels (a config
 * patch, a chat attachment); the bound keeps one frame from building millions of nested values
 * (5,000,000 levels in 10 MB once stalled the event loop for seconds and left hundreds of MB).
 */
export const MAX_FRAME_DEPTH = 64;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/** How much of a message's start is kept to find its request id (the id pattern needs < 700). */
const ID_PREFIX_BYTES = 1024;

/**
 * The nesting depth of one message's UTF-8 bytes, fed piece by piece as they arrive (the
 * structural characters are ASCII, so bytes are enough), masked or not: one linear pass that
 * stops at the first level beyond `maxDepth`. Brackets inside strings do not count. It keeps the
 * first bytes of a message that spans several pieces, so a refusal can answer the request id.
 * One scanner serves a connection's messages one after another ({@link reset}).
 */
export class DepthScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private prefix: Uint8Array | undefined;
  private prefixLength = 0;
  /** Whether the bound was crossed; nothing more is scanned after that. */
  exceeded = false;

  constructor(private readonly maxDepth = MAX_FRAME_DEPTH) {}

  /** Start a new message. */
  reset(): void {
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.prefixLength = 0;
    this.exceeded = false;
  }

  /**
   * Scan `bytes[start, end)`, unmasking with `mask` (4 bytes; `bytes[start]` goes with the key's
   * byte `maskOffset & 3`); `more` says the message goes on after this piece. Returns false once
   * the message is nested beyond the bound.
   */
  scan(
    bytes: Uint8Array,
    start: number,
    end: number,
    mask?: Uint8Array,
    maskOffset = 0,
    more = false,
  ): boolean {
    if (this.exceeded) return false;
    let { depth, inString, escaped } = this;
    const maxDepth = this.maxDepth;
    for (let index = start; index < end; index++) {
      const code = mask ? bytes[index]! ^ mask[(maskOffset + index - start) & 3]! : bytes[index]!;
      if (escaped) escaped = false;
      else if (inString) {
        if (code === BACKSLASH) escaped = true;
        else if (code === QUOTE) inString = false;
      } else if (code === QUOTE) inString = true;
      else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
        if (++depth > maxDepth) {
          this.exceeded = true;
          this.keep(bytes, start, index, mask, maskOffset); // the text before the excess
          return false;
        }
      } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) depth--;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    if (more) this.keep(bytes, start, end, mask, maskOffset);
    return true;
  }

  /** The request id at the top level of the message, when it precedes the excess. */
  requestId(): string | undefined {
    return topLevelId(decoder.decode(this.prefix?.subarray(0, this.prefixLength)));
  }

  /** Keep the message's first ID_PREFIX_BYTES (unmasked). */
  private keep(
    bytes: Uint8Array,
    start: number,
    end: number,
    mask: Uint8Array | undefined,
    maskOffset: number,
  ): void {
    const count = Math.min(end - start, ID_PREFIX_BYTES - this.prefixLength);
    if (count <= 0) return;
    this.prefix ??= new Uint8Array(ID_PREFIX_BYTES);
    const prefix = this.prefix;
    for (let index = 0; index < count; index++)
      prefix[this.prefixLength + index] = mask
        ? bytes[start + index]! ^ mask[(maskOffset + index) & 3]!
        : bytes[start + index]!;
    this.prefixLength += count;
  }
}

const decoder = new TextDecoder();

/** The `"id": "…"` of the outer object, looked for in the text before the excess. */
function topLevelId(prefix: string): string | undefined {
  const match =
    /^\s*\{(?:\s*"(?:type|method)"\s*:\s*"[^"\\]{0,200}"\s*,)*\s*"id"\s*:\s*"([^"\\]{1,200})"/.exec(prefix);
  return match?.[1];
}

/** The INVALID_REQUEST answer to a frame nested beyond the bound. */
export function frameTooDeepError(maxDepth = MAX_FRAME_DEPTH): ErrorShape {
  return {
    code: "INVALID_REQUEST",
    message: `invalid frame: nested too deeply (more than ${maxDepth} levels of objects/arrays)`,
    details: { code: "FRAME_TOO_DEEP", maxDepth },
  };
}
