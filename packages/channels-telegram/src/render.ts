import {
  escapeHtml,
  type FormattedText,
  type RenderedChunk,
  renderFormattedText,
} from "@openclaw/protocol/channel";

/** Telegram HTML (`parse_mode: "HTML"`): <b> <i> <s> <code> <pre><code class="language-x"> <a href>. */
export function renderTelegramHtml(ir: FormattedText): RenderedChunk {
  const text = renderFormattedText(
    ir,
    (span) => {
      switch (span.style) {
        case "bold":
          return { open: "<b>", close: "</b>" };
        case "italic":
          return { open: "<i>", close: "</i>" };
        case "strike":
          return { open: "<s>", close: "</s>" };
        case "code":
          return { open: "<code>", close: "</code>" };
        case "pre":
          return span.language
            ? { open: `<pre><code class="language-${escapeHtml(span.language)}">`, close: "</code></pre>" }
            : { open: "<pre>", close: "</pre>" };
        case "link":
          return { open: `<a href="${escapeHtml(span.href ?? "")}">`, close: "</a>" };
      }
    },
    escapeHtml,
  );
  return { ir, text, parseMode: "html" };
}
