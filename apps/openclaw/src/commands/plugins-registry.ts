import { createRequire } from "node:module";
import { dirname } from "node:path";
import type { BundledPlugin, PluginRegistry } from "@openclaw/core/plugins";
import type { ChannelLogger } from "@openclaw/protocol";

/**
 * The plugins this application ships. Each loads through the same registry as a third party's:
 * its package's `openclaw.plugin.json` is read, and its module is imported by package name only
 * when a channel account is configured or a provider is needed. Adding a bundled channel or
 * provider package is one line here (plus the package's manifest).
 */
const BUNDLED: [name: string, load: () => Promise<unknown>][] = [
  ["@openclaw/channels-telegram", () => import("@openclaw/channels-telegram")],
  ["@openclaw/channels-discord", () => import("@openclaw/channels-discord")],
  ["@openclaw/channels-slack", () => import("@openclaw/channels-slack")],
  ["@openclaw/providers-openai", () => import("@openclaw/providers-openai")],
  ["@openclaw/providers-anthropic", () => import("@openclaw/providers-anthropic")],
  ["@openclaw/providers-gemini", () => import("@openclaw/providers-gemini")],
  ["@openclaw/providers-ollama", () => import("@openclaw/providers-ollama")],
];

/** The bundled plugins whose package is installed (a missing optional package is skipped). */
export function bundledPlugins(): BundledPlugin[] {
  const require = createRequire(import.meta.url);
  const found: BundledPlugin[] = [];
  for (const [name, load] of BUNDLED) {
    try {
      found.push({ dir: dirname(require.resolve(`${name}/package.json`)), load });
    } catch {
      // not installed: its channel or provider is reported missing where it is used
    }
  }
  return found;
}

/** The registry for a config: bundled, installed (`<stateDir>/extensions`) and `plugins.load.paths`. */
export async function openPluginRegistry(options: {
  config: Record<string, unknown>;
  stateDir: string;
  /** The config file (default: the environment's): relative `plugins.load.paths` start from its directory. */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  logger?: ChannelLogger;
}): Promise<PluginRegistry> {
  const { createPluginRegistry } = await import("@openclaw/core/plugins");
  const { localPaths } = await import("./gateway-local.js");
  const configPath = options.configPath ?? localPaths(options.env ?? process.env).configPath;
  return createPluginRegistry({
    config: options.config,
    stateDir: options.stateDir,
    bundled: bundledPlugins(),
    configDir: dirname(configPath),
    ...(options.env ? { env: options.env } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

/** The registry for the CLI: the local config file and state dir. */
export async function localPluginRegistry(env: NodeJS.ProcessEnv = process.env): Promise<PluginRegistry> {
  const { localPaths, readLocalConfig } = await import("./gateway-local.js");
  const paths = localPaths(env);
  const { config } = readLocalConfig(paths);
  return openPluginRegistry({ config, stateDir: paths.stateDir, configPath: paths.configPath, env });
}

/** The gateway's pino-style logger (`logger.error(obj, msg)`) as the registry's logger. */
export function pluginLogger(logger: {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}): ChannelLogger {
  const tag = (data?: Record<string, unknown>) => ({ ...data, component: "plugins" });
  return {
    debug: (message, data) => logger.debug(tag(data), message),
    info: (message, data) => logger.info(tag(data), message),
    warn: (message, data) => logger.warn(tag(data), message),
    error: (message, data) => logger.error(tag(data), message),
  };
}
