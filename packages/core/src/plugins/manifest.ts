import { readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";

/** What a plugin provides: a messaging channel or a model provider. */
export type PluginKind = "channel" | "provider";

/** Where a plugin was found, in precedence order: `plugins.load.paths`, the state dir, the bundled ones. */
export type PluginOrigin = "path" | "installed" | "bundled";

/** `openclaw.plugin.json` at a plugin package's root. Read (small) before any code is loaded. */
export interface PluginManifest {
  /** Plugin id: `plugins.entries.<id>`, the install directory `<stateDir>/extensions/<id>`. */
  id: string;
  kind: PluginKind;
  name?: string;
  description?: string;
  version?: string;
  /** JSON Schema of `plugins.entries.<id>.config`, checked before the module is imported. */
  configSchema?: Record<string, unknown>;
  /** Channel ids (`channels.<id>`) a channel plugin serves; default `[id]`. */
  channels?: string[];
  /** Provider ids (model refs `<id>/<model>`) a provider plugin serves; default `[id]`. */
  providers?: string[];
  /** Wire APIs (`models.providers.<id>.api`) whose factory the module's `fromConfig` is. */
  apis?: string[];
}

export type PluginErrorCode =
  | "PLUGIN_NOT_FOUND"
  | "PLUGIN_MANIFEST_INVALID"
  | "PLUGIN_ID_CONFLICT"
  | "PLUGIN_CONFIG_INVALID"
  | "PLUGIN_IMPORT_FAILED"
  | "PLUGIN_SPEC_UNSUPPORTED"
  | "PLUGIN_EXPORT_INVALID";

/** A plugin that cannot be used, with a stable code and a message naming the plugin and the fix. */
export class PluginError extends Error {
  readonly code: PluginErrorCode;
  readonly pluginId: string | undefined;
  constructor(code: PluginErrorCode, message: string, pluginId?: string) {
    super(message);
    this.name = "PluginError";
    this.code = code;
    this.pluginId = pluginId;
  }
}

export const MANIFEST_FILE = "openclaw.plugin.json";

/** Plugin and channel ids: lowercase letters, digits, `-`, `_`: a safe directory name and config key. */
export const PLUGIN_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** A manifest plus the package facts the host needs to load it. */
export interface PluginPackage {
  dir: string;
  manifest: PluginManifest;
  /** Absolute path of the module to import (`package.json` `openclaw.extensions[0]`). */
  entry: string;
  packageName?: string;
  packageVersion?: string;
}

function readJson(file: string, what: string, id?: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PluginError(
      code === "ENOENT" ? "PLUGIN_NOT_FOUND" : "PLUGIN_MANIFEST_INVALID",
      code === "ENOENT" ? `${what} not found: ${file}` : `${what} unreadable: ${file} (${code})`,
      id,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PluginError("PLUGIN_MANIFEST_INVALID", `${file}: not JSON (${(error as Error).message})`, id);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new PluginError("PLUGIN_MANIFEST_INVALID", `${file}: expected a JSON object`, id);
  return value as Record<string, unknown>;
}

function stringList(value: unknown, field: string, file: string, id: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string" || !item))
    throw new PluginError("PLUGIN_MANIFEST_INVALID", `${file}: "${field}" must be a list of strings`, id);
  return value as string[];
}

/** Parse and check a manifest object (`openclaw.plugin.json`). */
export function parseManifest(raw: Record<string, unknown>, file: string): PluginManifest {
  const id = raw.id;
  if (typeof id !== "string" || !PLUGIN_ID_PATTERN.test(id))
    throw new PluginError(
      "PLUGIN_MANIFEST_INVALID",
      `${file}: "id" must be lowercase letters, digits, "-" or "_" (got ${JSON.stringify(id)})`,
    );
  if (raw.kind !== "channel" && raw.kind !== "provider")
    throw new PluginError(
      "PLUGIN_MANIFEST_INVALID",
      `${file}: "kind" must be "channel" or "provider" (got ${JSON.stringify(raw.kind)})`,
      id,
    );
  const schema = raw.configSchema;
  if (schema !== undefined && (typeof schema !== "object" || schema === null || Array.isArray(schema)))
    throw new PluginError(
      "PLUGIN_MANIFEST_INVALID",
      `${file}: "configSchema" must be a JSON Schema object`,
      id,
    );
  const manifest: PluginManifest = { id, kind: raw.kind };
  for (const key of ["name", "description", "version"] as const)
    if (typeof raw[key] === "string") manifest[key] = raw[key];
  if (schema) manifest.configSchema = schema as Record<string, unknown>;
  const channels = stringList(raw.channels, "channels", file, id);
  const providers = stringList(raw.providers, "providers", file, id);
  const apis = stringList(raw.apis, "apis", file, id);
  for (const channel of channels ?? [])
    if (!PLUGIN_ID_PATTERN.test(channel))
      throw new PluginError(
        "PLUGIN_MANIFEST_INVALID",
        `${file}: bad channel id ${JSON.stringify(channel)}`,
        id,
      );
  if (channels) manifest.channels = channels;
  if (providers) manifest.providers = providers;
  if (apis) manifest.apis = apis;
  return manifest;
}

/** `true` when `child` is `parent` or inside it. */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/**
 * Read a plugin package: `openclaw.plugin.json` and `package.json`'s `openclaw.extensions`
 * (the first entry is the module the host imports; it must stay inside the package).
 */
export function readPluginPackage(dir: string): PluginPackage {
  const root = resolve(dir);
  const manifestFile = join(root, MANIFEST_FILE);
  const manifest = parseManifest(readJson(manifestFile, MANIFEST_FILE, undefined), manifestFile);
  const packageFile = join(root, "package.json");
  const pkg = readJson(packageFile, "package.json", manifest.id);
  const extensions = (pkg.openclaw as { extensions?: unknown } | undefined)?.extensions;
  if (!Array.isArray(extensions) || typeof extensions[0] !== "string" || !extensions[0])
    throw new PluginError(
      "PLUGIN_MANIFEST_INVALID",
      `${packageFile}: "openclaw.extensions" must list the plugin's module (e.g. ["./index.js"])`,
      manifest.id,
    );
  const entry = resolve(root, extensions[0]);
  if (!isInside(root, entry) || entry === root)
    throw new PluginError(
      "PLUGIN_MANIFEST_INVALID",
      `${packageFile}: "openclaw.extensions" entry ${JSON.stringify(extensions[0])} points outside the package`,
      manifest.id,
    );
  return {
    dir: root,
    manifest,
    entry,
    ...(typeof pkg.name === "string" ? { packageName: pkg.name } : {}),
    ...(typeof pkg.version === "string" ? { packageVersion: pkg.version } : {}),
  };
}
