import type { z } from "zod";
import { formatKeyPath, getAtPath, isPlainObject, type KeyPath } from "./key-path.js";
import { redactValue } from "./redact.js";
import { openClawConfigSchema } from "./schema.js";
import type { ConfigIssue, OpenClawConfig } from "./types.js";

export interface ValidationResult {
  ok: boolean;
  /** Effective config (only when ok). Unknown keys removed, schema defaults applied. */
  config?: OpenClawConfig;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
  /** Unknown key paths (kept on disk, not in `config`). */
  ignoredKeys: string[];
}

type Def = { type: string; [key: string]: unknown };
const defOf = (schema: unknown): Def | undefined => (schema as { _zod?: { def?: Def } })?._zod?.def;

/** Walk wrapper types (optional, default, pipe…) down to the schema that holds the shape. */
function unwrap(schema: unknown): unknown[] {
  const def = defOf(schema);
  if (!def) return [];
  switch (def.type) {
    case "optional":
    case "default":
    case "prefault":
    case "nullable":
    case "readonly":
    case "catch":
      return unwrap(def.innerType);
    case "pipe":
      return unwrap(def.in);
    case "union":
      return (def.options as unknown[]).flatMap(unwrap);
    default:
      return [schema];
  }
}

/** Keys a strict object accepts at `path` (for "did you mean"). */
export function knownKeysAt(path: KeyPath, root: unknown = openClawConfigSchema): string[] {
  let candidates: unknown[] = unwrap(root);
  for (const segment of path) {
    const next: unknown[] = [];
    for (const schema of candidates) {
      const def = defOf(schema);
      if (!def) continue;
      if (def.type === "object" && typeof segment === "string") {
        const shape = def.shape as Record<string, unknown>;
        if (segment in shape) next.push(...unwrap(shape[segment]));
        else if (def.catchall) next.push(...unwrap(def.catchall));
      } else if (def.type === "record") next.push(...unwrap(def.valueType));
      else if (def.type === "array" && typeof segment === "number") next.push(...unwrap(def.element));
    }
    candidates = next;
  }
  const keys = new Set<string>();
  for (const schema of candidates) {
    const def = defOf(schema);
    if (def?.type === "object") for (const key of Object.keys(def.shape as object)) keys.add(key);
  }
  return [...keys];
}

/** Edit distance with adjacent transpositions counted as one edit ("prot" → "port" = 1). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** Closest known key, if close enough to be a plausible typo (or a prefix of it). */
export function suggestKey(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lower = key.toLowerCase();
  for (const candidate of known) {
    const other = candidate.toLowerCase();
    let distance = editDistance(lower, other);
    if (other.length >= 4 && (lower.startsWith(other) || other.startsWith(lower)))
      distance = Math.min(distance, 1);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(key.length / 3)));
  return best !== undefined && bestDistance <= limit ? best : undefined;
}

function describeExpected(issue: z.core.$ZodIssue): string | undefined {
  const record = issue as unknown as Record<string, unknown>;
  switch (issue.code) {
    case "invalid_type":
      return String(record.expected);
    case "invalid_value":
      return `one of ${(record.values as unknown[]).map((value) => JSON.stringify(value)).join(" | ")}`;
    case "too_small":
      return `${record.origin === "string" || record.origin === "array" ? "length " : ""}>${record.inclusive === false ? "" : "="} ${String(record.minimum)}`;
    case "too_big":
      return `${record.origin === "string" || record.origin === "array" ? "length " : ""}<${record.inclusive === false ? "" : "="} ${String(record.maximum)}`;
    case "invalid_format":
      return String(record.format ?? "a valid format");
    case "invalid_union":
      return "one of the accepted forms";
    default:
      return undefined;
  }
}

function toIssue(issue: z.core.$ZodIssue, data: unknown, prefix: KeyPath): ConfigIssue {
  const path = [...prefix, ...(issue.path as KeyPath)];
  const value = getAtPath(data, issue.path as KeyPath);
  let message = issue.message;
  if (issue.code === "invalid_type" && value === undefined) message = "required";
  else if (issue.code === "invalid_type") message = "wrong type";
  else if (issue.code === "invalid_value") message = "invalid value";
  return {
    severity: "error",
    code: issue.code,
    path: formatKeyPath(path),
    message,
    ...(value === undefined ? {} : { value: redactValue(path, value) }),
    expected: describeExpected(issue),
  };
}

function deleteAt(root: unknown, path: KeyPath, key: string): void {
  const parent = getAtPath(root, path);
  if (isPlainObject(parent)) delete parent[key];
}

/**
 * Validate an object against a (strict) schema: unknown keys become warnings (with "did you
 * mean") and are dropped from the result; every other issue is an error.
 */
export function validateWithSchema<T>(
  schema: z.ZodType<T>,
  data: unknown,
  prefix: KeyPath = [],
): { ok: boolean; value?: T; errors: ConfigIssue[]; warnings: ConfigIssue[]; ignoredKeys: string[] } {
  const working = structuredClone(data);
  const warnings: ConfigIssue[] = [];
  const ignoredKeys: string[] = [];
  // Unknown keys inside a union branch only show once the other branch is ruled out, so repeat a few times.
  for (let round = 0; round < 4; round++) {
    const result = schema.safeParse(working);
    if (result.success) return { ok: true, value: result.data, errors: [], warnings, ignoredKeys };
    const unknown = result.error.issues.filter((issue) => issue.code === "unrecognized_keys");
    const others = result.error.issues.filter((issue) => issue.code !== "unrecognized_keys");
    if (unknown.length === 0 || others.length > 0) {
      for (const issue of unknown) collectUnknown(issue, schema, prefix, warnings, ignoredKeys);
      return {
        ok: false,
        errors: others.map((issue) => toIssue(issue, working, prefix)),
        warnings,
        ignoredKeys,
      };
    }
    for (const issue of unknown) {
      collectUnknown(issue, schema, prefix, warnings, ignoredKeys);
      for (const key of (issue as { keys: string[] }).keys) deleteAt(working, issue.path as KeyPath, key);
    }
  }
  return { ok: false, errors: [], warnings, ignoredKeys };
}

/**
 * Keys the user's manual names that OpenClaw does not read (moved, or never there); the warning
 * names the key that does the job (the runbook: "gateway.token is ignored; use gateway.auth.token").
 */
const MOVED_KEYS: Record<string, string> = {
  "gateway.token": "gateway.auth.token",
  "gateway.password": "gateway.auth.password",
  "agents.routing": "bindings",
  "session.ttl": "session.reset",
  "session.pruning": "agents.defaults.contextPruning",
  "tools.requireApproval": "tools.exec.ask",
};

function collectUnknown(
  issue: z.core.$ZodIssue,
  schema: unknown,
  prefix: KeyPath,
  warnings: ConfigIssue[],
  ignoredKeys: string[],
): void {
  const known = knownKeysAt(issue.path as KeyPath, schema);
  for (const key of (issue as { keys: string[] }).keys) {
    const full = formatKeyPath([...prefix, ...(issue.path as KeyPath), key]);
    if (ignoredKeys.includes(full)) continue;
    ignoredKeys.push(full);
    const suggestion = suggestKey(key, known);
    const moved = MOVED_KEYS[full];
    warnings.push({
      severity: "warning",
      code: "unknown_key",
      path: full,
      message: "unknown key, ignored (kept in the file)",
      ...(moved
        ? { suggestion: moved }
        : suggestion
          ? { suggestion: formatKeyPath([...prefix, ...(issue.path as KeyPath), suggestion]) }
          : {}),
    });
  }
}

/** Validate a canonical (alias-normalized) config object; channel packages may add schemas. */
export function validateConfigObject(
  data: unknown,
  options: { channelSchemas?: Record<string, z.ZodType> } = {},
): ValidationResult {
  const root = validateWithSchema(openClawConfigSchema, data);
  const errors = [...root.errors];
  const warnings = [...root.warnings];
  const ignoredKeys = [...root.ignoredKeys];
  let config = root.value as OpenClawConfig | undefined;
  if (config && options.channelSchemas) {
    for (const [channelId, schema] of Object.entries(options.channelSchemas)) {
      const block = config.channels[channelId];
      if (block === undefined) continue;
      const result = validateWithSchema(schema, block, ["channels", channelId]);
      errors.push(...result.errors);
      warnings.push(...result.warnings);
      ignoredKeys.push(...result.ignoredKeys);
      // the plugin's parse adds its defaults; shared keys it does not declare are kept
      if (result.ok && result.value && typeof result.value === "object")
        config.channels[channelId] = {
          ...block,
          ...(result.value as object),
        } as (typeof config.channels)[string];
    }
  }
  if (config) errors.push(...semanticChecks(config));
  if (errors.length > 0) config = undefined;
  return { ok: errors.length === 0, config, errors, warnings, ignoredKeys };
}

/** Rules across keys that a per-field schema cannot express (spec §3.4, §13). */
function semanticChecks(config: OpenClawConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const checkDmPolicy = (
    block: { dmPolicy?: string; allowFrom?: (string | number)[] } | undefined,
    path: KeyPath,
  ) => {
    if (block?.dmPolicy === "open" && !(block.allowFrom ?? []).map(String).includes("*"))
      issues.push({
        severity: "error",
        code: "dm_policy_open_without_wildcard",
        path: formatKeyPath([...path, "allowFrom"]),
        message:
          'dmPolicy "open" lets anyone message the assistant and must be confirmed with "*" in allowFrom',
        value: block.allowFrom ?? [],
        expected: 'an allowFrom list containing "*"',
      });
  };
  for (const [channelId, channel] of Object.entries(config.channels)) {
    checkDmPolicy(channel, ["channels", channelId]);
    for (const [accountId, account] of Object.entries(channel.accounts ?? {}))
      checkDmPolicy(account as { dmPolicy?: string; allowFrom?: (string | number)[] }, [
        "channels",
        channelId,
        "accounts",
        accountId,
      ]);
  }
  const ids = new Set<string>();
  config.agents.list.forEach((agent, index) => {
    if (ids.has(agent.id))
      issues.push({
        severity: "error",
        code: "duplicate_agent_id",
        path: formatKeyPath(["agents", "list", index, "id"]),
        message: "duplicate agent id",
        value: agent.id,
      });
    ids.add(agent.id);
  });
  return issues;
}
