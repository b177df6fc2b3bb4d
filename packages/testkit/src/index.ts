/** Version of @openclaw/testkit, injected at build time. */
export const VERSION: string =
  typeof __OPENCLAW_VERSION__ === "string" ? __OPENCLAW_VERSION__ : "0.0.0-source";
export * from "./channels/index.js";
export * from "./gateway-fake.js";
export * from "./net.js";
export * from "./providers/index.js";
