import { loadConfigSync } from "./load.js";
import { ConfigFileWatcher, type ConfigLoaderOptions, type WatchConfigOptions } from "./watcher.js";

export * from "./watcher.js";

/**
 * The config watcher with the full loader built in. `ConfigFileWatcher` (./watcher.js) is the
 * same class without a static dependency on validation, for processes that keep it lazy.
 */
export class ConfigWatcher extends ConfigFileWatcher {
  constructor(options: WatchConfigOptions & ConfigLoaderOptions) {
    super({ load: loadConfigSync, ...options });
  }
}

/** Start watching the config. Throws (like `loadConfig`) when the initial config is invalid. */
export function watchConfig(options: WatchConfigOptions = {}): ConfigWatcher {
  return new ConfigWatcher(options);
}
