/**
 * `@openclaw/protocol/base`: the part of the protocol that needs no zod — size and timing
 * constants, protocol versions, scopes, session keys, base64/hex encoding, device identity and
 * proofs, the error codes and `OpenClawError`, the connect-error helpers and the two-phase answer marker (`withFinalResult`). A server that must stay small while idle (the gateway
 * with no client connected) imports this entry and loads the main entry (schemas, registries,
 * frame parsing) only when a client arrives. Everything here is also exported by the main entry.
 *
 * Keep it zod-free: `base.test.ts` walks the import graph of this file and fails if `zod` is
 * reachable through a value import.
 */
export * from "./connect-errors.js";
export * from "./device-auth.js";
export * from "./encoding.js";
export * from "./error-codes.js";
export * from "./limits.js";
export * from "./scopes.js";
export * from "./session-key.js";
export * from "./two-phase.js";
export * from "./version.js";
