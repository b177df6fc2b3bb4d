import {
  escapeHtml,
  type FormattedText,
  type RenderedChunk,
  renderFormattedText,
} from "@openclaw/protocol/channel";

/** Matrix `org.matrix.custom.html`: <strong> <em> <del> <code> <pre><code class="language-x"> <a href>. */
export function renderMatrixHtml(ir: FormattedText): RenderedChunk {
  const text = renderFormattedText(
    ir,
    (span) => {
      switch (span.style) {
        case "bold":
          return { open: "<strong>", close: "</strong>" };
        case "italic":
          return { open: "<em>", close: "</em>" };
        case "strike":
          return { open: "<del>", close: "</del>" };
        case "code":
          return { open: "<code>", close: "</code>" };
        case "pre":
          return span.language
            ? { open: `<pre><code class="language-${escapeHtml(span.language)}">`, close: "</code></pre>" }
            : { open: "<pre><code>", close: "</code></pre>" };
        case "link":
          return { open: `<a href="${escapeHtml(span.href ?? "")}">`, close: "</a>" };
      }
    },
    (run, inside) =>
      inside.some((span) => span.style === "pre") ? escapeHtml(run) : escapeHtml(run).replace(/\n/g, "<br>"),
  );
  return { ir, text, parseMode: "html" };
}
