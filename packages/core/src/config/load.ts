import { createHash } from "node:crypto";
import { readFileSync, realpathSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { normalizeConfigAliases } from "./aliases.js";
import { applyEnvVars, envBlockVars, readDotEnvFile, substituteEnv } from "./env.js";
import { ConfigError, formatConfigIssue } from "./errors.js";
import { parseJson5, resolveIncludes } from "./includes.js";
import { isPlainObject } from "./key-path.js";
import { expandHome, type OpenClawPaths, resolvePaths } from "./paths.js";
import type { ConfigIssue, LoadConfigOptions, LoadedConfig, OpenClawConfig } from "./types.js";
import { validateConfigObject } from "./validate.js";

export function hashConfigText(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Read the main config file: `undefined` text when it does not exist. */
export function readConfigText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    const reason =
      code === "EACCES" ? "permission denied" : code === "EISDIR" ? "is a directory" : String(code ?? error);
    throw new ConfigError("CONFIG_READ", `${file}: cannot read config: ${reason}`, { file, cause: error });
  }
}

/** Parse config text as JSON5 and check the root is an object. */
export function parseConfigText(text: string, file: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  const parsed = parseJson5(text, file);
  if (!isPlainObject(parsed)) {
    throw new ConfigError(
      "CONFIG_INVALID",
      `${file}: the config must be a JSON5 object ({ ... }), got ${Array.isArray(parsed) ? "an array" : typeof parsed}`,
      {
        file,
        keyPath: "",
      },
    );
  }
  return parsed;
}

interface Resolved {
  tree: Record<string, unknown>;
  includedFiles: string[];
  envApplied: { name: string; source: string }[];
}

/** Steps 2–4 of the pipeline: includes, env sources, `${VAR}` substitution. */
function resolveTree(
  parsed: Record<string, unknown>,
  file: string,
  paths: OpenClawPaths,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Resolved {
  const extraRoots = (env.OPENCLAW_INCLUDE_ROOTS ?? "")
    .split(delimiter)
    .filter(Boolean)
    .map((root) => realOrSelf(expandHome(root, paths.homeDir, cwd)));
  const context = {
    allowedRoots: [realOrSelf(dirname(file)), realOrSelf(paths.stateDir), ...extraRoots],
    files: [] as string[],
  };
  const included = resolveIncludes(parsed, realOrSelf(file), context) as Record<string, unknown>;
  const envApplied: { name: string; source: string }[] = [];
  for (const envFile of [join(cwd, ".env"), paths.envFile]) {
    const vars = readDotEnvFile(envFile);
    if (vars) applyEnvVars(env, vars, envFile, envApplied);
  }
  applyEnvVars(env, envBlockVars(included.env), "config env", envApplied);
  const tree = substituteEnv(included, env, file) as Record<string, unknown>;
  return { tree, includedFiles: context.files, envApplied };
}

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
  const { tree, includedFiles, envApplied } = resolveTree(parsed, file, options.paths, env, cwd);
  const normalized = normalizeConfigAliases(tree);
  const result = validateConfigObject(normalized.config, { channelSchemas: options.channelSchemas });
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
  return {
    config: result.config,
    issues: [...result.warnings, ...legacyIssues].map((issue) => ({ ...issue, file })),
    ignoredKeys: result.ignoredKeys,
    legacyKeys: normalized.legacy,
    includedFiles,
    envApplied,
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
