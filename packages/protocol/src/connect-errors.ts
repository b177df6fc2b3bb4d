import type { ErrorShape, PairingReason, RecommendedNextStep } from "./error-codes.js";

// The error shapes a gateway sends when it refuses a handshake, worded exactly like OpenClaw's
// (see the probe-*.jsonl captures) so that clients and troubleshooting guides keep matching them.

/** First frame was not `connect` (then close 1008). */
export function handshakeRequiredError(): ErrorShape {
  return { code: "INVALID_REQUEST", message: "invalid handshake: first request must be connect" };
}

/** `connect` params failed the schema (then close 1008). */
export function invalidConnectParamsError(detail: string): ErrorShape {
  return {
    code: "INVALID_REQUEST",
    message: `invalid connect params: ${detail}`,
    details: { code: "INVALID_PARAMS" },
  };
}

export type AuthFailureReason =
  | "token_missing"
  | "token_mismatch"
  | "token_not_configured"
  | "password_missing"
  | "password_mismatch"
  | "password_not_configured"
  | "device_token_mismatch"
  | "rate_limited";

const AUTH_FAILURES: Record<
  AuthFailureReason,
  { code: string; text: string; next: RecommendedNextStep; canRetryWithDeviceToken?: boolean }
> = {
  token_missing: {
    code: "AUTH_TOKEN_MISSING",
    text: "gateway token missing",
    next: "update_auth_configuration",
  },
  token_mismatch: {
    code: "AUTH_TOKEN_MISMATCH",
    text: "gateway token mismatch",
    next: "update_auth_credentials",
  },
  token_not_configured: {
    code: "AUTH_TOKEN_NOT_CONFIGURED",
    text: "gateway token not configured",
    next: "review_auth_configuration",
  },
  password_missing: {
    code: "AUTH_PASSWORD_MISSING",
    text: "gateway password missing",
    next: "update_auth_configuration",
  },
  password_mismatch: {
    code: "AUTH_PASSWORD_MISMATCH",
    text: "gateway password mismatch",
    next: "update_auth_credentials",
  },
  password_not_configured: {
    code: "AUTH_PASSWORD_NOT_CONFIGURED",
    text: "gateway password not configured",
    next: "review_auth_configuration",
  },
  device_token_mismatch: {
    code: "AUTH_DEVICE_TOKEN_MISMATCH",
    text: "device token mismatch",
    next: "update_auth_credentials",
  },
  rate_limited: { code: "AUTH_RATE_LIMITED", text: "too many failed attempts", next: "wait_then_retry" },
};

/**
 * An auth failure on `connect` (then close 1008). Wording as OpenClaw's:
 * `unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)`.
 */
export function authFailureError(
  reason: AuthFailureReason,
  options: { retryAfterMs?: number; canRetryWithDeviceToken?: boolean } = {},
): ErrorShape {
  const failure = AUTH_FAILURES[reason];
  const hint = reason.startsWith("password")
    ? "use this gateway's gateway.auth.password"
    : "use this gateway's gateway.auth.token or pair the device";
  const shape: ErrorShape = {
    code: "INVALID_REQUEST",
    message:
      reason === "rate_limited"
        ? "unauthorized: too many failed authentication attempts (retry later)"
        : `unauthorized: ${failure.text} (${hint})`,
    details: {
      code: failure.code,
      authReason: reason,
      canRetryWithDeviceToken: options.canRetryWithDeviceToken ?? false,
      recommendedNextStep: failure.next,
    },
  };
  if (reason === "rate_limited") {
    shape.retryable = true;
    if (options.retryAfterMs !== undefined) shape.retryAfterMs = options.retryAfterMs;
  }
  return shape;
}

/** A device identity is required for this connection (then close 1008). */
export function deviceIdentityRequiredError(): ErrorShape {
  return {
    code: "NOT_PAIRED",
    message: "device identity required",
    details: { code: "DEVICE_IDENTITY_REQUIRED" },
  };
}

/** The device must be approved first (`openclaw devices approve <requestId>`; then close 1008). */
export function pairingRequiredError(options: {
  requestId: string;
  reason?: PairingReason;
  requestedRole?: string;
  requestedScopes?: string[];
}): ErrorShape {
  return {
    code: "NOT_PAIRED",
    message: "pairing required",
    details: {
      code: "PAIRING_REQUIRED",
      reason: options.reason ?? "not-paired",
      requestId: options.requestId,
      remediationHint: `approve this device on the gateway host: openclaw devices approve ${options.requestId}`,
      ...(options.requestedRole ? { requestedRole: options.requestedRole } : {}),
      ...(options.requestedScopes ? { requestedScopes: options.requestedScopes } : {}),
    },
  };
}

/** The gateway is starting (retryable; clients retry after `retryAfterMs`). */
export function startupUnavailableError(retryAfterMs: number): ErrorShape {
  return {
    code: "UNAVAILABLE",
    message: "gateway is starting",
    details: { code: "STARTUP_SIDECARS", reason: "startup-sidecars" },
    retryable: true,
    retryAfterMs,
  };
}
