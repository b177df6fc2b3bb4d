/** Version of @openclaw/gateway, injected at build time. */
export const VERSION: string =
  typeof __OPENCLAW_VERSION__ === "string" ? __OPENCLAW_VERSION__ : "0.0.0-source";

/** Device proofs are checked by the protocol package's implementation (re-exported for convenience). */
export { deviceIdFromPublicKey, verifyDeviceProof } from "@openclaw/protocol/base";
export {
  type AuthOverrides,
  type GatewayAuthMode,
  generateGatewayToken,
  needsGeneratedToken,
  type ResolvedAuth,
  resolveAuth,
  resolveListenHost,
  safeEqual,
} from "./auth.js";
export { getPath } from "./config-path.js";
export {
  authorizeRequest,
  type CloseOptions,
  createGateway,
  type Gateway,
  type GatewayAddress,
  type GatewayOptions,
  GatewayStartError,
} from "./gateway.js";
export { type GatewayLockInfo, lockPath, readGatewayLock } from "./lock.js";
export {
  createGatewayLogger,
  defaultLogFile,
  type GatewayLoggerOptions,
  type Logger,
  prettyLine,
  tailLogFile,
} from "./logging.js";
export type {
  GatewayCapability,
  GatewayMethodContext,
  GatewayMethodHandler,
  GatewayMethods,
} from "./methods/index.js";
export {
  BIND_MODES,
  type BindMode,
  clientAddress,
  isLoopbackAddress,
  normalizeAddress,
  PROXIED_ADDRESS,
  resolveBindHost,
  wsUrl,
} from "./net.js";
export * from "./types.js";
export {
  createMemoryAssistant,
  createUnconfiguredAssistant,
  type MemoryAssistantOptions,
  MISSING_PROVIDER_REPLY,
} from "./unconfigured-assistant.js";
export { handleWebChatRequest, WEBCHAT_HTML, WEBCHAT_JS, WEBCHAT_PATH } from "./webchat/webchat-page.js";
