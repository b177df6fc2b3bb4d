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

/** Builds the IR text and spans from markdown-it tokens (block tokens in order, inline children). */
class IRWriter {
  out = "";
  readonly spans: StyleSpan[] = [];
  private readonly open: { style: TextStyle; start: number; href?: string }[] = [];
  private readonly lists: { ordered: boolean; next: number }[] = [];
  private quoteDepth = 0;
  private table: string[][] | null = null;
  private row: string[] | null = null;

  constructor(private readonly tables: TableMode) {}

  private separate() {
    if (this.out.length === 0) return;
    const sep = this.lists.length > 0 ? "\n" : "\n\n";
    this.out = this.out.replace(/[ \t]*\n*$/, "");
    this.out += sep;
  }

  private pushSpan(style: TextStyle, start: number, extra: Partial<StyleSpan> = {}) {
    if (this.out.length > start) this.spans.push({ style, start, end: this.out.length, ...extra });
  }

  private openStyle(style: TextStyle, href?: string) {
    this.open.push({ style, start: this.out.length, href });
  }

  private closeStyle(style: TextStyle) {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const entry = this.open[i];
      if (entry?.style === style) {
        this.open.splice(i, 1);
        this.pushSpan(style, entry.start, entry.href !== undefined ? { href: entry.href } : {});
        return;
      }
    }
  }

  private quotePrefix() {
    return this.quoteDepth > 0 ? "> ".repeat(this.quoteDepth) : "";
  }

  /** Text and inline styles of a paragraph, heading or list item. */
  private inline(children: Token[]) {
    const styles: Record<string, [TextStyle, "open" | "close"]> = {
      strong_open: ["bold", "open"],
      strong_close: ["bold", "close"],
      em_open: ["italic", "open"],
      em_close: ["italic", "close"],
      s_open: ["strike", "open"],
      s_close: ["strike", "close"],
      link_close: ["link", "close"],
    };
    for (const t of children) {
      const style = styles[t.type];
      if (style) {
        if (style[1] === "open") this.openStyle(style[0]);
        else this.closeStyle(style[0]);
        continue;
      }
      if (t.type === "softbreak" || t.type === "hardbreak") this.out += `\n${this.quotePrefix()}`;
      else if (t.type === "link_open") this.openStyle("link", String(t.attrGet("href") ?? ""));
      else if (t.type === "code_inline") {
        const start = this.out.length;
        this.out += t.content;
        this.pushSpan("code", start);
      } else if (t.type === "image") {
        const start = this.out.length;
        this.out += t.content || String(t.attrGet("src") ?? "image");
        this.pushSpan("link", start, { href: String(t.attrGet("src") ?? "") });
      } else this.out += t.content;
    }
  }

  /** Inside a table: collect its cells; true when the token belonged to the table. */
  private tableToken(token: Token): boolean {
    if (!this.table) return false;
    if (token.type === "tr_open") this.row = [];
    else if (token.type === "inline" && this.row) this.row.push(inlineText(token.children ?? []));
    else if (token.type === "tr_close" && this.row) this.table.push(this.row);
    else if (token.type === "table_close") {
      this.emitTable(this.table);
      this.table = null;
    }
    return true;
  }

  /** Lists and quotes: markers, indentation and `>` prefixes. */
  private structureToken(token: Token): boolean {
    switch (token.type) {
      case "bullet_list_open":
      case "ordered_list_open":
        if (this.lists.length === 0) this.separate();
        this.lists.push({
          ordered: token.type === "ordered_list_open",
          next: Number(token.attrGet("start") ?? 1),
        });
        return true;
      case "bullet_list_close":
      case "ordered_list_close":
        this.lists.pop();
        return true;
      case "list_item_open": {
        if (this.out.length > 0 && !this.out.endsWith("\n")) this.out += "\n";
        const list = this.lists[this.lists.length - 1];
        const indent = "  ".repeat(Math.max(0, this.lists.length - 1));
        const marker = list?.ordered ? `${list.next++}. ` : "• ";
        this.out += this.quotePrefix() + indent + marker;
        return true;
      }
      case "blockquote_open":
        this.separate();
        this.quoteDepth++;
        return true;
      case "blockquote_close":
        this.quoteDepth--;
        return true;
      default:
        return false;
    }
  }

  token(token: Token): void {
    if (this.tableToken(token) || this.structureToken(token)) return;
    switch (token.type) {
      case "table_open":
        this.table = [];
        break;
      case "paragraph_open":
        if (!token.hidden) this.separate();
        this.out += this.quotePrefix();
        break;
      case "heading_open":
        this.separate();
        this.openStyle("bold");
        break;
      case "heading_close":
        this.closeStyle("bold");
        break;
      case "inline":
        this.inline(token.children ?? []);
        break;
      case "fence":
      case "code_block": {
        this.separate();
        const start = this.out.length;
        this.out += token.content.replace(/\n$/, "");
        const language = token.info.trim().split(/\s+/)[0];
        this.pushSpan("pre", start, language ? { language } : {});
        break;
      }
      case "hr":
        this.separate();
        this.out += "———";
        break;
      case "html_block":
        this.separate();
        this.out += token.content.replace(/\n$/, "");
        break;
      default:
        break;
    }
  }

  private emitTable(rows: string[][]) {
    this.separate();
    if (this.tables === "bullets") {
      const [head, ...body] = rows;
      this.out += body
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
    const start = this.out.length;
    this.out += lines.join("\n");
    if (this.tables === "code") this.pushSpan("pre", start);
  }

  result(): FormattedText {
    const trimmed = this.out.replace(/\s+$/, "");
    return {
      text: trimmed,
      spans: this.spans
        .map((s) => ({ ...s, end: Math.min(s.end, trimmed.length) }))
        .filter((s) => s.end > s.start)
        .sort((a, b) => a.start - b.start || b.end - a.end),
    };
  }
}

function inlineText(children: Token[]): string {
  return children.map((c) => (c.type === "softbreak" || c.type === "hardbreak" ? " " : c.content)).join("");
}

/**
 * Parse Markdown (what models write) into the formatted-text IR: plain text with bold / italic /
 * strike / code / pre / link spans. Headings become bold lines, list items get `•` or `n.` prefixes,
 * fences become `pre` spans carrying their language.
 */
export function markdownToIR(markdown: string, options: MarkdownToIROptions = {}): FormattedText {
  const writer = new IRWriter(options.tables ?? "code");
  for (const token of markdownParser().parse(markdown, {})) writer.token(token);
  return writer.result();
}
