import { ConfigError, formatConfigIssue } from "./errors.js";
import { lineOfKeyPath } from "./json5-edit.js";
import { parseKeyPath } from "./key-path.js";
import { redactConfig } from "./redact.js";
import { hashConfigText, readConfigText } from "./text.js";
import type { ConfigIssue, LoadConfigOptions, LoadedConfig } from "./types.js";
import type { ConfigFileWatcher, WatchConfigOptions } from "./watcher.js";
import type { ConfigWriteResult } from "./write.js";

/** What `config.get` returns (shape the gateway's `ConfigSnapshot` expects). */
export interface ConfigStoreSnapshot {
  path: string;
  exists: boolean;
  raw: string | null;
  /** Effective config (defaults applied); `{}` when the file is invalid and nothing valid was loaded yet. */
  config: Record<string, unknown>;
  /** `sha256:<hex>` of the raw file ("" when missing): the `baseHash` for writes. */
  hash: string;
  /**
   * False when the file on disk does not parse or validate. `config` is then still the config
   * that runs (the last good one) while `raw`, `hash` and `issues` describe the file on disk, so a
   * write based on this snapshot applies to what is really there.
   */
  valid: boolean;
  issues?: ConfigStoreIssue[];
  /** The full load result of the config that runs. */
  loaded?: LoadedConfig;
}

/** One problem of the config file; `line`/`column` (1-based) when it points into the main file. */
export interface ConfigStoreIssue {
  path: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

export interface ConfigStore {
  readonly path: string;
  snapshot(): ConfigStoreSnapshot;
  /** Snapshot with secrets redacted (for `config.get` to clients). */
  redactedSnapshot(): ConfigStoreSnapshot;
  set(raw: string, baseHash?: string): Promise<ConfigStoreSnapshot>;
  patch(patch: Record<string, unknown>, baseHash?: string): Promise<ConfigStoreSnapshot>;
  setPath(path: string, value: unknown): Promise<ConfigStoreSnapshot>;
  /** JSON Schema of the config (input side: what a user may write); a promise from `openConfigStore`. */
  schema(): unknown;
  onChange(listener: (snapshot: ConfigStoreSnapshot) => void): () => void;
  /**
   * A rejected on-disk edit (syntax or schema error, empty file): the last good config stays
   * live and `snapshot()` turns `valid: false`. The snapshot carries the issues with file/line.
   */
  onError(listener: (error: Error, snapshot: ConfigStoreSnapshot) => void): () => void;
  close(): void;
}

type WriteOptions = LoadConfigOptions & { baseHash?: string };

/** The parts of a store that need validation code: given directly, or imported on first use. */
export interface ConfigStoreDeps {
  replaceConfigText(raw: string, options: WriteOptions): Promise<ConfigWriteResult>;
  patchConfig(patch: Record<string, unknown>, options: WriteOptions): Promise<ConfigWriteResult>;
  setConfigValue(path: string, value: unknown, options: WriteOptions): Promise<ConfigWriteResult>;
  schema(): unknown;
  watch(options: WatchConfigOptions & { initial?: LoadedConfig }): ConfigFileWatcher;
}

export function issueList(issues: ConfigIssue[]): ConfigStoreIssue[] {
  return issues.map((issue) => ({ path: issue.path, message: formatConfigIssue(issue) }));
}

function keyLine(text: string | undefined, keyPath: string): number | undefined {
  if (text === undefined || keyPath === "") return undefined;
  try {
    return lineOfKeyPath(text, parseKeyPath(keyPath));
  } catch {
    return undefined;
  }
}

/**
 * The issues of a rejected config file, each with the file and (when it is in the main file) the
 * line: a syntax error has its own; a schema error gets the line its key is written on.
 */
export function rejectedIssues(error: Error, mainFile: string, mainText?: string): ConfigStoreIssue[] {
  if (!ConfigError.isInstance(error)) return [{ path: "", message: error.message, file: mainFile }];
  const file = error.file ?? mainFile;
  const textOf = (name: string) => (name === mainFile ? mainText : undefined);
  if (error.issues.length === 0) {
    const line = error.line ?? keyLine(textOf(file), error.keyPath ?? "");
    return [
      {
        path: error.keyPath ?? "",
        // the first line only: a syntax error's excerpt of the file may hold a secret, and
        // issues reach read-scoped clients (config.get) and the log
        message: error.message.split("\n")[0]!,
        file,
        ...(line !== undefined ? { line } : {}),
        ...(error.column !== undefined ? { column: error.column } : {}),
      },
    ];
  }
  return error.issues
    .filter((issue) => issue.severity === "error")
    .map((issue) => {
      const where = issue.file ?? file;
      const line = keyLine(textOf(where), issue.path);
      return {
        path: issue.path,
        message: formatConfigIssue(issue),
        file: where,
        ...(line !== undefined ? { line } : {}),
      };
    });
}

/**
 * The snapshot while the file on disk is rejected: the last good config keeps running; raw, hash
 * and issues are the file's, so `config.get` shows the problem and writes apply to the real file.
 */
export function rejectedSnapshot(running: ConfigStoreSnapshot, error: Error): ConfigStoreSnapshot {
  let raw: string | undefined;
  try {
    raw = readConfigText(running.path);
  } catch {
    raw = undefined;
  }
  return {
    ...running,
    exists: raw !== undefined,
    raw: raw ?? null,
    hash: `sha256:${hashConfigText(raw ?? "")}`,
    valid: false,
    issues: rejectedIssues(error, running.path, raw),
  };
}

export function snapshotOf(loaded: LoadedConfig): ConfigStoreSnapshot {
  return {
    path: loaded.path,
    exists: loaded.exists,
    raw: loaded.exists ? loaded.raw : null,
    config: loaded.config as unknown as Record<string, unknown>,
    hash: `sha256:${loaded.hash}`,
    valid: true,
    issues: issueList(loaded.issues),
    loaded,
  };
}

/**
 * The store behind `createConfigStore` / `openConfigStore`: `snapshot()` is synchronous and always
 * the last good config; writes go through the guarded write path; on-disk edits are watched (when
 * anyone subscribes) and announced through `onChange`.
 */
export function buildConfigStore(
  initial: ConfigStoreSnapshot,
  options: WatchConfigOptions,
  deps: ConfigStoreDeps,
): ConfigStore {
  let current = initial;
  let lastGood = initial.valid ? initial.loaded : undefined;
  const listeners = new Set<(snapshot: ConfigStoreSnapshot) => void>();
  const errorListeners = new Set<(error: Error, snapshot: ConfigStoreSnapshot) => void>();
  let watcher: ConfigFileWatcher | undefined;
  const publish = (snapshot: ConfigStoreSnapshot) => {
    current = snapshot;
    for (const listener of listeners) listener(snapshot);
  };
  const reject = (error: Error) => {
    current = rejectedSnapshot(lastGood ? snapshotOf(lastGood) : current, error);
    for (const listener of errorListeners) listener(error, current);
  };
  const ensureWatcher = () => {
    if (watcher) return;
    try {
      watcher = deps.watch({ ...options, path: current.path || options.path, initial: lastGood });
      watcher.on("change", (change) => {
        lastGood = change.loaded;
        publish(snapshotOf(change.loaded));
      });
      watcher.on("recovered", (loaded) => {
        lastGood = loaded;
        current = snapshotOf(loaded);
      });
      watcher.on("error", reject);
    } catch (error) {
      for (const listener of errorListeners) listener(error as Error, current);
    }
  };
  // one change, one notification: the watcher also sees the file event of this write, and
  // whichever of the two handles it first announces it
  const afterWrite = (result: ConfigWriteResult) => {
    lastGood = result.loaded;
    const snapshot = snapshotOf(result.loaded);
    if (!watcher || watcher.adopt(result.loaded)) publish(snapshot);
    else current = snapshot;
    return snapshot;
  };
  const writeOptions = (baseHash?: string) => ({ ...options, path: current.path || options.path, baseHash });
  return {
    get path() {
      return current.path;
    },
    snapshot: () => current,
    redactedSnapshot: () => ({
      ...current,
      raw: null,
      config: redactConfig(current.config),
      loaded: undefined,
    }),
    set: async (raw, baseHash) => afterWrite(await deps.replaceConfigText(raw, writeOptions(baseHash))),
    patch: async (patch, baseHash) => afterWrite(await deps.patchConfig(patch, writeOptions(baseHash))),
    setPath: async (path, value) => afterWrite(await deps.setConfigValue(path, value, writeOptions())),
    schema: () => deps.schema(),
    onChange(listener) {
      listeners.add(listener);
      ensureWatcher();
      return () => listeners.delete(listener);
    },
    onError(listener) {
      errorListeners.add(listener);
      return () => errorListeners.delete(listener);
    },
    close() {
      watcher?.close();
      listeners.clear();
      errorListeners.clear();
    },
  };
}
