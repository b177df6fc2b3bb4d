import { z } from "zod";
import { ConfigError } from "./errors.js";
import { hashConfigText, loadConfigSync, readConfigText } from "./load.js";
import { openClawConfigSchema } from "./schema.js";
import {
  buildConfigStore,
  type ConfigStore,
  type ConfigStoreDeps,
  type ConfigStoreSnapshot,
  issueList,
  snapshotOf,
} from "./store-core.js";
import type { LoadConfigOptions } from "./types.js";
import { type WatchConfigOptions, watchConfig } from "./watch.js";
import { patchConfig, replaceConfigText, setConfigValue } from "./write.js";

export type { ConfigStore, ConfigStoreSnapshot };

let schemaCache: unknown;

/** JSON Schema of the config file (input side: what a user may write). */
export function configJsonSchema(): unknown {
  schemaCache ??= z.toJSONSchema(openClawConfigSchema, { io: "input", unrepresentable: "any" });
  return schemaCache;
}

/** The store's validation-backed parts, loaded with this module. */
export const eagerStoreDeps: ConfigStoreDeps = {
  replaceConfigText,
  patchConfig,
  setConfigValue,
  schema: configJsonSchema,
  watch: (options) => watchConfig(options),
};

/** Load the config now; an invalid file gives an invalid snapshot (issues listed), not a throw. */
export function initialSnapshot(options: WatchConfigOptions): ConfigStoreSnapshot {
  try {
    return snapshotOf(loadConfigSync(options));
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    const path = error.file ?? options.path ?? "";
    const raw = path ? (readConfigText(path) ?? null) : null;
    return {
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
}

/**
 * The config behind one small interface for the gateway: `snapshot()` is synchronous and always
 * the last good config; writes go through the guarded write path; on-disk edits are watched
 * (when anyone subscribes) and announced through `onChange`.
 */
export function createConfigStore(options: WatchConfigOptions = {}): ConfigStore {
  return buildConfigStore(initialSnapshot(options), options, eagerStoreDeps);
}

export type { LoadConfigOptions };
