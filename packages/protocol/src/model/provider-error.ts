import { type ErrorCode, OpenClawError } from "../error-codes.js";

/**
 * What went wrong with a model call. Core's failover classifies on this:
 * `auth`, `rate_limit`, `timeout`, `server`, `network` rotate auth profiles / walk fallbacks;
 * `billing` disables the profile for longer; `context_length` triggers compaction + one retry;
 * `invalid_request`, `refusal`, `aborted`, `invalid_response` never fail over.
 */
export const PROVIDER_ERROR_KINDS = [
  "auth",
  "rate_limit",
  "timeout",
  "server",
  "billing",
  "context_length",
  "invalid_request",
  "refusal",
  "network",
  "aborted",
  /** The model produced output we cannot use (e.g. tool-call arguments that are not JSON). */
  "invalid_response",
] as const;
export type ProviderErrorKind = (typeof PROVIDER_ERROR_KINDS)[number];

const RETRYABLE_BY_KIND: Record<ProviderErrorKind, boolean> = {
  auth: false,
  rate_limit: true,
  timeout: true,
  server: true,
  billing: false,
  context_length: false,
  invalid_request: false,
  refusal: false,
  network: true,
  aborted: false,
  invalid_response: true,
};

const CODE_BY_KIND: Record<ProviderErrorKind, ErrorCode> = {
  auth: "FORBIDDEN",
  billing: "FORBIDDEN",
  rate_limit: "UNAVAILABLE",
  timeout: "UNAVAILABLE",
  server: "UNAVAILABLE",
  network: "UNAVAILABLE",
  aborted: "UNAVAILABLE",
  invalid_response: "UNAVAILABLE",
  context_length: "INVALID_REQUEST",
  invalid_request: "INVALID_REQUEST",
  refusal: "INVALID_REQUEST",
};

const PROVIDER_MARKER = Symbol.for("openclaw.provider-error");

export interface ProviderErrorOptions {
  /** Provider id (`openai`, `anthropic`, custom id...). */
  provider?: string;
  /** HTTP status when the vendor answered with one. */
  status?: number;
  /** Overrides the kind's default retryability. */
  isRetryable?: boolean;
  /** From `Retry-After` / `retry-after-ms` headers or the vendor's body. */
  retryAfterMs?: number;
  /** The vendor's own error message (unchanged), when there is one. */
  providerMessage?: string;
  /** The vendor's own error type/code string (e.g. `rate_limit_error`, `context_length_exceeded`). */
  providerCode?: string;
  /** Raw response body text (truncated) for logs. */
  responseBody?: string;
  details?: unknown;
  cause?: unknown;
}

/**
 * A model call failed. `kind` says why (the failover logic classifies on it); `status` and
 * `providerMessage` keep what the vendor said. "The vendor answered with an error" has a
 * `status`; "the network failed" has kind `network`/`timeout` and no status.
 */
export class ProviderError extends OpenClawError {
  protected readonly [PROVIDER_MARKER] = true;
  override readonly name: string = "ProviderError";
  readonly kind: ProviderErrorKind;
  readonly provider: string | undefined;
  readonly status: number | undefined;
  readonly providerMessage: string | undefined;
  readonly providerCode: string | undefined;
  readonly responseBody: string | undefined;

  constructor(kind: ProviderErrorKind, message: string, options: ProviderErrorOptions = {}) {
    super(CODE_BY_KIND[kind], message, {
      details: options.details ?? { kind, status: options.status, provider: options.provider },
      retryable: options.isRetryable ?? RETRYABLE_BY_KIND[kind],
      retryAfterMs: options.retryAfterMs,
      cause: options.cause,
    });
    this.kind = kind;
    this.provider = options.provider;
    this.status = options.status;
    this.providerMessage = options.providerMessage;
    this.providerCode = options.providerCode;
    this.responseBody = options.responseBody;
  }

  /** True for any ProviderError, even one from another copy of this package. */
  static override isInstance(error: unknown): error is ProviderError {
    return (
      typeof error === "object" &&
      error !== null &&
      (error as Record<symbol, unknown>)[PROVIDER_MARKER] === true
    );
  }

  /** Default retryability of a kind. */
  static isRetryableKind(kind: ProviderErrorKind): boolean {
    return RETRYABLE_BY_KIND[kind];
  }
}

/**
 * Parse a `Retry-After` header (delta-seconds or an HTTP date) and the non-standard
 * `retry-after-ms` header into milliseconds. Returns undefined when absent or unparsable.
 */
export function parseRetryAfter(
  headers: { get(name: string): string | null } | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "") {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  }
  const raw = headers.get("retry-after");
  if (raw === null || raw.trim() === "") return undefined;
  const trimmed = raw.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
