import type { FormattedText, RenderedChunk, StyleSpan } from "@openclaw/protocol/channel";

const STYLE: Partial<Record<StyleSpan["style"], string>> = {
  bold: "BOLD",
  italic: "ITALIC",
  strike: "STRIKETHROUGH",
  code: "MONOSPACE",
  pre: "MONOSPACE",
};

/**
 * Signal is plain text plus style ranges (`textStyle`: `start:length:STYLE`, UTF-16 offsets like
 * the IR). Links become "label (url)"; ranges after an inserted URL shift accordingly.
 */
export function renderSignal(ir: FormattedText): RenderedChunk & { styles: string[] } {
  const links = ir.spans
    .filter((s) => s.style === "link" && s.href && ir.text.slice(s.start, s.end) !== s.href)
    .sort((a, b) => a.end - b.end);
  let text = "";
  let pos = 0;
  const shifts: { at: number; by: number }[] = [];
  for (const link of links) {
    text += ir.text.slice(pos, link.end);
    const insert = ` (${link.href})`;
    text += insert;
    shifts.push({ at: link.end, by: insert.length });
    pos = link.end;
  }
  text += ir.text.slice(pos);
  const shift = (offset: number, isEnd: boolean) =>
    offset + shifts.filter((s) => (isEnd ? s.at < offset : s.at <= offset)).reduce((sum, s) => sum + s.by, 0);
  const styles: string[] = [];
  for (const span of ir.spans) {
    const style = STYLE[span.style];
    if (!style || span.end <= span.start) continue;
    const start = shift(span.start, false);
    const end = shift(span.end, true);
    styles.push(`${start}:${end - start}:${style}`);
  }
  return { ir, text, parseMode: "plain", styles };
}
