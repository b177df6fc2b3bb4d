export * from "./auth-source.js";
export * from "./failover.js";
export * from "./model-ref.js";
export * from "./provider-registry.js";
export type * from "./runtime-config.js";
