// The protocol's error codes and its one error class, without zod: part of
// `@openclaw/protocol/base`, so a client that must stay small (a node) can throw and recognise
// `OpenClawError` without loading the schemas. `errors.ts` adds `ErrorShapeSchema`.

/** Top-level `error.code` values of the Gateway protocol (OpenClaw `ErrorCodes`). */
export const ERROR_CODES = [
  "INVALID_REQUEST",
  "UNAVAILABLE",
  "NOT_PAIRED",
  "NOT_LINKED",
  "AGENT_TIMEOUT",
  "FORBIDDEN",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Machine-readable reasons carried in `error.details.code`. The connect-failure codes are
 * OpenClaw's; `PROTOCOL_MISMATCH`, `MISSING_SCOPE` and the `*_METHOD`/`*_PARAMS`/`FRAME_*` codes
 * are the ones real gateways send for protocol-level failures.
 */
export const ERROR_DETAIL_CODES = [
  // connect / auth
  "AUTH_REQUIRED",
  "AUTH_UNAUTHORIZED",
  "AUTH_TOKEN_MISSING",
  "AUTH_TOKEN_MISMATCH",
  "AUTH_TOKEN_NOT_CONFIGURED",
  "AUTH_PASSWORD_MISSING",
  "AUTH_PASSWORD_MISMATCH",
  "AUTH_PASSWORD_NOT_CONFIGURED",
  "AUTH_BOOTSTRAP_TOKEN_INVALID",
  "AUTH_DEVICE_TOKEN_MISMATCH",
  "AUTH_DEVICE_TOKEN_SCOPE_MISMATCH",
  "AUTH_RATE_LIMITED",
  "AUTH_TAILSCALE_IDENTITY_MISSING",
  "AUTH_TAILSCALE_PROXY_MISSING",
  "AUTH_TAILSCALE_WHOIS_FAILED",
  "AUTH_TAILSCALE_IDENTITY_MISMATCH",
  "CONTROL_UI_ORIGIN_NOT_ALLOWED",
  "CONTROL_UI_DEVICE_IDENTITY_REQUIRED",
  "DEVICE_IDENTITY_REQUIRED",
  "DEVICE_AUTH_INVALID",
  "DEVICE_AUTH_DEVICE_ID_MISMATCH",
  "DEVICE_AUTH_SIGNATURE_EXPIRED",
  "DEVICE_AUTH_NONCE_REQUIRED",
  "DEVICE_AUTH_NONCE_MISMATCH",
  "DEVICE_AUTH_SIGNATURE_INVALID",
  "DEVICE_AUTH_PUBLIC_KEY_INVALID",
  "PAIRING_REQUIRED",
  // handshake / framing
  "PROTOCOL_MISMATCH",
  "HANDSHAKE_REQUIRED",
  "FRAME_INVALID_JSON",
  "FRAME_INVALID",
  "FRAME_TOO_LARGE",
  "FRAME_BINARY",
  // dispatch
  "UNKNOWN_METHOD",
  "INVALID_PARAMS",
  "MISSING_SCOPE",
  "STARTUP_SIDECARS",
] as const;
export type ErrorDetailCode = (typeof ERROR_DETAIL_CODES)[number];

/** Connect-failure detail codes (subset of {@link ERROR_DETAIL_CODES}). */
export const CONNECT_ERROR_DETAIL_CODES = ERROR_DETAIL_CODES.slice(
  0,
  ERROR_DETAIL_CODES.indexOf("PAIRING_REQUIRED") + 1,
) as readonly ErrorDetailCode[];

/** `details.recommendedNextStep` values sent with auth failures. */
export const RECOMMENDED_NEXT_STEPS = [
  "retry_with_device_token",
  "update_auth_configuration",
  "update_auth_credentials",
  "wait_then_retry",
  "review_auth_configuration",
] as const;
export type RecommendedNextStep = (typeof RECOMMENDED_NEXT_STEPS)[number];

/** `details.reason` of a `PAIRING_REQUIRED` failure. */
export const PAIRING_REASONS = ["not-paired", "role-upgrade", "scope-upgrade", "metadata-upgrade"] as const;
export type PairingReason = (typeof PAIRING_REASONS)[number];

/**
 * `ErrorShape` as it travels in `res.error`. `code` stays an open string on the wire so a
 * client keeps working when a newer server adds a code; {@link OpenClawError} narrows it.
 * (`ErrorShapeSchema` in the main entry validates it.)
 */
export interface ErrorShape {
  code: string;
  message: string;
  details?: unknown;
  retryable?: boolean | undefined;
  retryAfterMs?: number | undefined;
}

/** WebSocket close codes the gateway and the reference client use. */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  serviceRestart: 1012,
  /** Client-side: no traffic for two tick intervals. */
  tickTimeout: 4000,
} as const;

const MARKER = Symbol.for("openclaw.error");
const DEFAULT_RETRYABLE: Record<ErrorCode, boolean> = {
  INVALID_REQUEST: false,
  UNAVAILABLE: true,
  NOT_PAIRED: false,
  NOT_LINKED: false,
  AGENT_TIMEOUT: true,
  FORBIDDEN: false,
};

export interface OpenClawErrorOptions {
  details?: unknown;
  retryable?: boolean;
  retryAfterMs?: number;
  cause?: unknown;
  /** The code the remote sent when it is not one of {@link ERROR_CODES}. */
  remoteCode?: string;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * The one error class of the protocol: the remote (or the local protocol layer) answered with a
 * protocol error. Network failures are a different thing (see `GatewayTransportError` in
 * `@openclaw/client`).
 */
export class OpenClawError extends Error {
  readonly [MARKER] = true;
  override readonly name: string = "OpenClawError";
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly isRetryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly remoteCode: string | undefined;

  constructor(code: ErrorCode, message: string, options: OpenClawErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
    this.isRetryable = options.retryable ?? DEFAULT_RETRYABLE[code];
    this.retryAfterMs = options.retryAfterMs;
    this.remoteCode = options.remoteCode;
  }

  /** True for any OpenClawError, even one from another copy of this package. */
  static isInstance(error: unknown): error is OpenClawError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }

  /** `details.code` when the details carry one (e.g. `AUTH_TOKEN_MISMATCH`). */
  get detailCode(): string | undefined {
    const details = this.details as { code?: unknown } | undefined;
    return typeof details?.code === "string" ? details.code : undefined;
  }

  /** Build from a wire `ErrorShape`; an unknown code becomes `UNAVAILABLE` with `remoteCode` set. */
  static fromErrorShape(shape: ErrorShape): OpenClawError {
    const known = isErrorCode(shape.code);
    return new OpenClawError(known ? (shape.code as ErrorCode) : "UNAVAILABLE", shape.message, {
      details: shape.details,
      retryable: shape.retryable,
      retryAfterMs: shape.retryAfterMs,
      remoteCode: known ? undefined : shape.code,
    });
  }

  toErrorShape(): ErrorShape {
    const shape: ErrorShape = { code: this.remoteCode ?? this.code, message: this.message };
    if (this.details !== undefined) shape.details = this.details;
    if (this.isRetryable !== DEFAULT_RETRYABLE[this.code]) shape.retryable = this.isRetryable;
    if (this.retryAfterMs !== undefined) shape.retryAfterMs = this.retryAfterMs;
    return shape;
  }
}

/** Build an `ErrorShape` whose `details.code` names the precise reason. */
export function errorShape(
  code: ErrorCode,
  message: string,
  details?: ({ code?: ErrorDetailCode } & Record<string, unknown>) | undefined,
  extra: { retryable?: boolean; retryAfterMs?: number } = {},
): ErrorShape {
  const shape: ErrorShape = { code, message };
  if (details !== undefined) shape.details = details;
  if (extra.retryable !== undefined) shape.retryable = extra.retryable;
  if (extra.retryAfterMs !== undefined) shape.retryAfterMs = extra.retryAfterMs;
  return shape;
}
