import type { ProviderErrorKind } from "@openclaw/protocol";
import type { VendorErrorInfo } from "@openclaw/providers-utils";
import { tryParseJson } from "@openclaw/providers-utils";

const KIND_BY_TYPE: Record<string, ProviderErrorKind | undefined> = {
  authentication_error: "auth",
  permission_error: "auth",
  billing_error: "billing",
  rate_limit_error: "rate_limit",
  overloaded_error: "server",
  api_error: "server",
  timeout_error: "timeout",
  request_too_large: "context_length",
  not_found_error: "invalid_request",
};

/** Kind for an Anthropic error type; undefined lets the message decide (`invalid_request_error`). */
export function anthropicErrorKind(type: string | undefined): ProviderErrorKind | undefined {
  return type === undefined ? undefined : KIND_BY_TYPE[type];
}

/** Extract `{ type: "error", error: { type, message } }`. */
export function parseAnthropicError(bodyText: string): VendorErrorInfo {
  const body = tryParseJson(bodyText) as { error?: { type?: unknown; message?: unknown } } | undefined;
  const type = typeof body?.error?.type === "string" ? body.error.type : undefined;
  const message =
    typeof body?.error?.message === "string" ? body.error.message : bodyText.slice(0, 300) || undefined;
  return { message, code: type, kind: anthropicErrorKind(type) };
}
