export {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_AGENT_ID,
  DEFAULT_MAIN_KEY,
  normalizeAgentId,
  type PeerKind,
  type ResolvedRoute,
  type RouteInput,
  type RouteMatch,
  type RoutingBinding,
  type RoutingConfig,
  resolveAgentRoute,
  resolveDefaultAgentId,
} from "./resolve-route.js";
