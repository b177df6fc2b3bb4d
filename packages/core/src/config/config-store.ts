import { z } from "zod";
import { ConfigError, formatConfigIssue } from "./errors.js";
import { hashConfigText, loadConfigSync, readConfigText } from "./load.js";
import { redactConfig } from "./redact.js";
import { openClawConfigSchema } from "./schema.js";
import type { ConfigIssue, LoadConfigOptions, LoadedConfig } from "./types.js";
import { type ConfigWatcher, type WatchConfigOptions, watchConfig } from "./watch.js";
import { type ConfigWriteResult, patchConfig, replaceConfigText, setConfigValue } from "./write.js";

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
  /** JSON Schema of the config (input side: what a user may write). */
  schema(): unknown;
  onChange(listener: (snapshot: ConfigStoreSnapshot) => void): () => void;
  /** Errors of rejected on-disk edits (the last good config stays live). */
  onError(listener: (error: Error) => void): () => void;
  close(): void;
}

function issueList(issues: ConfigIssue[]): { path: string; message: string }[] {
  return issues.map((issue) => ({ path: issue.path, message: formatConfigIssue(issue) }));
}

function fromLoaded(loaded: LoadedConfig): ConfigStoreSnapshot {
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
 * The config behind one small interface for the gateway: `snapshot()` is synchronous and always
 * the last good config; writes go through the guarded write path; on-disk edits are watched
 * (when anyone subscribes) and announced through `onChange`.
 */
let schemaCache: unknown;

export function createConfigStore(options: WatchConfigOptions = {}): ConfigStore {
  let current: ConfigStoreSnapshot;
  let lastGood: LoadedConfig | undefined;
  try {
    lastGood = loadConfigSync(options);
    current = fromLoaded(lastGood);
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    const path = error.file ?? options.path ?? "";
    const raw = path ? (readConfigText(path) ?? null) : null;
    current = {
      path,
      exists: raw !== null,
      raw,
      config: {},
      hash: `sha256:${hashConfigText(raw ?? "")}`,
      valid: false,
      issues:
        error.issues.length > 0
          ? issueList(error.issues)
          : [{ path: error.keyPath ?? "", message: error.message }],
    };
  }
  const listeners = new Set<(snapshot: ConfigStoreSnapshot) => void>();
  const errorListeners = new Set<(error: Error) => void>();
  let watcher: ConfigWatcher | undefined;
  const publish = (snapshot: ConfigStoreSnapshot) => {
    current = snapshot;
    for (const listener of listeners) listener(snapshot);
  };
  const ensureWatcher = () => {
    if (watcher) return;
    try {
      watcher = watchConfig({ ...options, path: current.path || options.path, initial: lastGood });
      watcher.on("change", (change) => {
        lastGood = change.loaded;
        publish(fromLoaded(change.loaded));
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
    const snapshot = fromLoaded(result.loaded);
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
    set: async (raw, baseHash) => afterWrite(await replaceConfigText(raw, writeOptions(baseHash))),
    patch: async (patch, baseHash) => afterWrite(await patchConfig(patch, writeOptions(baseHash))),
    setPath: async (path, value) => afterWrite(await setConfigValue(path, value, writeOptions())),
    schema() {
      schemaCache ??= z.toJSONSchema(openClawConfigSchema, { io: "input", unrepresentable: "any" });
      return schemaCache;
    },
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

export type { LoadConfigOptions };
