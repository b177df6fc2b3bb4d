import type { z } from "zod";
import { utf8ByteLength } from "./encoding.js";
import type { ErrorDetailCode, ErrorShape } from "./errors.js";
import { type GatewayFrame, GatewayFrameSchema } from "./frames.js";
import { MAX_PAYLOAD_BYTES } from "./limits.js";

/** Why a frame was refused. */
export type FrameErrorReason = "binary" | "too-large" | "invalid-json" | "invalid-frame";

export interface FrameError {
  reason: FrameErrorReason;
  /** `details.code` to send back (`FRAME_BINARY`, `FRAME_TOO_LARGE`, `FRAME_INVALID_JSON`, `FRAME_INVALID`). */
  detailCode: ErrorDetailCode;
  /** Human-readable, names the zod path for shape errors (`params.client.id: …`). */
  message: string;
  /** Zod issues for `invalid-frame`, with their paths. */
  issues?: { path: (string | number)[]; message: string }[];
  /** The request id when the text was a JSON object with a string `id`, so the error can be answered. */
  id?: string;
  /** Size in UTF-8 bytes when known. */
  bytes?: number;
}

export type ParseFrameResult = { ok: true; frame: GatewayFrame } | { ok: false; error: FrameError };

export interface ParseFrameOptions {
  /** Maximum UTF-8 size; default {@link MAX_PAYLOAD_BYTES}. Use `MAX_PRECONNECT_PAYLOAD_BYTES` before hello-ok. */
  maxBytes?: number;
  /** Set when the transport reported a binary message (e.g. `ws`'s `isBinary`). */
  binary?: boolean;
}

const encoder = new TextEncoder();

/** Render zod issues as `path: message; path: message` (paths dotted, indexes in brackets). */
export function formatZodIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: (string | number)[] = [],
): string {
  return issues
    .map((issue) => {
      const path = formatPath([...prefix, ...(issue.path as (string | number)[])]);
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}

export function formatPath(path: readonly (string | number | symbol)[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

function fail(error: FrameError): ParseFrameResult {
  return { ok: false, error };
}

/**
 * Parse one WebSocket message into a validated frame. Never throws: a binary message, an
 * oversized text, non-JSON, or a JSON value that is not a frame each yield a precise error.
 */
export function parseFrame(data: unknown, options: ParseFrameOptions = {}): ParseFrameResult {
  const maxBytes = options.maxBytes ?? MAX_PAYLOAD_BYTES;
  if (options.binary === true || typeof data !== "string") {
    const bytes =
      data instanceof ArrayBuffer ? data.byteLength : ArrayBuffer.isView(data) ? data.byteLength : undefined;
    return fail({
      reason: "binary",
      detailCode: "FRAME_BINARY",
      message: "binary frames are not supported: send JSON text frames",
      ...(bytes === undefined ? {} : { bytes }),
    });
  }
  // Cheap bounds first: UTF-8 needs at least 1 and at most 3 bytes per UTF-16 unit.
  if (data.length > maxBytes || (data.length * 3 > maxBytes && utf8ByteLength(data) > maxBytes)) {
    const bytes = data.length > maxBytes ? encoder.encode(data).byteLength : utf8ByteLength(data);
    return fail({
      reason: "too-large",
      detailCode: "FRAME_TOO_LARGE",
      message: `frame too large: ${bytes} bytes exceeds the ${maxBytes}-byte limit`,
      bytes,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (error) {
    return fail({
      reason: "invalid-json",
      detailCode: "FRAME_INVALID_JSON",
      message: `invalid frame: not JSON (${error instanceof Error ? error.message : String(error)})`,
    });
  }
  const result = GatewayFrameSchema.safeParse(value);
  if (result.success) return { ok: true, frame: result.data };
  const id =
    typeof value === "object" && value !== null && typeof (value as { id?: unknown }).id === "string"
      ? ((value as { id: string }).id as string)
      : undefined;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path as (string | number)[],
    message: issue.message,
  }));
  return fail({
    reason: "invalid-frame",
    detailCode: "FRAME_INVALID",
    message: `invalid frame: ${formatZodIssues(result.error.issues)}`,
    issues,
    ...(id ? { id } : {}),
  });
}

/** The `INVALID_REQUEST` error shape a server sends back for a refused frame. */
export function frameErrorShape(error: FrameError): ErrorShape {
  return {
    code: "INVALID_REQUEST",
    message: error.message,
    details: {
      code: error.detailCode,
      ...(error.issues ? { issues: error.issues } : {}),
      ...(error.bytes !== undefined ? { bytes: error.bytes } : {}),
    },
  };
}
