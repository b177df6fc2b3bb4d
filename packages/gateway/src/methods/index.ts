import { channelsMethods } from "./channels.js";
import { configMethods } from "./config.js";
import type { GatewayMethods } from "./context.js";
import { devicesMethods } from "./devices.js";
import { execApprovalsMethods } from "./exec-approvals.js";
import { nodesMethods } from "./nodes.js";
import { systemMethods } from "./system.js";

export type {
  GatewayCapability,
  GatewayMethodContext,
  GatewayMethodHandler,
  GatewayMethods,
} from "./context.js";

/**
 * The methods the gateway itself answers (its own state: health, status, logs, presence, config,
 * devices, channels). The assistant's capabilities (chat, agent, sessions, models, wake, …) come
 * from `GatewayOptions.assistant.methods` and `GatewayOptions.capabilities`.
 */
export const gatewayMethods: GatewayMethods = {
  ...systemMethods,
  ...configMethods,
  ...devicesMethods,
  ...channelsMethods,
  ...nodesMethods,
  ...execApprovalsMethods,
};
