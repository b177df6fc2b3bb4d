import { ProviderError, type ProviderErrorKind, parseRetryAfter } from "@openclaw/protocol/model";

export type FetchFunction = typeof globalThis.fetch;

/** What a vendor's error body said, extracted by the provider. */
export interface VendorErrorInfo {
  message?: string;
  /** Vendor error code/type (`rate_limit_exceeded`, `overloaded_error`, `RESOURCE_EXHAUSTED`...). */
  code?: string;
  /** Force a kind when the vendor's own signal is unambiguous. */
  kind?: ProviderErrorKind;
  /** Retry delay found in the body (e.g. Gemini `RetryInfo.retryDelay`). */
  retryAfterMs?: number;
}

const CONTEXT_LENGTH =
  /context[_ ]length|context window|maximum context|prompt is too long|too many tokens|exceeds the maximum number of tokens|input token count|reduce the length|maximum prompt length|request too large for model/i;
const BILLING = /insufficient_quota|credit balance|billing|payment required/i;

export function classifyHttpStatus(status: number, info: VendorErrorInfo): ProviderErrorKind {
  if (info.kind) return info.kind;
  const text = `${info.code ?? ""} ${info.message ?? ""}`;
  if (CONTEXT_LENGTH.test(text)) return "context_length";
  if (status === 402 || BILLING.test(text)) return "billing";
  if (status === 401 || status === 403) return "auth";
  if (status === 429) return "rate_limit";
  if (status === 408 || status === 504) return "timeout";
  if (status === 413) return "context_length";
  if (status >= 500) return "server";
  if (/authentication|api[_ ]key|unauthori[sz]ed|permission/i.test(text)) return "auth";
  return "invalid_request";
}

export interface HttpErrorOptions {
  provider: string;
  status: number;
  headers: Headers;
  bodyText: string;
  info: VendorErrorInfo;
  /** Env vars the key comes from, for auth hints. */
  envVars?: readonly string[];
}

/** Map an HTTP error answer to a ProviderError with kind, retryability and retry delay. */
export function createHttpError(options: HttpErrorOptions): ProviderError {
  const { provider, status, info } = options;
  const kind = classifyHttpStatus(status, info);
  const retryAfterMs = parseRetryAfter(options.headers) ?? info.retryAfterMs;
  const said = info.message ?? (options.bodyText.slice(0, 300) || `HTTP ${status}`);
  // "HTTP 429: rate_limit_error": the vendor's status and error type, as users search for them
  let message = `${provider} API error: HTTP ${status}${info.code ? `: ${info.code}` : ""} (${kind}): ${said}`;
  if (kind === "auth") {
    const vars = options.envVars?.length ? `${options.envVars.join(" or ")}, ` : "";
    message += ` — check the API key (${vars}or \`openclaw models auth paste-token --provider ${provider}\`).`;
  }
  return new ProviderError(kind, message, {
    provider,
    status,
    retryAfterMs,
    providerMessage: info.message,
    providerCode: info.code,
    responseBody: options.bodyText.slice(0, 4000),
  });
}

/** Map a thrown fetch/read failure (abort, timeout, socket error) to a ProviderError. */
export function toProviderError(error: unknown, provider: string, signal?: AbortSignal): ProviderError {
  if (ProviderError.isInstance(error)) return error;
  const name = (error as { name?: unknown } | null)?.name;
  const reasonName = (signal?.reason as { name?: unknown } | undefined)?.name;
  if (signal?.aborted || name === "AbortError") {
    if (reasonName === "TimeoutError") {
      return new ProviderError("timeout", `${provider} request timed out`, { provider, cause: error });
    }
    return new ProviderError("aborted", `${provider} request was aborted`, { provider, cause: error });
  }
  if (name === "TimeoutError") {
    return new ProviderError("timeout", `${provider} request timed out`, { provider, cause: error });
  }
  const cause = (error as { cause?: { message?: string; code?: string } } | null)?.cause;
  const detail = [(error as Error | null)?.message, cause?.code ?? cause?.message].filter(Boolean).join(": ");
  return new ProviderError("network", `${provider} connection failed: ${detail || String(error)}`, {
    provider,
    cause: error,
  });
}

export interface RequestOptions {
  provider: string;
  url: string;
  method?: "GET" | "POST";
  headers: Record<string, string | undefined>;
  body?: unknown;
  fetch?: FetchFunction;
  abortSignal?: AbortSignal;
  /** Extract message/code from the vendor's error body. */
  parseError: (bodyText: string, status: number) => VendorErrorInfo;
  envVars?: readonly string[];
}

/** Send a request; resolve with the OK response or reject with a mapped ProviderError. */
export async function sendRequest(options: RequestOptions): Promise<Response> {
  const fetchFunction = options.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers)) if (value !== undefined) headers[name] = value;
  if (options.body !== undefined) headers["content-type"] ??= "application/json";
  let response: Response;
  try {
    response = await fetchFunction(options.url, {
      method: options.method ?? (options.body === undefined ? "GET" : "POST"),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.abortSignal,
    });
  } catch (error) {
    throw toProviderError(error, options.provider, options.abortSignal);
  }
  if (!response.ok) {
    let bodyText = "";
    try {
      bodyText = await response.text();
    } catch (error) {
      throw toProviderError(error, options.provider, options.abortSignal);
    }
    throw createHttpError({
      provider: options.provider,
      status: response.status,
      headers: response.headers,
      bodyText,
      info: safeParseError(options.parseError, bodyText, response.status),
      envVars: options.envVars,
    });
  }
  return response;
}

function safeParseError(
  parse: (bodyText: string, status: number) => VendorErrorInfo,
  bodyText: string,
  status: number,
): VendorErrorInfo {
  try {
    return parse(bodyText, status);
  } catch {
    return { message: bodyText.slice(0, 300) || undefined };
  }
}

/** Parse JSON or return undefined. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Remove trailing slashes so `${baseURL}/path` never doubles them. */
export function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
