import { isPlainObject, type KeyPath } from "./key-path.js";

/**
 * Sensitive config paths, marked once for everyone (logs, `config.get`, status, errors).
 * `*` matches one segment, `**` any number. Besides these, any key whose name is a secret-like
 * word (see SECRET_KEY_NAMES) is sensitive wherever it appears, so channel blocks contributed by
 * plugins are covered without registering anything.
 */
export const SENSITIVE_CONFIG_PATHS: readonly string[] = [
  "gateway.auth.token",
  "gateway.auth.password",
  "gateway.remote.token",
  "gateway.remote.password",
  "models.providers.*.apiKey",
  "models.providers.*.headers.*",
  "channels.**.botToken",
  "channels.**.appToken",
  "channels.**.token",
  "tools.web.search.apiKey",
  "tools.web.fetch.firecrawl.apiKey",
  "hooks.token",
  "hooks.gmail.pushToken",
  "skills.entries.*.apiKey",
  "skills.entries.*.env.*",
  "env.*",
  "env.vars.*",
  "**.memorySearch.remote.apiKey",
  "**.memorySearch.remote.headers.*",
];

const SECRET_KEY_NAMES =
  /^(api[-_]?key|token|password|passphrase|secret|client[-_]?secret|bot[-_]?token|app[-_]?token|access[-_]?token|refresh[-_]?token|signing[-_]?secret|webhook[-_]?secret|private[-_]?key|auth[-_]?token|service[-_]?account[-_]?json)$/i;

/** Placeholder written instead of a secret. Writes that receive it keep the stored value. */
export const REDACTED = "__OPENCLAW_REDACTED__";

const compiled = SENSITIVE_CONFIG_PATHS.map((pattern) => pattern.split("."));

function matches(pattern: string[], path: string[], pi = 0, si = 0): boolean {
  if (pi === pattern.length) return si === path.length;
  const head = pattern[pi]!;
  if (head === "**") {
    for (let skip = si; skip <= path.length; skip++) if (matches(pattern, path, pi + 1, skip)) return true;
    return false;
  }
  if (si === path.length) return false;
  if (head !== "*" && head !== path[si]) return false;
  return matches(pattern, path, pi + 1, si + 1);
}

/** True when the value at this path must never be shown. */
export function isSensitiveConfigPath(path: KeyPath): boolean {
  const keys = path.filter((segment): segment is string => typeof segment === "string");
  const last = path[path.length - 1];
  if (typeof last === "string" && SECRET_KEY_NAMES.test(last)) return true;
  return compiled.some((pattern) => matches(pattern, keys));
}

/** Redact a single value at a path (strings become REDACTED, SecretRefs are kept). */
export function redactValue(path: KeyPath, value: unknown): unknown {
  if (!isSensitiveConfigPath(path)) return value;
  if (typeof value === "string" || typeof value === "number") return REDACTED;
  return value;
}

/** Deep copy of a config with every sensitive value replaced by REDACTED. */
export function redactConfig<T>(config: T): T {
  return walk(config, []) as T;
}

function walk(value: unknown, path: KeyPath): unknown {
  if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index]));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const childPath = [...path, key];
      if (isSensitiveConfigPath(childPath) && (typeof child === "string" || typeof child === "number"))
        out[key] = REDACTED;
      else out[key] = walk(child, childPath);
    }
    return out;
  }
  return value;
}
