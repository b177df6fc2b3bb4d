import { type FormattedText, type RenderedChunk, renderFormattedText } from "@openclaw/protocol/channel";

const escapeMarkdown = (text: string) => text.replace(/([\\*_~`[\]])/g, "\\$1");

/** Mattermost Markdown: **bold**, _italic_, ~~strike~~, `code`, fenced blocks, [label](url). */
export function renderMattermostMarkdown(ir: FormattedText): RenderedChunk {
  const text = renderFormattedText(
    ir,
    (span) => {
      switch (span.style) {
        case "bold":
          return { open: "**", close: "**" };
        case "italic":
          return { open: "_", close: "_" };
        case "strike":
          return { open: "~~", close: "~~" };
        case "code":
          return { open: "`", close: "`" };
        case "pre":
          return { open: `\`\`\`${span.language ?? ""}\n`, close: "\n```" };
        case "link":
          return { open: "[", close: `](${(span.href ?? "").replace(/\)/g, "%29")})` };
      }
    },
    (run, inside) =>
      inside.some((s) => s.style === "code" || s.style === "pre") ? run : escapeMarkdown(run),
  );
  return { ir, text, parseMode: "markdown" };
}
