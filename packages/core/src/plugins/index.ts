/**
 * `@openclaw/core/plugins`: the channel and provider plugin registry. Discovery reads manifests
 * only (node:fs); plugin modules, and the config-schema check, load on demand.
 */
export {
  type BundledPlugin,
  type DiscoveredPlugin,
  type DiscoverOptions,
  discoverPlugins,
  type PluginRecord,
  type PluginState,
  type PluginsConfig,
  pluginsConfigOf,
} from "./discover.js";
export type { PluginFactoryContext, ProviderContribution } from "./load.js";
export {
  isInside,
  MANIFEST_FILE,
  PLUGIN_ID_PATTERN,
  PluginError,
  type PluginErrorCode,
  type PluginKind,
  type PluginManifest,
  type PluginOrigin,
  type PluginPackage,
  parseManifest,
  readPluginPackage,
} from "./manifest.js";
export {
  createPluginRegistry,
  type LoadedProviders,
  type PluginIssue,
  type PluginRegistry,
  type PluginRegistryOptions,
} from "./registry.js";
