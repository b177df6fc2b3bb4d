import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  MANIFEST_FILE,
  type PluginErrorCode,
  type PluginKind,
  type PluginOrigin,
  type PluginPackage,
  readPluginPackage,
} from "./manifest.js";

/** A plugin shipped with the application: its package directory and how to import it. */
export interface BundledPlugin {
  /** The package directory (holds `openclaw.plugin.json` and `package.json`). */
  dir: string;
  /**
   * Import the module. Bundled packages are imported by package name (so bundlers and the
   * source-mode test runner resolve them) instead of by the file `openclaw.extensions` names.
   */
  load(): Promise<unknown>;
}

/** The `plugins` block of the OpenClaw config (the keys discovery reads). */
export interface PluginsConfig {
  enabled?: boolean;
  allow?: string[];
  deny?: string[];
  load?: { paths?: string[] };
  entries?: Record<string, { enabled?: boolean; config?: Record<string, unknown> } | undefined>;
}

/**
 * `enabled`: found and allowed, its module not imported yet. `loaded`: imported and checked.
 * `disabled`: turned off by config. `error`: cannot be used (see `error`).
 */
export type PluginState = "enabled" | "loaded" | "disabled" | "error";

/** One discovered plugin, as `openclaw plugins list` shows it. */
export interface PluginRecord {
  id: string;
  kind: PluginKind | "unknown";
  origin: PluginOrigin;
  dir: string;
  /** The module the host imports (bundled: the package's `openclaw.extensions` entry, for display). */
  entry?: string;
  name?: string;
  description?: string;
  version?: string;
  packageName?: string;
  /** Channel ids a channel plugin serves (`channels.<id>`). */
  channels: string[];
  /** Provider ids a provider plugin serves as ready instances. */
  providers: string[];
  /** Wire APIs a provider plugin's `fromConfig` builds providers for. */
  apis: string[];
  configSchema?: Record<string, unknown>;
  state: PluginState;
  disabledReason?: string;
  error?: { code: PluginErrorCode; message: string };
}

export interface DiscoverOptions {
  /** The OpenClaw config (its `plugins` block is read). */
  config: Record<string, unknown>;
  /** State dir: installed plugins live in `<stateDir>/extensions/<id>`. */
  stateDir: string;
  /** Base of relative `plugins.load.paths` (the config file's directory; default the cwd). */
  configDir?: string;
  bundled?: readonly BundledPlugin[];
  env?: NodeJS.ProcessEnv;
}

/** A discovered plugin and how to import it (undefined for records in error). */
export interface DiscoveredPlugin {
  record: PluginRecord;
  pkg?: PluginPackage;
  load?: () => Promise<unknown>;
}

export function pluginsConfigOf(config: Record<string, unknown>): PluginsConfig {
  const block = config.plugins;
  return typeof block === "object" && block !== null ? (block as PluginsConfig) : {};
}

function expand(path: string, base: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME ?? env.USERPROFILE ?? "";
  if (path === "~" || path.startsWith("~/")) return join(home, path.slice(1));
  return resolve(base, path);
}

function subdirectories(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => (entry.isDirectory() || entry.isSymbolicLink()) && !entry.name.startsWith("."))
      .filter((entry) => entry.name !== "node_modules")
      .map((entry) => join(dir, entry.name))
      .sort();
  } catch {
    return [];
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function errorRecord(
  id: string,
  origin: PluginOrigin,
  dir: string,
  code: PluginErrorCode,
  message: string,
): DiscoveredPlugin {
  return {
    record: {
      id,
      kind: "unknown",
      origin,
      dir,
      channels: [],
      providers: [],
      apis: [],
      state: "error",
      error: { code, message },
    },
  };
}

function candidate(dir: string, origin: PluginOrigin, load?: () => Promise<unknown>): DiscoveredPlugin {
  let pkg: PluginPackage;
  try {
    pkg = readPluginPackage(dir);
  } catch (error) {
    const e = error as { code?: PluginErrorCode; pluginId?: string; message: string };
    return errorRecord(
      e.pluginId ?? basename(dir),
      origin,
      dir,
      e.code ?? "PLUGIN_MANIFEST_INVALID",
      e.message,
    );
  }
  const { manifest } = pkg;
  const record: PluginRecord = {
    id: manifest.id,
    kind: manifest.kind,
    origin,
    dir: pkg.dir,
    entry: pkg.entry,
    channels: manifest.kind === "channel" ? (manifest.channels ?? [manifest.id]) : [],
    providers: manifest.kind === "provider" && !manifest.apis ? (manifest.providers ?? [manifest.id]) : [],
    apis: manifest.kind === "provider" ? (manifest.apis ?? []) : [],
    state: "enabled",
    ...(manifest.name ? { name: manifest.name } : {}),
    ...(manifest.description ? { description: manifest.description } : {}),
    ...((manifest.version ?? pkg.packageVersion) ? { version: manifest.version ?? pkg.packageVersion } : {}),
    ...(pkg.packageName ? { packageName: pkg.packageName } : {}),
    ...(manifest.configSchema ? { configSchema: manifest.configSchema } : {}),
  };
  // the directory's inode in the URL: a copy replaced by `plugins install --force` is a new module
  // for a gateway restarted in-process (files it imports itself stay cached until the process exits)
  const importEntry = async () => import(`${pathToFileURL(pkg.entry).href}?dir=${statSync(pkg.dir).ino}`);
  return { record, pkg, load: load ?? importEntry };
}

/** Every candidate in precedence order: `plugins.load.paths`, then installed, then bundled. */
function candidates(options: DiscoverOptions): DiscoveredPlugin[] {
  const env = options.env ?? process.env;
  const base = options.configDir ?? process.cwd();
  const found: DiscoveredPlugin[] = [];
  for (const path of pluginsConfigOf(options.config).load?.paths ?? []) {
    const abs = expand(path, base, env);
    if (existsSync(join(abs, MANIFEST_FILE))) found.push(candidate(abs, "path"));
    else if (isDirectory(abs)) {
      for (const sub of subdirectories(abs))
        if (existsSync(join(sub, MANIFEST_FILE))) found.push(candidate(sub, "path"));
    } else
      found.push(
        errorRecord(
          basename(abs),
          "path",
          abs,
          "PLUGIN_NOT_FOUND",
          `plugins.load.paths: ${abs} is neither a plugin (no ${MANIFEST_FILE}) nor a directory of plugins`,
        ),
      );
  }
  for (const dir of subdirectories(join(options.stateDir, "extensions")))
    found.push(candidate(dir, "installed"));
  for (const bundled of options.bundled ?? []) found.push(candidate(bundled.dir, "bundled", bundled.load));
  return found;
}

function disabledReason(record: PluginRecord, plugins: PluginsConfig): string | undefined {
  if (plugins.entries?.[record.id]?.enabled === false) return `plugins.entries.${record.id}.enabled is false`;
  if (plugins.deny?.includes(record.id)) return "listed in plugins.deny";
  if (record.origin === "bundled") return undefined;
  if (plugins.enabled === false) return "plugins.enabled is false";
  if (plugins.allow?.length && !plugins.allow.includes(record.id)) return "not listed in plugins.allow";
  return undefined;
}

const describe = (record: PluginRecord) => `the ${record.origin} plugin "${record.id}" (${record.dir})`;

/**
 * Find the plugins (reads `openclaw.plugin.json` + `package.json` only; no module is imported).
 * The first copy of an id in precedence order wins; a later one with the same plugin id, or
 * claiming a channel or provider id already served, is reported `PLUGIN_ID_CONFLICT` and not
 * loaded. Disabled plugins claim nothing.
 */
export function discoverPlugins(options: DiscoverOptions): DiscoveredPlugin[] {
  const plugins = pluginsConfigOf(options.config);
  const found = candidates(options);
  const owners = new Map<string, PluginRecord>();
  const channelOwners = new Map<string, PluginRecord>();
  const providerOwners = new Map<string, PluginRecord>();
  for (const { record } of found) {
    if (record.state === "error") continue;
    const reason = disabledReason(record, plugins);
    if (reason) {
      record.state = "disabled";
      record.disabledReason = reason;
      continue;
    }
    const clash =
      (owners.has(record.id)
        ? `plugin id "${record.id}" is already provided by ${describe(owners.get(record.id)!)}`
        : undefined) ??
      record.channels
        .filter((id) => channelOwners.has(id))
        .map((id) => `channel "${id}" is already provided by ${describe(channelOwners.get(id)!)}`)[0] ??
      record.providers
        .filter((id) => providerOwners.has(id))
        .map((id) => `provider "${id}" is already provided by ${describe(providerOwners.get(id)!)}`)[0];
    if (clash) {
      record.state = "error";
      record.error = {
        code: "PLUGIN_ID_CONFLICT",
        message: `${clash}; this copy (${record.dir}) is not loaded`,
      };
      continue;
    }
    owners.set(record.id, record);
    for (const id of record.channels) channelOwners.set(id, record);
    for (const id of record.providers) providerOwners.set(id, record);
  }
  return found;
}
