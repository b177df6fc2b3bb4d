import { type FormattedText, type RenderedChunk, renderFormattedText } from "@openclaw/protocol/channel";

/**
 * WhatsApp markup: *bold*, _italic_, ~strike~, `code`, ```pre```; links as "label (url)" since
 * WhatsApp has no link markup (a bare URL when the label is the URL).
 */
export function renderWhatsAppText(ir: FormattedText): RenderedChunk {
  const text = renderFormattedText(ir, (span) => {
    switch (span.style) {
      case "bold":
        return { open: "*", close: "*" };
      case "italic":
        return { open: "_", close: "_" };
      case "strike":
        return { open: "~", close: "~" };
      case "code":
        return { open: "`", close: "`" };
      case "pre":
        return { open: "```", close: "```" };
      case "link": {
        const label = ir.text.slice(span.start, span.end);
        return label === span.href || !span.href
          ? { open: "", close: "" }
          : { open: "", close: ` (${span.href})` };
      }
    }
  });
  return { ir, text, parseMode: "markdown" };
}
