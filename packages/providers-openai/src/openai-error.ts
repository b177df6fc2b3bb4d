import type { VendorErrorInfo } from "@openclaw/providers-utils";
import { tryParseJson } from "@openclaw/providers-utils";

/** Extract message and code from an OpenAI-style error body (`{ error: { message, type, code } }`). */
export function parseOpenAIError(bodyText: string): VendorErrorInfo {
  const body = tryParseJson(bodyText) as
    | { error?: { message?: unknown; type?: unknown; code?: unknown } | string; message?: unknown }
    | undefined;
  if (!body || typeof body !== "object") return { message: bodyText.slice(0, 300) || undefined };
  const error = body.error;
  if (typeof error === "string") return { message: error };
  const message =
    typeof error?.message === "string"
      ? error.message
      : typeof body.message === "string"
        ? body.message
        : undefined;
  const code =
    typeof error?.code === "string" ? error.code : typeof error?.type === "string" ? error.type : undefined;
  return { message, code };
}
