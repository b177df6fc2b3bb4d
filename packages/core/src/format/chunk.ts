import type { FormattedText, StyleSpan } from "@openclaw/protocol";

/** Cut `ir` at [start, end) and re-base its spans; spans crossing the cut are reopened in the chunk. */
export function sliceFormattedText(ir: FormattedText, start: number, end: number): FormattedText {
  const spans: StyleSpan[] = [];
  for (const span of ir.spans) {
    if (span.end <= start || span.start >= end) continue;
    spans.push({ ...span, start: Math.max(span.start, start) - start, end: Math.min(span.end, end) - start });
  }
  return { text: ir.text.slice(start, end), spans };
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * Split an IR into chunks of at most `limit` UTF-16 units. Prefers paragraph breaks, then line
 * breaks, then sentence ends, then spaces; never cuts a code block (`pre`) that fits in one chunk,
 * and splits an oversized one on line breaks. Styles that cross a cut are reopened in the next chunk.
 */
export function chunkFormattedText(ir: FormattedText, limit: number): FormattedText[] {
  if (!Number.isFinite(limit) || limit < 1) throw new RangeError(`chunk limit must be >= 1 (got ${limit})`);
  const text = ir.text;
  const pres = ir.spans.filter((s) => s.style === "pre");
  const chunks: FormattedText[] = [];
  let start = 0;
  while (start < text.length) {
    while (start < text.length && text[start] === "\n") start++;
    if (start >= text.length) break;
    if (text.length - start <= limit) {
      push(start, text.length);
      break;
    }
    const hardEnd = start + limit;
    let end = bestBreak(start, hardEnd);
    const straddling = pres.find((p) => p.start < end && p.end > end);
    if (straddling) {
      if (straddling.start > start) end = straddling.start;
      else {
        const nl = text.lastIndexOf("\n", hardEnd - 1);
        end = nl > start ? nl + 1 : hardEnd;
      }
    }
    if (end > start && end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
    if (end <= start) end = Math.min(hardEnd, text.length);
    push(start, end);
    start = end;
  }
  return chunks;

  function bestBreak(from: number, hardEnd: number): number {
    const window = text.slice(from, hardEnd + 1);
    const minUseful = Math.floor((hardEnd - from) * 0.3);
    for (const pattern of ["\n\n", "\n"]) {
      const at = window.lastIndexOf(pattern, hardEnd - from - 1);
      if (at >= minUseful) return from + at + pattern.length;
    }
    const sentence = Math.max(
      window.lastIndexOf(". ", hardEnd - from - 2),
      window.lastIndexOf("! ", hardEnd - from - 2),
      window.lastIndexOf("? ", hardEnd - from - 2),
    );
    if (sentence >= minUseful) return from + sentence + 2;
    const space = window.lastIndexOf(" ", hardEnd - from - 1);
    if (space >= minUseful) return from + space + 1;
    return hardEnd;
  }

  function push(from: number, to: number) {
    let end = to;
    while (end > from && /\s/.test(text[end - 1] ?? "")) end--;
    if (end > from) chunks.push(sliceFormattedText(ir, from, end));
  }
}

/**
 * Chunk for a channel whose limit applies to rendered markup (Discord counts `**`): chunks whose
 * measured size still exceeds `limit` are split again with a proportionally smaller budget.
 */
export function chunkForChannel(
  ir: FormattedText,
  limit: number,
  measure: (chunk: FormattedText) => number = (c) => c.text.length,
): FormattedText[] {
  const result: FormattedText[] = [];
  const visit = (piece: FormattedText, budget: number, depth: number) => {
    const size = measure(piece);
    if (size <= limit || depth > 6 || piece.text.length <= 1) {
      result.push(piece);
      return;
    }
    const next = Math.max(1, Math.floor((budget * limit) / size) - 8);
    const parts = chunkFormattedText(piece, next);
    if (parts.length === 1) {
      result.push(...chunkFormattedText(piece, Math.max(1, Math.floor(piece.text.length / 2))).map((p) => p));
      return;
    }
    for (const part of parts) visit(part, next, depth + 1);
  };
  for (const piece of chunkFormattedText(ir, limit)) visit(piece, Math.min(limit, piece.text.length), 0);
  return result;
}
