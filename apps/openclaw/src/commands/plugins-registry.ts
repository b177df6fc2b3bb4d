import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { BundledPlugin, PluginRegistry } from "@openclaw/core/plugins";
import type { ChannelLogger } from "@openclaw/protocol";

/**
 * The plugins this application ships: every dependency of `@openclaw/cli` whose package has an
 * `openclaw.plugin.json`. Each loads through the same registry as a third party's: its manifest
 * is read, and its module is imported by package name only when a channel account is configured
 * or a provider is needed. Adding a bundled channel or provider is adding the package (with its
 * manifest) to the CLI's dependencies; nothing here names one.
 */
export function bundledPlugins(): BundledPlugin[] {
  const require = createRequire(import.meta.url);
  const app = JSON.parse(readFileSync(require.resolve("@openclaw/cli/package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  const found: BundledPlugin[] = [];
  for (const name of Object.keys(app.dependencies ?? {})) {
    let dir: string;
    try {
      dir = dirname(require.resolve(`${name}/package.json`));
    } catch {
      continue; // not installed, or a package that does not export its package.json
    }
    if (existsSync(join(dir, "openclaw.plugin.json"))) found.push({ dir, load: () => import(name) });
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
