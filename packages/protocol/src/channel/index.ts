export * from "./channel-error.js";
export * from "./config-shape.js";
export * from "./formatted-text.js";
export * from "./inbound-check.js";
export * from "./inbound-message.js";
export * from "./media-download.js";
export * from "./plugin-v1.js";
