import { readFileSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import JSON5 from "json5";
import { ConfigError } from "./errors.js";
import { formatKeyPath, isPlainObject, type KeyPath } from "./key-path.js";

export const MAX_INCLUDE_DEPTH = 10;

/** Parse JSON5 text; a syntax error becomes CONFIG_PARSE with file, line and column. */
export function parseJson5(text: string, file: string): unknown {
  // most files are plain JSON (OpenClaw writes JSON): the native parser is ~20x faster
  try {
    return JSON.parse(text);
  } catch {
    // not strict JSON: comments, trailing commas, unquoted keys… or a real syntax error
  }
  try {
    return JSON5.parse(text);
  } catch (error) {
    const details = error as { lineNumber?: number; columnNumber?: number; message?: string };
    const line = details.lineNumber;
    const column = details.columnNumber;
    const reason = String(details.message ?? error)
      .replace(/^JSON5:\s*/, "")
      .replace(/ at \d+:\d+$/, "");
    const excerpt = line ? excerptAt(text, line, column ?? 1) : "";
    throw new ConfigError(
      "CONFIG_PARSE",
      `${file}${line ? `:${line}:${column ?? 1}` : ""}: JSON5 syntax error: ${reason}${excerpt}`,
      { file, line, column, cause: error },
    );
  }
}

function excerptAt(text: string, line: number, column: number): string {
  const source = text.split(/\r?\n/)[line - 1];
  if (source === undefined) return "";
  return `\n  ${line} | ${source}\n  ${" ".repeat(String(line).length)} | ${" ".repeat(Math.max(0, column - 1))}^`;
}

/**
 * Deep merge used between included files: objects merge key by key, arrays concatenate, any
 * other value from `source` wins.
 */
export function mergeIncluded(target: unknown, source: unknown): unknown {
  if (Array.isArray(target) && Array.isArray(source)) return [...target, ...source];
  if (isPlainObject(target) && isPlainObject(source)) {
    const out: Record<string, unknown> = { ...target };
    for (const [key, value] of Object.entries(source)) {
      if (key === "__proto__") continue;
      out[key] = key in out ? mergeIncluded(out[key], value) : value;
    }
    return out;
  }
  return source;
}

/** Sibling keys next to `$include` win: objects merge recursively, everything else is replaced. */
function overlaySiblings(base: unknown, siblings: Record<string, unknown>): unknown {
  if (!isPlainObject(base)) return Object.keys(siblings).length > 0 ? siblings : base;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(siblings)) {
    if (key === "__proto__") continue;
    out[key] = isPlainObject(out[key]) && isPlainObject(value) ? overlaySiblings(out[key], value) : value;
  }
  return out;
}

export interface IncludeContext {
  /** Directories an include may resolve into (after symlinks). */
  allowedRoots: string[];
  /** Files read so far (absolute). */
  files: string[];
}

/**
 * Resolve every `"$include": "./x.json5"` (or an array of paths) in the tree. Paths are relative
 * to the including file; nesting is limited to MAX_INCLUDE_DEPTH; cycles and files outside the
 * allowed roots are errors naming the chain.
 */
export function resolveIncludes(
  value: unknown,
  file: string,
  context: IncludeContext,
  chain: string[] = [file],
  path: KeyPath = [],
): unknown {
  if (Array.isArray(value))
    return value.map((item, index) => resolveIncludes(item, file, context, chain, [...path, index]));
  if (!isPlainObject(value)) return value;
  const resolveChildren = () => {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (key === "$include") continue;
      out[key] = resolveIncludes(child, file, context, chain, [...path, key]);
    }
    return out;
  };
  if (!Object.hasOwn(value, "$include")) return resolveChildren();

  const where = formatKeyPath([...path, "$include"]);
  const spec = value.$include;
  const targets = typeof spec === "string" ? [spec] : Array.isArray(spec) ? spec : undefined;
  if (!targets || targets.some((target) => typeof target !== "string" || target.trim() === "")) {
    throw new ConfigError(
      "CONFIG_INCLUDE",
      `${file}: ${where}: expected a file path or an array of file paths, got ${JSON.stringify(spec)}`,
      { file, keyPath: where },
    );
  }
  if (chain.length > MAX_INCLUDE_DEPTH) {
    throw new ConfigError(
      "CONFIG_INCLUDE",
      `${file}: ${where}: $include nested deeper than ${MAX_INCLUDE_DEPTH} levels (${chain.join(" -> ")})`,
      { file, keyPath: where },
    );
  }
  let merged: unknown;
  for (const target of targets as string[]) {
    const absolute = resolve(dirname(file), target);
    const real = realOrSelf(absolute);
    if (chain.includes(real) || chain.includes(absolute)) {
      throw new ConfigError(
        "CONFIG_INCLUDE",
        `${file}: ${where}: $include cycle: ${[...chain, absolute].join(" -> ")}`,
        { file, keyPath: where },
      );
    }
    if (!context.allowedRoots.some((root) => isInside(real, root))) {
      throw new ConfigError(
        "CONFIG_INCLUDE",
        `${file}: ${where}: $include "${target}" resolves to ${real}, outside the allowed directories (${context.allowedRoots.join(", ")}); move it next to the config or list its directory in OPENCLAW_INCLUDE_ROOTS`,
        { file, keyPath: where },
      );
    }
    let text: string;
    try {
      text = readFileSync(absolute, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === "ENOENT"
          ? "file not found"
          : code === "EACCES"
            ? "permission denied"
            : code === "EISDIR"
              ? "is a directory"
              : String(code ?? error);
      throw new ConfigError(
        "CONFIG_INCLUDE",
        `${file}: ${where}: cannot read $include "${target}" (${absolute}): ${reason}`,
        {
          file,
          keyPath: where,
          cause: error,
        },
      );
    }
    context.files.push(absolute);
    const parsed = parseJson5(text, absolute);
    const included = resolveIncludes(parsed, absolute, context, [...chain, real]);
    merged = merged === undefined ? included : mergeIncluded(merged, included);
  }
  return overlaySiblings(merged, resolveChildren());
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}
