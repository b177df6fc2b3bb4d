import { type FormattedText, type RenderedChunk, renderFormattedText } from "@openclaw/protocol/channel";

const escapeDiscord = (text: string) => text.replace(/([\\*_~`|>[\]])/g, "\\$1");

/** Discord markdown: **bold** *italic* ~~strike~~ `code` ```lang fences``` [label](url); literal markup escaped. */
export function renderDiscordMarkdown(ir: FormattedText): RenderedChunk {
  const text = renderFormattedText(
    ir,
    (span) => {
      switch (span.style) {
        case "bold":
          return { open: "**", close: "**" };
        case "italic":
          return { open: "*", close: "*" };
        case "strike":
          return { open: "~~", close: "~~" };
        case "code":
          return { open: "`", close: "`" };
        case "pre":
          return { open: `\`\`\`${span.language ?? ""}\n`, close: "\n```" };
        case "link":
          return { open: "[", close: `](<${span.href ?? ""}>)` };
      }
    },
    (run, inside) =>
      inside.some((s) => s.style === "code" || s.style === "pre")
        ? run.replace(/`/g, "ˋ")
        : escapeDiscord(run),
  );
  return { ir, text, parseMode: "markdown" };
}
