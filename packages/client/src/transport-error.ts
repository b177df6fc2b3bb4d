const MARKER = Symbol.for("openclaw.transport-error");

/** Why a call did not get an answer from the gateway. */
export type TransportFailure =
  | "timeout"
  | "closed"
  | "connect-failed"
  | "not-connected"
  | "aborted"
  | "protocol";

/**
 * The network or the local client failed — as opposed to the gateway answering with an error,
 * which is an `OpenClawError`.
 */
export class GatewayTransportError extends Error {
  readonly [MARKER] = true;
  override readonly name: string = "GatewayTransportError";
  readonly reason: TransportFailure;
  readonly isRetryable: boolean;
  /** WebSocket close code when the socket closed. */
  readonly closeCode: number | undefined;

  constructor(
    reason: TransportFailure,
    message: string,
    options: { closeCode?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.isRetryable = reason !== "aborted" && reason !== "protocol";
    this.closeCode = options.closeCode;
  }

  static isInstance(error: unknown): error is GatewayTransportError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}
