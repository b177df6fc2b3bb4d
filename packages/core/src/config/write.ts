import { resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import JSON5 from "json5";
import { type AtomicWriteFs, FileWriteError, rotateBackups, writeFileAtomic } from "../fs/atomic-write.js";
import { LockTimeoutError, withFileLock } from "../fs/file-lock.js";
import { diffConfigPaths } from "./diff.js";
import { ConfigError } from "./errors.js";
import { Json5EditError, setJson5Value, unsetJson5Value } from "./json5-edit.js";
import { formatKeyPath, isPlainObject, type KeyPath, parseKeyPath } from "./key-path.js";
import { evaluateConfig, hashConfigText, loadConfigSync, parseConfigText, readConfigText } from "./load.js";
import { expandHome, resolvePaths } from "./paths.js";
import { isSensitiveConfigPath, REDACTED } from "./redact.js";
import type { LoadConfigOptions, LoadedConfig } from "./types.js";

export { diffConfigPaths };

export interface ConfigWriteOptions extends LoadConfigOptions {
  /** Hash the caller's edit was based on (from `LoadedConfig.hash` / RPC `config.get`). Mismatch ⇒ CONFIG_STALE. */
  baseHash?: string;
  /** How long to wait for another writer. Default 10 s. */
  lockTimeoutMs?: number;
  /** Number of backups to keep (`.bak`, `.bak.1` … ). Default 5; 0 disables. */
  backups?: number;
  /** Injected file operations (tests simulate a full disk with it). */
  fs?: AtomicWriteFs;
  /**
   * Write keys the schema does not know (they would be ignored at load). Default false: a set of
   * an unknown key is refused with "did you mean".
   */
  allowUnknownKeys?: boolean;
}

export interface ConfigWriteResult {
  path: string;
  /** Hash of the file before the write. */
  previousHash: string;
  /** Hash of the new file. */
  hash: string;
  /** Dotted paths whose value changed (file level, before includes). */
  changedPaths: string[];
  /** `.bak` written before replacing the file, if the file existed. */
  backupPath?: string;
  /** "preserved": comments/order/formatting of untouched keys kept; "rewritten": file re-serialized. */
  formatting: "preserved" | "rewritten" | "unchanged";
  /** The new config, loaded and validated. */
  loaded: LoadedConfig;
}

/** One change to the file: set a value or remove a key. */
export type ConfigEdit = { op: "set"; path: KeyPath; value: unknown } | { op: "unset"; path: KeyPath };

function toPath(path: string | KeyPath): KeyPath {
  if (typeof path !== "string") return path;
  try {
    return parseKeyPath(path);
  } catch (error) {
    throw new ConfigError("CONFIG_PATH", (error as Error).message, { keyPath: path });
  }
}

function applyToObject(root: Record<string, unknown>, edit: ConfigEdit): void {
  const path = edit.path;
  let node: unknown = root;
  for (let index = 0; index < path.length - 1; index++) {
    const segment = path[index]!;
    const next = path[index + 1]!;
    if (Array.isArray(node) && typeof segment === "number") {
      if (node[segment] === undefined) {
        if (edit.op === "unset") return;
        node[segment] = typeof next === "number" ? [] : {};
      }
      node = node[segment];
    } else if (isPlainObject(node) && typeof segment === "string") {
      if (!isPlainObject(node[segment]) && !Array.isArray(node[segment])) {
        if (edit.op === "unset") return;
        if (node[segment] !== undefined)
          throw new ConfigError(
            "CONFIG_PATH",
            `${formatKeyPath(path.slice(0, index + 1))} is a ${typeof node[segment]}, not an object`,
            {
              keyPath: formatKeyPath(path),
            },
          );
        node[segment] = typeof next === "number" ? [] : {};
      }
      node = node[segment];
    } else {
      throw new ConfigError(
        "CONFIG_PATH",
        `cannot follow ${formatKeyPath(path)} at ${formatKeyPath(path.slice(0, index + 1))}`,
        {
          keyPath: formatKeyPath(path),
        },
      );
    }
  }
  const last = path[path.length - 1]!;
  if (edit.op === "set") {
    if (Array.isArray(node) && typeof last === "number") {
      if (last > node.length)
        throw new ConfigError("CONFIG_PATH", `${formatKeyPath(path)}: index past the end of the array`, {
          keyPath: formatKeyPath(path),
        });
      node[last] = edit.value;
    } else if (isPlainObject(node) && typeof last === "string") node[last] = edit.value;
    else
      throw new ConfigError("CONFIG_PATH", `cannot set ${formatKeyPath(path)}`, {
        keyPath: formatKeyPath(path),
      });
  } else if (Array.isArray(node) && typeof last === "number") node.splice(last, 1);
  else if (isPlainObject(node) && typeof last === "string") delete node[last];
}

/** Compute the edits that turn `before` into `after` (minimal: untouched keys are not rewritten). */
export function diffToEdits(before: unknown, after: unknown, path: KeyPath = []): ConfigEdit[] {
  if (isDeepStrictEqual(before, after)) return [];
  if (isPlainObject(before) && isPlainObject(after) && path.length >= 0) {
    const edits: ConfigEdit[] = [];
    for (const key of Object.keys(before))
      if (!(key in after)) edits.push({ op: "unset", path: [...path, key] });
    for (const [key, value] of Object.entries(after)) {
      if (!(key in before)) edits.push({ op: "set", path: [...path, key], value });
      else edits.push(...diffToEdits(before[key], value, [...path, key]));
    }
    return edits;
  }
  return [{ op: "set", path, value: after }];
}

/** Replace REDACTED placeholders (a UI round-trip) with the stored secret. */
function restoreRedacted(value: unknown, stored: unknown, path: KeyPath): unknown {
  if (value === REDACTED && isSensitiveConfigPath(path)) return stored;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value))
      out[key] = restoreRedacted(child, isPlainObject(stored) ? stored[key] : undefined, [...path, key]);
    return out;
  }
  if (Array.isArray(value))
    return value.map((item, index) =>
      restoreRedacted(item, Array.isArray(stored) ? stored[index] : undefined, [...path, index]),
    );
  return value;
}

function targetFile(options: LoadConfigOptions): string {
  const env = options.env ?? process.env;
  const paths = resolvePaths(env, options.profile);
  const cwd = options.cwd ?? process.cwd();
  return options.path ? resolve(cwd, expandHome(options.path, paths.homeDir, cwd)) : paths.configPath;
}

function sameHash(expected: string, actual: string): boolean {
  return expected.replace(/^sha256:/, "") === actual;
}

/** Run a write under the config file's lock; lock timeouts and failed writes become ConfigErrors. */
async function underConfigLock<T>(
  file: string,
  options: ConfigWriteOptions,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await withFileLock(`${file}.lock`, fn, { timeoutMs: options.lockTimeoutMs });
  } catch (error) {
    if (LockTimeoutError.isInstance(error))
      throw new ConfigError("CONFIG_LOCKED", `another process is writing ${file}: ${error.message}`, {
        file,
        cause: error,
      });
    if (FileWriteError.isInstance(error))
      throw new ConfigError("CONFIG_WRITE", error.message, { file, cause: error });
    throw error;
  }
}

/**
 * Parse the file a key edit applies to. A file that does not parse cannot have one key edited:
 * the error says where it breaks and the ways out.
 */
function parseForEdit(text: string, file: string): Record<string, unknown> {
  try {
    return parseConfigText(text, file);
  } catch (error) {
    if (!ConfigError.isInstance(error) || error.code !== "CONFIG_PARSE") throw error;
    throw new ConfigError(
      "CONFIG_PARSE",
      `${error.message}\nNothing written: a key cannot be edited in a file that does not parse. Fix ${error.line ? `line ${error.line} of ` : ""}${file} in an editor, restore the last good copy (${file}.bak), or replace the whole file (config.apply / config.set with the full text).`,
      { file, line: error.line, column: error.column, cause: error },
    );
  }
}

/**
 * Validate the text an edit produces. When it fails on problems the file already had, the
 * error says so: those keys have to be fixed too (in the same edit, or first).
 */
function evaluateForEdit(
  next: Record<string, unknown>,
  before: Record<string, unknown>,
  file: string,
  options: ConfigWriteOptions,
): ReturnType<typeof evaluateConfig> {
  const env = options.env ?? process.env;
  const evaluate = (tree: Record<string, unknown>) =>
    evaluateConfig(tree, file, {
      ...options,
      missingEnv: "keep",
      env: { ...env },
      applyEnv: false,
      paths: resolvePaths(env, options.profile),
    });
  try {
    return evaluate(next);
  } catch (error) {
    if (!ConfigError.isInstance(error) || error.code !== "CONFIG_INVALID") throw error;
    let alreadyInvalid = false;
    try {
      evaluate(before);
    } catch {
      alreadyInvalid = true;
    }
    if (!alreadyInvalid) throw error;
    throw new ConfigError(
      "CONFIG_INVALID",
      `${error.message}\nNothing written: ${file} already had these problems before this edit. Fix them in the same edit (config.patch with the corrected keys, \`openclaw config set <key> <value>\` / \`config unset <key>\`) or restore the last good copy (${file}.bak).`,
      { file, keyPath: error.keyPath, issues: error.issues, cause: error },
    );
  }
}

/**
 * The one write path: under the config lock, check `baseHash`, compute the new file text by
 * editing only the changed keys, validate the result with the full pipeline, back up, then
 * replace atomically (0600). Nothing is written when any step fails.
 */
export async function editConfigFile(
  makeEdits: (parsed: Record<string, unknown>) => ConfigEdit[],
  options: ConfigWriteOptions = {},
): Promise<ConfigWriteResult> {
  const file = targetFile(options);
  return underConfigLock(file, options, async () => {
    const text = readConfigText(file);
    const current = text ?? "";
    const previousHash = hashConfigText(current);
    if (options.baseHash !== undefined && !sameHash(options.baseHash, previousHash)) {
      throw new ConfigError(
        "CONFIG_STALE",
        `${file} changed since it was read (baseHash ${options.baseHash.slice(0, 12)}… ≠ ${previousHash.slice(0, 12)}…); reload and retry`,
        { file },
      );
    }
    const parsed = parseForEdit(current, file);
    const edits = makeEdits(structuredClone(parsed));
    const desired = structuredClone(parsed);
    for (const edit of edits) applyToObject(desired, edit);
    const changedPaths = diffConfigPaths(parsed, desired);
    if (changedPaths.length === 0 && text !== undefined) {
      const loaded = loadConfigSync({ ...options, path: file, applyEnv: false, missingEnv: "keep" });
      return {
        path: file,
        previousHash,
        hash: previousHash,
        changedPaths,
        formatting: "unchanged",
        loaded,
      };
    }
    let next = current.trim() === "" ? "{\n}\n" : current;
    let formatting: ConfigWriteResult["formatting"] = "preserved";
    try {
      for (const edit of edits)
        next =
          edit.op === "set" ? setJson5Value(next, edit.path, edit.value) : unsetJson5Value(next, edit.path);
      if (!isDeepStrictEqual(JSON5.parse(next), desired)) throw new Json5EditError("text edit diverged");
    } catch (error) {
      if (!(error instanceof Json5EditError) && !(error instanceof SyntaxError)) throw error;
      // the text could not be edited in place (unusual layout): write the same data re-serialized
      next = `${JSON5.stringify(desired, null, 2)}\n`;
      formatting = "rewritten";
    }
    // validate exactly what will be on disk, with the full pipeline (includes, env, schema)
    const evaluated = evaluateForEdit(parseConfigText(next, file), parsed, file, options);
    if (!options.allowUnknownKeys) {
      const setPaths = edits.filter((edit) => edit.op === "set").map((edit) => formatKeyPath(edit.path));
      const unknown = evaluated.issues.filter(
        (issue) =>
          issue.code === "unknown_key" &&
          setPaths.some(
            (path) =>
              path === issue.path ||
              path.startsWith(`${issue.path}.`) ||
              path.startsWith(`${issue.path}[`) ||
              issue.path.startsWith(`${path}.`),
          ),
      );
      if (unknown.length > 0)
        throw new ConfigError(
          "CONFIG_INVALID",
          `${file}: ${unknown.map((issue) => `${issue.path}: unknown key${issue.suggestion ? ` — did you mean "${issue.suggestion}"?` : ""}`).join("; ")} (nothing written; it would be ignored)`,
          {
            file,
            keyPath: unknown[0]!.path,
            issues: unknown.map((issue) => ({ ...issue, severity: "error" as const })),
          },
        );
    }
    const backups = options.backups ?? 5;
    const backupPath = text !== undefined && backups > 0 ? await rotateBackups(file, backups) : undefined;
    await writeFileAtomic(file, next, { mode: 0o600, fs: options.fs });
    const loaded = loadConfigSync({ ...options, path: file, applyEnv: false, missingEnv: "keep" });
    return {
      path: file,
      previousHash,
      hash: hashConfigText(next),
      changedPaths,
      backupPath,
      formatting,
      loaded,
    };
  });
}

/** `openclaw config set <path> <value>`: set one key, keep the rest of the file as it is. */
export function setConfigValue(
  path: string | KeyPath,
  value: unknown,
  options: ConfigWriteOptions = {},
): Promise<ConfigWriteResult> {
  const keyPath = toPath(path);
  if (keyPath.length === 0)
    throw new ConfigError("CONFIG_PATH", "config set needs a key path", { keyPath: "" });
  return editConfigFile(() => [{ op: "set", path: keyPath, value }], options);
}

/** `openclaw config unset <path>`: remove one key. */
export function unsetConfigValue(
  path: string | KeyPath,
  options: ConfigWriteOptions = {},
): Promise<ConfigWriteResult> {
  const keyPath = toPath(path);
  if (keyPath.length === 0)
    throw new ConfigError("CONFIG_PATH", "config unset needs a key path", { keyPath: "" });
  return editConfigFile(() => [{ op: "unset", path: keyPath }], options);
}

/**
 * RPC `config.patch`: JSON merge patch (RFC 7386) — objects merge, `null` deletes, anything else
 * replaces. REDACTED placeholders keep the stored secret.
 */
export function patchConfig(
  patch: Record<string, unknown>,
  options: ConfigWriteOptions = {},
): Promise<ConfigWriteResult> {
  return editConfigFile((parsed) => {
    const edits: ConfigEdit[] = [];
    const walk = (node: Record<string, unknown>, stored: unknown, path: KeyPath) => {
      for (const [key, value] of Object.entries(node)) {
        const childPath = [...path, key];
        const storedChild = isPlainObject(stored) ? stored[key] : undefined;
        if (value === null) edits.push({ op: "unset", path: childPath });
        else if (isPlainObject(value) && isPlainObject(storedChild)) walk(value, storedChild, childPath);
        else
          edits.push({ op: "set", path: childPath, value: restoreRedacted(value, storedChild, childPath) });
      }
    };
    walk(patch, parsed, []);
    return edits;
  }, options);
}

/**
 * RPC `config.apply`: the whole file becomes `config`. Only keys that differ are edited in the
 * text, so comments on untouched keys survive. REDACTED placeholders keep the stored secret.
 */
export function applyConfig(
  config: Record<string, unknown>,
  options: ConfigWriteOptions = {},
): Promise<ConfigWriteResult> {
  if (!isPlainObject(config))
    throw new ConfigError("CONFIG_INVALID", "config.apply needs an object", { keyPath: "" });
  return editConfigFile((parsed) => diffToEdits(parsed, restoreRedacted(config, parsed, [])), options);
}

/** Write a fresh config file (`openclaw config init`). Refuses to replace an existing one unless `force`. */
export async function initConfigFile(
  content: Record<string, unknown>,
  options: ConfigWriteOptions & { force?: boolean } = {},
): Promise<ConfigWriteResult> {
  const file = targetFile(options);
  if (!options.force && readConfigText(file) !== undefined)
    throw new ConfigError(
      "CONFIG_WRITE",
      `${file} already exists (use --force to replace it; a backup is kept)`,
      { file },
    );
  return editConfigFile((parsed) => diffToEdits(parsed, content), options);
}

/**
 * RPC `config.set` (raw): replace the file with `raw` JSON5 text after parsing and validating
 * it; refused on a stale `baseHash`. The text is written exactly as given.
 */
export async function replaceConfigText(
  raw: string,
  options: ConfigWriteOptions = {},
): Promise<ConfigWriteResult> {
  const file = targetFile(options);
  return underConfigLock(file, options, async () => {
    const text = readConfigText(file);
    const previousHash = hashConfigText(text ?? "");
    if (options.baseHash !== undefined && !sameHash(options.baseHash, previousHash))
      throw new ConfigError("CONFIG_STALE", `${file} changed since it was read; reload and retry`, {
        file,
      });
    const parsed = parseConfigText(raw, file);
    const env = options.env ?? process.env;
    evaluateConfig(parsed, file, {
      ...options,
      missingEnv: "keep",
      env: { ...env },
      applyEnv: false,
      paths: resolvePaths(env, options.profile),
    });
    // the file being replaced may not parse (that is often why it is replaced)
    let before: Record<string, unknown> = {};
    try {
      before = parseConfigText(text ?? "", file);
    } catch {
      before = {};
    }
    const changedPaths = diffConfigPaths(before, parsed);
    const backups = options.backups ?? 5;
    const backupPath = text !== undefined && backups > 0 ? await rotateBackups(file, backups) : undefined;
    await writeFileAtomic(file, raw, { mode: 0o600, fs: options.fs });
    const loaded = loadConfigSync({ ...options, path: file, applyEnv: false, missingEnv: "keep" });
    return {
      path: file,
      previousHash,
      hash: hashConfigText(raw),
      changedPaths,
      backupPath,
      formatting: "preserved",
      loaded,
    };
  });
}
