import { readFileSync, realpathSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { applyEnvVars, envBlockVars, readDotEnvFile, substituteEnv } from "./env.js";
import { ConfigError } from "./errors.js";
import { parseJson5, resolveIncludes } from "./includes.js";
import { isPlainObject } from "./key-path.js";
import { expandHome, type OpenClawPaths } from "./paths.js";

// The zod-free half of the loader (read, parse, includes, env): used by the CLI fast path.

export { hashConfigText, readConfigText } from "./text.js";

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
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

export interface ResolvedTree {
  tree: Record<string, unknown>;
  includedFiles: string[];
  envApplied: { name: string; source: string }[];
  envFiles: string[];
}

/** Steps 2–4 of the pipeline: includes, env sources, `${VAR}` substitution. */
export function resolveConfigTree(
  parsed: Record<string, unknown>,
  file: string,
  paths: OpenClawPaths,
  env: NodeJS.ProcessEnv,
  cwd: string,
  missingEnv: "error" | "keep" = "error",
): ResolvedTree {
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
  const envFiles = [join(cwd, ".env"), paths.envFile];
  for (const envFile of envFiles) {
    const vars = readDotEnvFile(envFile);
    if (vars) applyEnvVars(env, vars, envFile, envApplied);
  }
  applyEnvVars(env, envBlockVars(included.env), "config env", envApplied);
  const tree = substituteEnv(included, env, file, [], missingEnv) as Record<string, unknown>;
  return { tree, includedFiles: context.files, envApplied, envFiles };
}
