const MARKER = Symbol.for("openclaw.core.StateError");

export type StateErrorCode =
  | "STATE_SESSION_NOT_FOUND"
  | "STATE_SESSION_EXISTS"
  /** Another process is the writer of this session (or holds the index lock too long). */
  | "STATE_LOCKED"
  | "STATE_BUNDLE_INVALID"
  | "STATE_INVALID_KEY"
  | "STATE_PAIRING_LIMIT";

/** Every state-layer failure. Check with `StateError.isInstance(e)`. */
export class StateError extends Error {
  readonly [MARKER] = true;
  readonly code: StateErrorCode;
  constructor(code: StateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StateError";
    this.code = code;
  }
  get isRetryable(): boolean {
    return this.code === "STATE_LOCKED";
  }
  static isInstance(error: unknown): error is StateError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}
