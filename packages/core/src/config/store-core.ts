import { formatConfigIssue } from "./errors.js";
import { redactConfig } from "./redact.js";
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
  valid: boolean;
  issues?: { path: string; message: string }[];
  /** The full load result when valid. */
  loaded?: LoadedConfig;
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
  /** Errors of rejected on-disk edits (the last good config stays live). */
  onError(listener: (error: Error) => void): () => void;
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

export function issueList(issues: ConfigIssue[]): { path: string; message: string }[] {
  return issues.map((issue) => ({ path: issue.path, message: formatConfigIssue(issue) }));
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
  const errorListeners = new Set<(error: Error) => void>();
  let watcher: ConfigFileWatcher | undefined;
  const publish = (snapshot: ConfigStoreSnapshot) => {
    current = snapshot;
    for (const listener of listeners) listener(snapshot);
  };
  const ensureWatcher = () => {
    if (watcher) return;
    try {
      watcher = deps.watch({ ...options, path: current.path || options.path, initial: lastGood });
      watcher.on("change", (change) => {
        lastGood = change.loaded;
        publish(snapshotOf(change.loaded));
      });
      watcher.on("error", (error) => {
        for (const listener of errorListeners) listener(error);
      });
    } catch (error) {
      for (const listener of errorListeners) listener(error as Error);
    }
  };
  const afterWrite = (result: ConfigWriteResult) => {
    lastGood = result.loaded;
    if (watcher) watcher.current = result.loaded;
    const snapshot = snapshotOf(result.loaded);
    publish(snapshot);
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
