/**
 * `@openclaw/core/nodes`: the node pairing store (`<stateDir>/nodes/`). The gateway's node.*
 * methods and `openclaw nodes` (without a running gateway) use it; light (fs only, no zod).
 */
export {
  NODE_PAIRING_TTL_MS,
  type NodeMetadata,
  NodePairingStore,
  type PairedNode,
  type PendingNodeRequest,
} from "./store.js";
