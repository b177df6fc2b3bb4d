import { z } from "zod";
import { lazy } from "../lazy.js";
import { TEXT_STYLES } from "./formatted-text-render.js";

export { escapeHtml, renderFormattedText, TEXT_STYLES, type TextStyle } from "./formatted-text-render.js";

/**
 * The formatted-text IR: the host parses Markdown once into plain text plus style spans, chunks it
 * to a channel's limit, and each channel renders the IR into its own markup (Telegram HTML, Slack
 * mrkdwn, Discord markdown, plain text). Offsets are UTF-16 code units into `text`, end exclusive.
 */
export const StyleSpanSchema = lazy(() =>
  z.object({
    style: z.enum(TEXT_STYLES),
    start: z.number().int().nonnegative(),
    end: z.number().int().nonnegative(),
    /** `link` only: the target URL. */
    href: z.string().optional(),
    /** `pre` only: the fence's language tag, if any. */
    language: z.string().optional(),
  }),
);
export type StyleSpan = z.infer<typeof StyleSpanSchema>;

export const FormattedTextSchema = lazy(() =>
  z.object({
    text: z.string(),
    spans: z.array(StyleSpanSchema),
  }),
);
/** Plain text + style spans. Spans may nest (bold inside a link) but never partially overlap. */
export type FormattedText = z.infer<typeof FormattedTextSchema>;

/** A chunk ready to send: the IR slice and, once a channel rendered it, its markup. */
export interface RenderedChunk {
  /** The IR of this chunk (spans re-based to the chunk's text). */
  readonly ir: FormattedText;
  /** The channel's markup for this chunk (what goes over the wire). */
  readonly text: string;
  /** `html` | `markdown` | `mrkdwn` | `plain` — how `text` must be interpreted by the vendor API. */
  readonly parseMode: "html" | "markdown" | "mrkdwn" | "plain";
}
