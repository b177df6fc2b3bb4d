/** Version of @openclaw/core, injected at build time. */
export const VERSION: string =
  typeof __OPENCLAW_VERSION__ === "string" ? __OPENCLAW_VERSION__ : "0.0.0-source";
export * from "./agent/index.js";
export * from "./assistant.js";
export * from "./bus/index.js";
export {
  type AttachmentParam,
  DEFAULT_MEDIA_MAX_MB,
  IMAGE_MIME_TYPES,
  type ImageInput,
  imageAttachments,
  mediaMaxBytes,
} from "./chat/attachments.js";
export { COMMAND_ENTRY_TYPE, type CommandEntryData } from "./chat/command-reply.js";
export * from "./config/index.js";
export * from "./format/index.js";
export * from "./fs/index.js";
export * from "./inbound/index.js";
export * from "./methods/index.js";
export * from "./models/index.js";
export * from "./routing/index.js";
export * from "./state/index.js";
export * from "./tools/index.js";
export * from "./workspace/index.js";
