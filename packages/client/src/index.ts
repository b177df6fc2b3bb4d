export * from "./gateway-client.js";
export * from "./transport-error.js";
export * from "./version.js";
