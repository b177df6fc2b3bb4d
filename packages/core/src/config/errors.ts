import type { ConfigIssue } from "./types.js";

const MARKER = Symbol.for("openclaw.core.ConfigError");

export type ConfigErrorCode =
  /** JSON5 syntax error (has file, line, column). */
  | "CONFIG_PARSE"
  /** `$include` problem: missing/unreadable file, cycle, depth, outside allowed roots. */
  | "CONFIG_INCLUDE"
  /** `${VAR}` substitution of a missing or empty variable. */
  | "CONFIG_ENV_MISSING"
  /** Schema validation failed (see `issues`). */
  | "CONFIG_INVALID"
  /** Reading the file failed (permissions, not a file). */
  | "CONFIG_READ"
  /** Writing failed (disk full, read-only dir…); the previous file is intact. */
  | "CONFIG_WRITE"
  /** `baseHash` does not match the file on disk. */
  | "CONFIG_STALE"
  /** Another process holds the config lock for too long. */
  | "CONFIG_LOCKED"
  /** A SecretRef that cannot be resolved (variable unset, file missing, `exec` source). */
  | "CONFIG_SECRET"
  /** A `set`/`unset` path that cannot be applied (e.g. indexing into a string). */
  | "CONFIG_PATH";

/** Every config failure. Check with `ConfigError.isInstance(e)` (works across package copies). */
export class ConfigError extends Error {
  readonly [MARKER] = true;
  readonly code: ConfigErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** Dotted key path the error is about, when there is one. */
  readonly keyPath?: string;
  readonly issues: ConfigIssue[];

  constructor(
    code: ConfigErrorCode,
    message: string,
    details: {
      file?: string;
      line?: number;
      column?: number;
      keyPath?: string;
      issues?: ConfigIssue[];
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "ConfigError";
    this.code = code;
    this.file = details.file;
    this.line = details.line;
    this.column = details.column;
    this.keyPath = details.keyPath;
    this.issues = details.issues ?? [];
  }

  get isRetryable(): boolean {
    return this.code === "CONFIG_LOCKED" || this.code === "CONFIG_STALE";
  }

  static isInstance(error: unknown): error is ConfigError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** One line per issue: `path: message (got <value>, expected <expected>) — did you mean …?` */
export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.path === "" ? "(root)" : issue.path;
  let text = `${where}: ${issue.message}`;
  const details: string[] = [];
  if ("value" in issue && issue.value !== undefined) details.push(`got ${formatValue(issue.value)}`);
  if (issue.expected) details.push(`expected ${issue.expected}`);
  if (details.length > 0) text += ` (${details.join(", ")})`;
  if (issue.suggestion) text += ` — did you mean "${issue.suggestion}"?`;
  return text;
}

function formatValue(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : safeJson(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
