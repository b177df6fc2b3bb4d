import { ConfigError } from "./errors.js";
import { loadConfigSync } from "./load.js";
import { type ConfigStoreIssue, rejectedIssues } from "./store-core.js";
import { readConfigText } from "./text.js";
import type { LoadConfigOptions, LoadedConfig } from "./types.js";
import { refuseEmptyConfigFile } from "./watcher.js";

/** What `openclaw status` / `doctor` say about the config file on disk. */
export interface ConfigFileCheck {
  path: string;
  exists: boolean;
  /** False when a running gateway would skip this file (`config reload skipped`). */
  valid: boolean;
  /** With file and line when known (a syntax error's own, else the line of the key). */
  issues: ConfigStoreIssue[];
  /** The load result when valid. */
  loaded?: LoadedConfig;
  error?: Error;
}

/**
 * Check the config file the way a running gateway's reload does: a syntax or schema error, or an
 * empty file (an editor mid-save), makes it invalid; the gateway then keeps its last good config.
 */
export function checkConfigFile(options: LoadConfigOptions = {}): ConfigFileCheck {
  let loaded: LoadedConfig;
  try {
    // a `${VAR}` this shell lacks may be set in the gateway's own environment: not a file problem
    loaded = loadConfigSync({ missingEnv: "keep", ...options, applyEnv: false });
    if (loaded.exists) refuseEmptyConfigFile(loaded.path);
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    const path = error.file ?? "";
    let text: string | undefined;
    try {
      text = path ? readConfigText(path) : undefined;
    } catch {
      text = undefined;
    }
    return {
      path,
      exists: text !== undefined,
      valid: false,
      issues: rejectedIssues(error, path, text),
      error,
    };
  }
  return { path: loaded.path, exists: loaded.exists, valid: true, issues: [], loaded };
}
