import type { EventName, MethodHandler, MethodHandlers, MethodName } from "@openclaw/protocol";
import type { Assistant } from "../assistant.js";

/** Who made the call: the authenticated connection (or `http` for the gateway's HTTP endpoints). */
export interface MethodCaller {
  /** Connection id (`http` for a call made by an HTTP endpoint). */
  connId: string;
  /** `operator` or `node`. */
  role: string;
  /** Scopes granted at the handshake (the server's records, not what the client claimed). */
  scopes: ReadonlySet<string>;
  /** The paired device the connection authenticated as, if any. */
  deviceId?: string;
  /** `client.id` from the handshake. */
  clientId?: string;
}

/** The smallest logger the handlers need (pino's fits). */
export interface MethodLogger {
  debug(fields: Record<string, unknown>, message?: string): void;
  info(fields: Record<string, unknown>, message?: string): void;
  warn(fields: Record<string, unknown>, message?: string): void;
  error(fields: Record<string, unknown>, message?: string): void;
}

/**
 * What every gateway method handler gets besides its params. The gateway builds one per call; a
 * handler reaches the assistant only through `assistant()`, which creates core's assistant on the
 * first call that needs it (an idle gateway never builds it).
 */
export interface MethodContext {
  caller: MethodCaller;
  /** The effective config now (re-read on every call: hot reloads apply at once). */
  config(): Record<string, unknown>;
  stateDir: string;
  logger: MethodLogger;
  /** Send an event to every connected client whose scopes allow it. */
  broadcast(event: EventName, payload: unknown): void;
  /** The core assistant, created on first use. Rejects with `UNAVAILABLE` when none can run. */
  assistant(): Promise<Assistant>;
}

/** A handler of method `M` as a core capability writes it. */
export type CoreMethodHandler<M extends MethodName> = MethodHandler<M, MethodContext>;
/** A capability's handlers (`chatMethods`, `sessionsMethods`, …). */
export type CoreMethods = MethodHandlers<MethodContext>;
