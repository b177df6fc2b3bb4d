import { type FormattedText, type RenderedChunk, renderFormattedText } from "@openclaw/protocol/channel";

const escapeSlack = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Slack mrkdwn: *bold* _italic_ ~strike~ `code` ```pre``` <url|label>; &, <, > escaped. */
export function renderSlackMrkdwn(ir: FormattedText): RenderedChunk {
  const text = renderFormattedText(
    ir,
    (span) => {
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
          return { open: "```\n", close: "\n```" };
        case "link":
          return { open: `<${escapeSlack(span.href ?? "").replace(/\|/g, "%7C")}|`, close: ">" };
      }
    },
    escapeSlack,
  );
  return { ir, text, parseMode: "mrkdwn" };
}
