import { readFileSync } from "node:fs";
import { ConfigError } from "./errors.js";
import { formatKeyPath, isPlainObject, type KeyPath } from "./key-path.js";

/** Parse a `.env` file: `KEY=value`, `export KEY=value`, quotes, `#` comments. */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    const key = match[1]!;
    let value = match[2]!;
    const quote = value[0];
    if (quote === '"' || quote === "'" || quote === "`") {
      // a quoted value may span lines
      let body = value.slice(1);
      while (!body.includes(quote) && index + 1 < lines.length) body += `\n${lines[++index]}`;
      const end = body.indexOf(quote);
      value = end >= 0 ? body.slice(0, end) : body;
      if (quote === '"') value = value.replace(/\\n/g, "\n").replace(/\\r/g, "\r").replace(/\\t/g, "\t");
    } else {
      const hash = value.search(/\s#/);
      if (hash >= 0) value = value.slice(0, hash);
      value = value.trim();
    }
    out[key] = value;
  }
  return out;
}

/** Read a .env file; a missing file is an empty set. */
export function readDotEnvFile(path: string): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return parseDotEnv(text);
}

/** Set each variable that is not already set (non-empty) in `env`; returns the names set. */
export function applyEnvVars(
  env: NodeJS.ProcessEnv,
  vars: Record<string, string>,
  source: string,
  applied: { name: string; source: string }[],
): void {
  for (const [name, value] of Object.entries(vars)) {
    if (env[name] !== undefined && env[name] !== "") continue;
    env[name] = value;
    applied.push({ name, source });
  }
}

/** The config `env` block: `env.KEY: "v"` and `env.vars.KEY: "v"` (string values only). */
export function envBlockVars(block: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isPlainObject(block)) return out;
  for (const [key, value] of Object.entries(block)) {
    if (key === "vars" || key === "shellEnv") continue;
    if (typeof value === "string") out[key] = value;
  }
  if (isPlainObject(block.vars))
    for (const [key, value] of Object.entries(block.vars)) if (typeof value === "string") out[key] = value;
  return out;
}

const TOKEN = /\$(\$)?\{([A-Z_][A-Z0-9_]*)\}/g;

/**
 * Replace `${NAME}` in every string of the tree. `$${NAME}` yields a literal `${NAME}`. A missing
 * or empty variable is an error naming the key path. Only upper-case names are substituted.
 */
export function substituteEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  file?: string,
  path: KeyPath = [],
  missing: "error" | "keep" = "error",
): unknown {
  if (typeof value === "string") {
    if (!value.includes("${")) return value;
    return value.replace(TOKEN, (_whole, escaped: string | undefined, name: string) => {
      if (escaped) return `\${${name}}`;
      const resolved = env[name];
      if (resolved === undefined || resolved === "") {
        if (missing === "keep") return `\${${name}}`;
        const where = formatKeyPath(path) || "(root)";
        throw new ConfigError(
          "CONFIG_ENV_MISSING",
          `${file ? `${file}: ` : ""}${where}: environment variable ${name} is ${resolved === undefined ? "not set" : "empty"} (referenced as \${${name}}; set it, add it to ~/.openclaw/.env or the config's env block, or write $\${${name}} for a literal)`,
          { file, keyPath: where },
        );
      }
      return resolved;
    });
  }
  if (Array.isArray(value))
    return value.map((item, index) => substituteEnv(item, env, file, [...path, index], missing));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value))
      out[key] = substituteEnv(child, env, file, [...path, key], missing);
    return out;
  }
  return value;
}
