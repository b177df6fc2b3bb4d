import { createRequire } from "node:module";
import type { FormattedText, StyleSpan, TextStyle } from "@openclaw/protocol";
import type MarkdownIt from "markdown-it";

type Parser = InstanceType<typeof MarkdownIt>;
type Token = ReturnType<Parser["parse"]>[number];

/** How Markdown tables are rendered (`channels.<id>.markdown.tables`): as a code block, bullets, or left as text. */
export type TableMode = "code" | "bullets" | "off";

export interface MarkdownToIROptions {
  tables?: TableMode;
}

let parser: Parser | undefined;

/**
 * markdown-it (~10 MB resident once loaded) is required on the first formatting call, not at import:
 * a gateway with no channel replying never pays for it. The API stays synchronous.
 */
function markdownParser(): Parser {
  if (!parser) {
    const loaded = createRequire(import.meta.url)("markdown-it") as
      | typeof MarkdownIt
      | { default: typeof MarkdownIt };
    const MarkdownItClass = "default" in loaded ? loaded.default : loaded;
    parser = new MarkdownItClass("default", { html: false, linkify: false, typographer: false });
  }
  return parser;
}

/**
 * Parse Markdown (what models write) into the formatted-text IR: plain text with bold / italic /
 * strike / code / pre / link spans. Headings become bold lines, list items get `•` or `n.` prefixes,
 * fences become `pre` spans carrying their language.
 */
export function markdownToIR(markdown: string, options: MarkdownToIROptions = {}): FormattedText {
  const tables = options.tables ?? "code";
  const tokens = markdownParser().parse(markdown, {});
  let out = "";
  const spans: StyleSpan[] = [];
  const open: { style: TextStyle; start: number; href?: string }[] = [];
  const lists: { ordered: boolean; next: number }[] = [];
  let quoteDepth = 0;
  let table: string[][] | null = null;
  let row: string[] | null = null;

  const separate = () => {
    if (out.length === 0) return;
    const sep = lists.length > 0 ? "\n" : "\n\n";
    out = out.replace(/[ \t]*\n*$/, "");
    out += sep;
  };
  const pushSpan = (style: TextStyle, start: number, extra: Partial<StyleSpan> = {}) => {
    if (out.length > start) spans.push({ style, start, end: out.length, ...extra });
  };
  const openStyle = (style: TextStyle, href?: string) => open.push({ style, start: out.length, href });
  const closeStyle = (style: TextStyle) => {
    for (let i = open.length - 1; i >= 0; i--) {
      const entry = open[i];
      if (entry?.style === style) {
        open.splice(i, 1);
        pushSpan(style, entry.start, entry.href !== undefined ? { href: entry.href } : {});
        return;
      }
    }
  };
  const quotePrefix = () => (quoteDepth > 0 ? "> ".repeat(quoteDepth) : "");

  const inline = (children: Token[]) => {
    for (const t of children) {
      switch (t.type) {
        case "text":
          out += t.content;
          break;
        case "softbreak":
        case "hardbreak":
          out += `\n${quotePrefix()}`;
          break;
        case "code_inline": {
          const start = out.length;
          out += t.content;
          pushSpan("code", start);
          break;
        }
        case "strong_open":
          openStyle("bold");
          break;
        case "strong_close":
          closeStyle("bold");
          break;
        case "em_open":
          openStyle("italic");
          break;
        case "em_close":
          closeStyle("italic");
          break;
        case "s_open":
          openStyle("strike");
          break;
        case "s_close":
          closeStyle("strike");
          break;
        case "link_open":
          openStyle("link", String(t.attrGet("href") ?? ""));
          break;
        case "link_close":
          closeStyle("link");
          break;
        case "image": {
          const start = out.length;
          out += t.content || String(t.attrGet("src") ?? "image");
          pushSpan("link", start, { href: String(t.attrGet("src") ?? "") });
          break;
        }
        default:
          out += t.content;
      }
    }
  };

  const inlineText = (children: Token[]): string =>
    children.map((c) => (c.type === "softbreak" || c.type === "hardbreak" ? " " : c.content)).join("");

  for (const token of tokens) {
    if (table) {
      if (token.type === "tr_open") row = [];
      else if (token.type === "inline" && row) row.push(inlineText(token.children ?? []));
      else if (token.type === "tr_close" && row) table.push(row);
      else if (token.type === "table_close") {
        emitTable(table);
        table = null;
      }
      continue;
    }
    switch (token.type) {
      case "table_open":
        table = [];
        break;
      case "paragraph_open":
        if (!token.hidden) separate();
        out += quotePrefix();
        break;
      case "heading_open":
        separate();
        openStyle("bold");
        break;
      case "heading_close":
        closeStyle("bold");
        break;
      case "inline":
        inline(token.children ?? []);
        break;
      case "bullet_list_open":
      case "ordered_list_open":
        if (lists.length === 0) separate();
        lists.push({
          ordered: token.type === "ordered_list_open",
          next: Number(token.attrGet("start") ?? 1),
        });
        break;
      case "bullet_list_close":
      case "ordered_list_close":
        lists.pop();
        break;
      case "list_item_open": {
        if (out.length > 0 && !out.endsWith("\n")) out += "\n";
        const list = lists[lists.length - 1];
        const indent = "  ".repeat(Math.max(0, lists.length - 1));
        const marker = list?.ordered ? `${list.next++}. ` : "• ";
        out += quotePrefix() + indent + marker;
        break;
      }
      case "blockquote_open":
        separate();
        quoteDepth++;
        break;
      case "blockquote_close":
        quoteDepth--;
        break;
      case "fence":
      case "code_block": {
        separate();
        const start = out.length;
        out += token.content.replace(/\n$/, "");
        const language = token.info.trim().split(/\s+/)[0];
        pushSpan("pre", start, language ? { language } : {});
        break;
      }
      case "hr":
        separate();
        out += "———";
        break;
      case "html_block":
        separate();
        out += token.content.replace(/\n$/, "");
        break;
      default:
        break;
    }
  }

  function emitTable(rows: string[][]) {
    separate();
    if (tables === "bullets") {
      const [head, ...body] = rows;
      out += body
        .map((r) => `• ${r.map((cell, i) => (head?.[i] ? `${head[i]}: ${cell}` : cell)).join(", ")}`)
        .join("\n");
      return;
    }
    const widths: number[] = [];
    for (const r of rows) {
      for (const [i, cell] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
    }
    const lines = rows.map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join(" | ")
        .trimEnd(),
    );
    if (lines.length > 1) lines.splice(1, 0, widths.map((w) => "-".repeat(Math.max(3, w))).join("-|-"));
    const start = out.length;
    out += lines.join("\n");
    if (tables === "code") pushSpan("pre", start);
  }

  const trimmed = out.replace(/\s+$/, "");
  return {
    text: trimmed,
    spans: spans
      .map((s) => ({ ...s, end: Math.min(s.end, trimmed.length) }))
      .filter((s) => s.end > s.start)
      .sort((a, b) => a.start - b.start || b.end - a.end),
  };
}
