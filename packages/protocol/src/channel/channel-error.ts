const MARKER = Symbol.for("openclaw.channel-error");

/**
 * What went wrong talking to a vendor. The host decides retries from `code`:
 * - `NOT_SENT`: the vendor did not take the message (connect refused, 429, validation) — safe to retry.
 * - `AMBIGUOUS`: the request may have been processed (connection dropped after the request was
 *   written, timeout, 5xx). Retried only when the channel's sends are idempotent.
 * - `REJECTED`: the vendor refused for good (chat not found, bot blocked) — never retried.
 * - `UNAUTHORIZED`: bad credentials — the account stops without a reconnect loop.
 */
export type ChannelErrorCode = "NOT_SENT" | "AMBIGUOUS" | "REJECTED" | "UNAUTHORIZED";

export class ChannelError extends Error {
  readonly [MARKER] = true;
  readonly code: ChannelErrorCode;
  /** Vendor's retry_after, in ms, when it gave one. */
  readonly retryAfterMs?: number;
  /** Vendor's HTTP status / error code, for logs. */
  readonly vendorStatus?: number | string;

  constructor(
    code: ChannelErrorCode,
    message: string,
    options: { retryAfterMs?: number; vendorStatus?: number | string; cause?: unknown } = {},
  ) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = "ChannelError";
    this.code = code;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.vendorStatus !== undefined) this.vendorStatus = options.vendorStatus;
  }

  get isRetryable(): boolean {
    return this.code === "NOT_SENT";
  }

  static isInstance(value: unknown): value is ChannelError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}
