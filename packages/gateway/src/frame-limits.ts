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

/**
 * One linear pass over a frame (its text, or its UTF-8 bytes: the structural characters are
 * ASCII either way) before `JSON.parse`: the nesting depth, stopping at the first level beyond
 * `maxDepth`, so a hostile frame costs a few bytes of scanning. Brackets inside strings do not
 * count. Returns the request id found at the top level (when it precedes the excess) so the
 * refusal can answer it.
 */
export function checkFrameDepth(
  frame: string | Uint8Array,
  maxDepth = MAX_FRAME_DEPTH,
): { ok: true } | { ok: false; id?: string } {
  const text = typeof frame === "string" ? frame : undefined;
  const bytes = typeof frame === "string" ? undefined : frame;
  const length = text !== undefined ? text.length : bytes!.byteLength;
  let depth = 0;
  let inString = false;
  for (let index = 0; index < length; index++) {
    const code = text !== undefined ? text.charCodeAt(index) : bytes![index]!;
    if (inString) {
      if (code === BACKSLASH) index++;
      else if (code === QUOTE) inString = false;
      continue;
    }
    if (code === QUOTE) inString = true;
    else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      depth++;
      if (depth > maxDepth) {
        const prefix = text !== undefined ? text.slice(0, index) : decoder.decode(bytes!.subarray(0, index));
        const id = topLevelId(prefix);
        return id === undefined ? { ok: false } : { ok: false, id };
      }
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) depth--;
  }
  return { ok: true };
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
