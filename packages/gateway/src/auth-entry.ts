/**
 * `@openclaw/gateway/auth`: how the gateway resolves its auth and bind settings, without the
 * server (no logger, no HTTP/WebSocket code) — for tools that prepare a gateway's config, such as
 * the CLI before it starts one.
 */
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
export { BIND_MODES, type BindMode, isLoopbackAddress, normalizeAddress, resolveBindHost } from "./net.js";
