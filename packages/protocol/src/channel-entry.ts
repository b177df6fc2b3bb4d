/**
 * `@openclaw/protocol/channel`: what a channel plugin and the host's channel side need at run time
 * without zod — `ChannelError`, the `ChannelPluginV1` contract and its check, the formatted-text
 * IR's renderer, chat types, the capped media download helpers, and `checkInboundMessage` (a
 * well-formed inbound message checked without zod). A gateway with channels connected loads this
 * entry; the schema that explains why an inbound message is malformed (`InboundMessageSchema`,
 * main entry) loads with the first message the check refuses. Everything here is also
 * exported by the main entry, except `routeLibraryConsole` (Node only: it
 * wraps the process console; the main entry is also loaded by browsers).
 *
 * Keep it zod-free: `channel-entry.test.ts` walks its import graph.
 */
export * from "./channel/channel-error.js";
export { CHAT_TYPES, type ChatType } from "./channel/chat-types.js";
export * from "./channel/config-shape.js";
export type { FormattedText, RenderedChunk, StyleSpan } from "./channel/formatted-text.js";
export {
  escapeHtml,
  renderFormattedText,
  TEXT_STYLES,
  type TextStyle,
} from "./channel/formatted-text-render.js";
export { checkInboundMessage } from "./channel/inbound-check.js";
export type {
  InboundMedia,
  InboundMessage,
  InboundMessageInput,
  InboundSender,
} from "./channel/inbound-message.js";
export * from "./channel/library-console.js";
export * from "./channel/media-download.js";
export * from "./channel/plugin-v1.js";
