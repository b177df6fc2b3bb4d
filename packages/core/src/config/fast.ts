import { resolve } from "node:path";
import { normalizeConfigAliases } from "./aliases.js";
import { getAtPath, type KeyPath, parseKeyPath } from "./key-path.js";
import { expandHome, resolvePaths } from "./paths.js";
import { parseConfigText, readConfigText, resolveConfigTree } from "./read.js";
import type { LoadConfigOptions } from "./types.js";

// Reading one value without loading the schema (zod) or anything else: `openclaw config get`.
// Only plain scalars at paths the schema does not reshape are answered here; everything else
// (and every missing key, which needs defaults) goes through the full loader.

const RESHAPED = ["agents", "bindings", "cron", "env"];

export type FastConfigValue =
  | { found: true; value: string | number | boolean | null; path: string }
  | { found: false; path: string };

export function readConfigValueFast(
  keyPath: string | KeyPath,
  options: LoadConfigOptions = {},
): FastConfigValue {
  const env = options.env ?? process.env;
  const paths = resolvePaths(env, options.profile);
  const cwd = options.cwd ?? process.cwd();
  const file = options.path ? resolve(cwd, expandHome(options.path, paths.homeDir, cwd)) : paths.configPath;
  const segments = typeof keyPath === "string" ? parseKeyPath(keyPath) : keyPath;
  if (segments.length === 0 || RESHAPED.includes(String(segments[0]))) return { found: false, path: file };
  const text = readConfigText(file);
  if (text === undefined) return { found: false, path: file };
  const parsed = parseConfigText(text, file);
  const { tree } = resolveConfigTree(
    parsed,
    file,
    paths,
    options.applyEnv === false ? { ...env } : env,
    cwd,
    options.missingEnv,
  );
  const value = getAtPath(normalizeConfigAliases(tree).config, segments);
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return { found: true, value, path: file };
  return { found: false, path: file };
}
