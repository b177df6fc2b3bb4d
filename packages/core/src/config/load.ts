import { resolve } from "node:path";
import { normalizeConfigAliases } from "./aliases.js";
import { ConfigError, formatConfigIssue } from "./errors.js";
import { isPlainObject } from "./key-path.js";
import { expandHome, type OpenClawPaths, resolvePaths } from "./paths.js";
import { hashConfigText, parseConfigText, readConfigText, resolveConfigTree } from "./read.js";
import { resolveSecretRefs } from "./secrets.js";
import type { ConfigIssue, LoadConfigOptions, LoadedConfig, OpenClawConfig } from "./types.js";
import { validateConfigObject } from "./validate.js";

export { hashConfigText, parseConfigText, readConfigText };

/** Fill in defaults that depend on paths/profile (absolute workspaces, dev port). */
function applyRuntimeDefaults(
  config: OpenClawConfig,
  parsedTree: Record<string, unknown>,
  paths: OpenClawPaths,
  cwd: string,
): void {
  const defaults = config.agents.defaults;
  defaults.workspace = expandHome(defaults.workspace ?? paths.workspaceDir, paths.homeDir, cwd);
  for (const agent of config.agents.list) {
    if (agent.workspace) agent.workspace = expandHome(agent.workspace, paths.homeDir, cwd);
    if (agent.agentDir) agent.agentDir = expandHome(agent.agentDir, paths.homeDir, cwd);
  }
  const gatewayBlock = isPlainObject(parsedTree.gateway) ? parsedTree.gateway : {};
  if (paths.profile === "dev" && gatewayBlock.port === undefined) config.gateway.port = 19001;
  if (config.cron.store) config.cron.store = expandHome(config.cron.store, paths.homeDir, cwd);
}

export interface EvaluatedConfig {
  config: OpenClawConfig;
  issues: ConfigIssue[];
  ignoredKeys: string[];
  legacyKeys: LoadedConfig["legacyKeys"];
  includedFiles: string[];
  envApplied: LoadedConfig["envApplied"];
  envFiles: string[];
  secretFiles: string[];
}

/**
 * Run the pipeline on already-parsed file content (used by the loader, by writes to validate
 * before writing, and by the watcher). Throws ConfigError on any error.
 */
export function evaluateConfig(
  parsed: Record<string, unknown>,
  file: string,
  options: LoadConfigOptions & { paths: OpenClawPaths },
): EvaluatedConfig {
  const baseEnv = options.env ?? process.env;
  const env = options.applyEnv === false ? { ...baseEnv } : baseEnv;
  const cwd = options.cwd ?? process.cwd();
  const { tree, includedFiles, envApplied, envFiles } = resolveConfigTree(
    parsed,
    file,
    options.paths,
    env,
    cwd,
    options.missingEnv,
  );
  const normalized = normalizeConfigAliases(tree);
  const channelSchemas = { ...options.channelSchemas };
  for (const plugin of options.channelPlugins ?? [])
    if (plugin.configSchema) channelSchemas[plugin.id] ??= plugin.configSchema;
  const result = validateConfigObject(normalized.config, { channelSchemas });
  const legacyIssues: ConfigIssue[] = normalized.legacy.map((use) => ({
    severity: "warning",
    code: use.rewrite ? "legacy_key" : "alternate_key",
    path: use.path,
    message: `accepted alternate spelling of ${use.canonical} (${use.note})`,
  }));
  if (!result.ok || !result.config) {
    const lines = result.errors.map(formatConfigIssue);
    throw new ConfigError(
      "CONFIG_INVALID",
      `Invalid config at ${file}:\n${lines.map((line) => `  - ${line}`).join("\n")}`,
      {
        file,
        keyPath: result.errors[0]?.path,
        issues: [...result.errors, ...result.warnings].map((issue) => ({ ...issue, file })),
      },
    );
  }
  applyRuntimeDefaults(result.config, tree, options.paths, cwd);
  // SecretRefs at secret keys become the secret itself in the effective config (redaction
  // still applies: they sit at sensitive paths); the file on disk keeps the ref
  const secrets = resolveSecretRefs(result.config as unknown as Record<string, unknown>, {
    env,
    configFile: file,
    homeDir: options.paths.homeDir,
    cwd,
    missing: options.missingEnv ?? "error",
  });
  return {
    config: result.config,
    issues: [...result.warnings, ...legacyIssues, ...secrets.issues].map((issue) => ({ ...issue, file })),
    ignoredKeys: result.ignoredKeys,
    legacyKeys: normalized.legacy,
    includedFiles,
    envApplied,
    envFiles,
    secretFiles: secrets.files,
  };
}

/**
 * Load the OpenClaw config: JSON5 → `$include` → .env files (cwd, then state dir) and the `env`
 * block (never overriding) → `${VAR}` → alias normalization → zod validation → defaults.
 * A missing file yields safe defaults. Throws `ConfigError` (code CONFIG_PARSE / CONFIG_INCLUDE /
 * CONFIG_ENV_MISSING / CONFIG_INVALID / CONFIG_READ).
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  return loadConfigSync(options);
}

/** Synchronous variant of `loadConfig` (CLI fast paths, watchers). */
export function loadConfigSync(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const paths = resolvePaths(env, options.profile);
  const cwd = options.cwd ?? process.cwd();
  const file = options.path ? resolve(cwd, expandHome(options.path, paths.homeDir, cwd)) : paths.configPath;
  const text = readConfigText(file);
  const raw = text ?? "";
  const parsed = parseConfigText(raw, file);
  const evaluated = evaluateConfig(parsed, file, { ...options, env, cwd, paths });
  return {
    ...evaluated,
    path: file,
    exists: text !== undefined,
    raw,
    parsed,
    hash: hashConfigText(raw),
    paths,
  };
}

/** The effective config when no file exists (agent `main`, loopback:18789, default workspace). */
export function defaultConfig(options: { env?: NodeJS.ProcessEnv; profile?: string } = {}): OpenClawConfig {
  const env = options.env ?? process.env;
  const paths = resolvePaths(env, options.profile);
  return evaluateConfig({}, paths.configPath, { env: { ...env }, applyEnv: false, paths, cwd: process.cwd() })
    .config;
}
