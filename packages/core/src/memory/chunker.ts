import { createHash } from "node:crypto";

/** One indexed piece of a file. Lines are 1-based and inclusive. */
export interface Chunk {
  startLine: number;
  endLine: number;
  /** What is indexed and embedded: the enclosing heading (when the chunk does not start with it) and the lines. */
  text: string;
  /** sha256 of `text`: the embedding cache key. */
  hash: string;
  /** Holds Chinese, Japanese or Korean text (indexed with the trigram tokenizer as well). */
  cjk: boolean;
}

const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/u;
const CJK_GLOBAL = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/gu;

export function hasCjk(text: string): boolean {
  return CJK.test(text);
}

/** Rough token count: ~4 characters per token, one per CJK character. */
export function estimateTokens(text: string): number {
  const cjk = text.match(CJK_GLOBAL)?.length ?? 0;
  return cjk + Math.ceil((text.length - cjk) / 4);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

const HEADING = /^#{1,6}\s+\S/;

interface Line {
  number: number;
  text: string;
  tokens: number;
}

/** Lines longer than the budget become several pieces with the same line number. */
function splitLines(text: string, budget: number): Line[] {
  const out: Line[] = [];
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? "";
    const tokens = estimateTokens(line) + 1;
    if (tokens <= budget) {
      out.push({ number: index + 1, text: line, tokens });
      continue;
    }
    const width = Math.max(16, Math.floor((line.length * budget) / tokens));
    for (let start = 0; start < line.length; start += width) {
      const piece = line.slice(start, start + width);
      out.push({ number: index + 1, text: piece, tokens: estimateTokens(piece) + 1 });
    }
  }
  return out;
}

/**
 * Split markdown into ~`tokens`-token chunks that overlap by ~`overlap` tokens, at line
 * boundaries. A heading never ends a chunk (it moves to the next one), and a chunk that starts
 * inside a section carries that section's heading in its indexed text.
 */
export function chunkMarkdown(text: string, options: { tokens: number; overlap: number }): Chunk[] {
  const budget = Math.max(8, options.tokens);
  const lines = splitLines(text, budget);
  const chunks: Chunk[] = [];
  const headingAt: (string | undefined)[] = [];
  let heading: string | undefined;
  for (const line of lines) {
    if (HEADING.test(line.text)) heading = line.text.trim();
    headingAt.push(heading);
  }
  let start = 0;
  while (start < lines.length) {
    let end = start;
    let used = 0;
    while (end < lines.length && (end === start || used + lines[end]!.tokens <= budget)) {
      used += lines[end]!.tokens;
      end++;
    }
    // keep a heading with the text under it
    while (end - 1 > start && end < lines.length && HEADING.test(lines[end - 1]!.text)) end--;
    let last = end;
    while (last - 1 > start && !lines[last - 1]!.text.trim()) last--;
    const body = lines.slice(start, last);
    const joined = body.map((line) => line.text).join("\n");
    if (joined.trim()) {
      const first = body[0]!;
      const context = HEADING.test(first.text) ? undefined : headingAt[start - 1];
      const indexed = context ? `${context}\n${joined}` : joined;
      chunks.push({
        startLine: first.number,
        endLine: body[body.length - 1]!.number,
        text: indexed,
        hash: sha256(indexed),
        cjk: hasCjk(indexed),
      });
    }
    if (end >= lines.length) break;
    // step back over ~overlap tokens of trailing lines, always moving forward
    let next = end;
    let back = 0;
    while (next - 1 > start + 0 && back + lines[next - 1]!.tokens <= options.overlap) {
      next--;
      back += lines[next]!.tokens;
    }
    start = next > start ? next : end;
  }
  return chunks;
}
