import type { ProviderErrorKind } from "@openclaw/protocol";
import type { VendorErrorInfo } from "@openclaw/providers-utils";
import { tryParseJson } from "@openclaw/providers-utils";

interface GoogleErrorBody {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    details?: Array<{ "@type"?: string; reason?: string; retryDelay?: string }>;
  };
}

/** Extract message/status from a Google API error (`{ error: { code, message, status, details } }`). */
export function parseGeminiError(bodyText: string): VendorErrorInfo {
  const body = (tryParseJson(bodyText) ?? (tryParseJson(`[${bodyText}]`) as unknown[] | undefined)?.[0]) as
    | GoogleErrorBody
    | GoogleErrorBody[]
    | undefined;
  const error = (Array.isArray(body) ? body[0] : body)?.error;
  if (!error) return { message: bodyText.slice(0, 300) || undefined };
  let kind: ProviderErrorKind | undefined;
  let retryAfterMs: number | undefined;
  for (const detail of error.details ?? []) {
    if (detail.reason === "API_KEY_INVALID" || detail.reason === "API_KEY_SERVICE_BLOCKED") kind = "auth";
    const delay = detail.retryDelay ? /^(\d+(?:\.\d+)?)s$/.exec(detail.retryDelay) : null;
    if (delay) retryAfterMs = Math.round(Number(delay[1]) * 1000);
  }
  if (!kind && (error.status === "UNAUTHENTICATED" || error.status === "PERMISSION_DENIED")) kind = "auth";
  // Gemini's per-minute quota message mentions billing; it is still a rate limit.
  if (!kind && error.status === "RESOURCE_EXHAUSTED") kind = "rate_limit";
  if (!kind && error.status === "DEADLINE_EXCEEDED") kind = "timeout";
  return { message: error.message, code: error.status, kind, retryAfterMs };
}
