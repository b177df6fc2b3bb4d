export {
  getDefaultAgentId,
  listAgentIds,
  type ResolvedAgent,
  resolveAgent,
  resolveGatewayAuth,
  resolveGatewayPort,
  resolveModelAliases,
} from "./agents.js";
export { normalizeConfigAliases } from "./aliases.js";
export { type ConfigFileCheck, checkConfigFile } from "./check.js";
export {
  type ConfigStore,
  type ConfigStoreSnapshot,
  configJsonSchema,
  createConfigStore,
} from "./config-store.js";
export { ConfigError, type ConfigErrorCode, formatConfigIssue } from "./errors.js";
export { setJson5Value, unsetJson5Value } from "./json5-edit.js";
export { formatKeyPath, getAtPath, type KeyPath, parseKeyPath } from "./key-path.js";
export { defaultConfig, evaluateConfig, hashConfigText, loadConfig, loadConfigSync } from "./load.js";
export { expandHome, type OpenClawPaths, resolvePaths } from "./paths.js";
export {
  isSensitiveConfigPath,
  REDACTED,
  redactConfig,
  redactValue,
  SENSITIVE_CONFIG_PATHS,
} from "./redact.js";
export {
  channelConfigSchema,
  channelSharedShape,
  openClawConfigSchema,
  secretInputSchema,
} from "./schema.js";
export {
  isSecretRef,
  type ResolvedSecrets,
  type ResolveSecretsOptions,
  resolveSecretRefs,
  type SecretRef,
} from "./secrets.js";
export { isCurrentLoad, type OpenConfigStoreOptions, openConfigStore } from "./store.js";
export type { ConfigStoreIssue } from "./store-core.js";
export type {
  AgentDefaultsConfig,
  AgentEntryConfig,
  AgentModelConfig,
  AgentsConfig,
  BindingConfig,
  ChannelConfig,
  ConfigIssue,
  CronConfig,
  CronJobConfig,
  GatewayAuthConfig,
  GatewayBind,
  GatewayConfig,
  LegacyKeyUse,
  LoadConfigOptions,
  LoadedConfig,
  LoggingConfig,
  MessagesConfig,
  ModelProviderConfig,
  ModelsConfig,
  OpenClawConfig,
  OpenClawConfigFile,
  ReloadMode,
  SecretInput,
  SessionConfig,
  ToolsConfig,
} from "./types.js";
export { knownKeysAt, suggestKey, type ValidationResult, validateConfigObject } from "./validate.js";
export {
  type ConfigChange,
  ConfigFileWatcher,
  type ConfigLoaderOptions,
  ConfigWatcher,
  type ConfigWatcherEvents,
  classifyConfigPath,
  planReload,
  type ReloadClass,
  refuseEmptyConfigFile,
  type WatchConfigOptions,
  watchConfig,
} from "./watch.js";
export {
  applyConfig,
  type ConfigEdit,
  type ConfigWriteOptions,
  type ConfigWriteResult,
  diffConfigPaths,
  diffToEdits,
  editConfigFile,
  initConfigFile,
  patchConfig,
  replaceConfigText,
  setConfigValue,
  unsetConfigValue,
} from "./write.js";
