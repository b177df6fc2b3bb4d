import type { FormattedText, StyleSpan } from "./formatted-text.js";

// The formatted-text IR's constants and renderer without its zod schemas (formatted-text.ts), so a
// channel can render without loading zod (`@openclaw/protocol/channel`).

export const TEXT_STYLES = ["bold", "italic", "strike", "code", "pre", "link"] as const;
export type TextStyle = (typeof TEXT_STYLES)[number];

/** Escape for Telegram/HTML style markup. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * Render an IR with per-style open/close tags. Spans are opened in start order (longest first on
 * ties) and closed in reverse, so nested spans produce well-formed markup. `escapeText` is applied
 * to text runs only and receives the spans enclosing the run (no escaping inside code, say). Channels use this to build their renderers in a few lines.
 */
export function renderFormattedText(
  ir: FormattedText,
  tags: (span: StyleSpan) => { open: string; close: string },
  escapeText: (text: string, inside: readonly StyleSpan[]) => string = (t) => t,
): string {
  const spans = [...ir.spans]
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  let out = "";
  let pos = 0;
  const stack: { span: StyleSpan; close: string }[] = [];
  let i = 0;
  const emit = (to: number) => {
    if (to > pos) {
      out += escapeText(
        ir.text.slice(pos, to),
        stack.map((entry) => entry.span),
      );
      pos = to;
    }
  };
  while (pos < ir.text.length || stack.length > 0 || i < spans.length) {
    const nextOpen = i < spans.length ? (spans[i] as StyleSpan).start : Number.POSITIVE_INFINITY;
    const top = stack[stack.length - 1];
    const nextClose = top ? top.span.end : Number.POSITIVE_INFINITY;
    if (nextClose <= nextOpen && top) {
      emit(Math.min(nextClose, ir.text.length));
      out += top.close;
      stack.pop();
      continue;
    }
    if (nextOpen !== Number.POSITIVE_INFINITY) {
      const span = spans[i++] as StyleSpan;
      emit(Math.min(span.start, ir.text.length));
      const t = tags(span);
      out += t.open;
      // A span crossing its parent's end is clipped to the parent so markup stays well formed.
      const parent = stack[stack.length - 1];
      const clipped = parent && span.end > parent.span.end ? { ...span, end: parent.span.end } : span;
      stack.push({ span: clipped, close: t.close });
      continue;
    }
    emit(ir.text.length);
    break;
  }
  return out;
}
