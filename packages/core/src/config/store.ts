/**
 * `@openclaw/core/config/store`: the config store without validation code in memory until it is
 * needed. A long-running process (the gateway) that received an already-validated config — from
 * the process that exec'd it, see `openConfigStore({ preloaded })` — serves `snapshot()` from it
 * and imports the loader, the zod schema and the write path only on the first edit, write or
 * `schema()` call. Nothing here imports zod statically.
 */
import { expandHome, type OpenClawPaths, resolvePaths } from "./paths.js";
import {
  buildConfigStore,
  type ConfigStore,
  type ConfigStoreDeps,
  type ConfigStoreSnapshot,
  snapshotOf,
} from "./store-core.js";
import { hashConfigText, readConfigText } from "./text.js";
import type { LoadedConfig } from "./types.js";
import { ConfigFileWatcher, type WatchConfigOptions } from "./watcher.js";

export type { ConfigStore, ConfigStoreSnapshot, LoadedConfig, OpenClawPaths, WatchConfigOptions };
export { expandHome, hashConfigText, readConfigText, resolvePaths };

const lazyDeps: ConfigStoreDeps = {
  replaceConfigText: async (raw, options) => (await import("./write.js")).replaceConfigText(raw, options),
  patchConfig: async (patch, options) => (await import("./write.js")).patchConfig(patch, options),
  setConfigValue: async (path, value, options) =>
    (await import("./write.js")).setConfigValue(path, value, options),
  schema: async () => (await import("./config-store.js")).configJsonSchema(),
  watch: (options) =>
    new ConfigFileWatcher({
      ...options,
      loadLater: async () => (await import("./load.js")).loadConfigSync,
    }),
};

export interface OpenConfigStoreOptions extends WatchConfigOptions {
  /**
   * A config loaded (and validated) earlier, e.g. by the process that exec'd this one. Used when
   * its file still hashes the same (`isCurrentLoad`); otherwise the store loads normally.
   */
  preloaded?: LoadedConfig;
}

/** Is this load result still what is on disk (same main file, same bytes)? */
export function isCurrentLoad(loaded: LoadedConfig): boolean {
  const text = readConfigText(loaded.path);
  return (text !== undefined) === loaded.exists && hashConfigText(text ?? "") === loaded.hash;
}

/**
 * Open the config store. With a current `preloaded` config no validation code is loaded until
 * an edit, a write or `schema()` needs it; otherwise this is `createConfigStore` (loads now).
 */
export async function openConfigStore(options: OpenConfigStoreOptions = {}): Promise<ConfigStore> {
  const { preloaded, ...rest } = options;
  if (preloaded && isCurrentLoad(preloaded)) return buildConfigStore(snapshotOf(preloaded), rest, lazyDeps);
  const { createConfigStore } = await import("./config-store.js");
  return createConfigStore(rest);
}
