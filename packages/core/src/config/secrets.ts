import { readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigError } from "./errors.js";
import { formatKeyPath, isPlainObject, type KeyPath } from "./key-path.js";
import { expandHome } from "./paths.js";
import { isSensitiveConfigPath } from "./redact.js";
import type { ConfigIssue } from "./types.js";

/** A SecretRef (spec §3.1): `{ source: "env"|"file"|"exec", provider?, id }` where a secret string goes. */
export interface SecretRef {
  source: "env" | "file" | "exec";
  provider?: string;
  id: string;
}

/** True for an object that is exactly a SecretRef (no other keys). */
export function isSecretRef(value: unknown): value is SecretRef {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return (
    (value.source === "env" || value.source === "file" || value.source === "exec") &&
    typeof value.id === "string" &&
    (value.provider === undefined || typeof value.provider === "string") &&
    keys.every((key) => key === "source" || key === "id" || key === "provider")
  );
}

export interface ResolveSecretsOptions {
  env: NodeJS.ProcessEnv;
  /** The main config file: relative secret file paths resolve from its directory. */
  configFile: string;
  homeDir: string;
  cwd: string;
  /** `keep`: an unresolvable ref stays in place (with a warning) instead of failing the load. */
  missing?: "error" | "keep";
}

export interface ResolvedSecrets {
  /** Warnings (secret file readable by others, refs kept unresolved in `keep` mode). */
  issues: ConfigIssue[];
  /** Secret files read (the config watcher watches them too). */
  files: string[];
  /** Key paths whose value came from a SecretRef. */
  paths: string[];
}

interface FileProvider {
  source: "file";
  path: string;
  mode?: "json" | "singleValue";
}

function providerOf(config: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const secrets = config.secrets;
  if (!isPlainObject(secrets) || !isPlainObject(secrets.providers)) return undefined;
  const provider = secrets.providers[name];
  return isPlainObject(provider) ? provider : undefined;
}

function jsonPointer(document: unknown, pointer: string): unknown {
  if (pointer === "" || pointer === "/") return document;
  if (!pointer.startsWith("/")) return undefined;
  let current = document;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isPlainObject(current)) current = current[key];
    else return undefined;
  }
  return current;
}

class SecretProblem extends Error {}

/**
 * Replace every SecretRef at a sensitive key (provider `apiKey`s, channel tokens, gateway
 * token/password, …) by the secret it names, in place:
 * - `{ source: "env", id: "NAME" }` → the variable (after `.env` files and the `env` block);
 *   with `provider`, `secrets.providers.<provider>.allowlist` (when set) must list `NAME`.
 * - `{ source: "file", id: "./path" }` → the file's content without the trailing newline
 *   (relative to the config file, `~` expanded); with `provider` naming
 *   `secrets.providers.<p> = { source: "file", path, mode?: "json"|"singleValue" }`, `id` is a JSON
 *   pointer into that file (`json`, default) or ignored (`singleValue`). A file readable by group
 *   or others is accepted with a warning (chmod 600).
 * - `{ source: "exec" }` is refused: the spec does not define how the command would run.
 * Failures throw ConfigError `CONFIG_SECRET` naming the key path (never the secret).
 */
export function resolveSecretRefs(
  config: Record<string, unknown>,
  options: ResolveSecretsOptions,
): ResolvedSecrets {
  const result: ResolvedSecrets = { issues: [], files: [], paths: [] };
  const baseDir = dirname(options.configFile);
  const fileText = (file: string, where: string): string => {
    const absolute = resolve(baseDir, expandHome(file, options.homeDir, baseDir));
    if (!result.files.includes(absolute)) result.files.push(absolute);
    let text: string;
    try {
      text = readFileSync(absolute, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new SecretProblem(
        `secret file ${absolute} ${code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable (permission denied)" : `cannot be read (${code})`}`,
      );
    }
    try {
      const mode = statSync(absolute).mode & 0o777;
      if ((mode & 0o077) !== 0 && process.platform !== "win32")
        result.issues.push({
          severity: "warning",
          code: "secret_file_permissions",
          path: where,
          message: `secret file ${absolute} is readable by others (mode ${mode.toString(8).padStart(4, "0")}); run chmod 600 ${absolute}`,
        });
    } catch {
      // stat raced with a delete: the content was read, keep it
    }
    return text;
  };

  const resolveRef = (ref: SecretRef, where: string): string => {
    if (ref.source === "exec")
      throw new SecretProblem(
        'SecretRef source "exec" is not supported (the spec does not define how the command runs); use source "env" or "file"',
      );
    const provider = ref.provider ? providerOf(config, ref.provider) : undefined;
    if (ref.provider && !provider && ref.source === "file")
      throw new SecretProblem(
        `SecretRef names provider "${ref.provider}" but secrets.providers.${ref.provider} is not configured`,
      );
    if (provider && provider.source !== undefined && provider.source !== ref.source)
      throw new SecretProblem(
        `SecretRef source "${ref.source}" does not match secrets.providers.${ref.provider}.source "${String(provider.source)}"`,
      );
    if (ref.source === "env") {
      const allowlist = provider?.allowlist;
      if (Array.isArray(allowlist) && !allowlist.includes(ref.id))
        throw new SecretProblem(
          `environment variable ${ref.id} is not in secrets.providers.${ref.provider}.allowlist`,
        );
      const value = options.env[ref.id];
      if (value === undefined || value === "")
        throw new SecretProblem(
          `environment variable ${ref.id} is ${value === undefined ? "not set" : "empty"} (set it, or add it to ~/.openclaw/.env or the config's env block)`,
        );
      return value;
    }
    if (provider) {
      const fileProvider = provider as unknown as FileProvider;
      if (typeof fileProvider.path !== "string" || !fileProvider.path)
        throw new SecretProblem(`secrets.providers.${ref.provider}.path is required for a file provider`);
      const text = fileText(fileProvider.path, where);
      if (fileProvider.mode === "singleValue") return text.replace(/\r?\n$/, "");
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch {
        throw new SecretProblem(
          `secret file of provider "${ref.provider}" is not valid JSON (set mode: "singleValue" for a plain file)`,
        );
      }
      const value = jsonPointer(document, ref.id);
      if (typeof value !== "string" || value === "")
        throw new SecretProblem(
          `no string at JSON pointer "${ref.id}" in the secret file of provider "${ref.provider}"`,
        );
      return value;
    }
    const value = fileText(ref.id, where).replace(/\r?\n$/, "");
    if (value === "") throw new SecretProblem(`secret file ${ref.id} is empty`);
    return value;
  };

  const walk = (node: unknown, path: KeyPath): void => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => {
        walk(item, [...path, index]);
      });
      return;
    }
    if (!isPlainObject(node)) return;
    for (const [key, child] of Object.entries(node)) {
      const childPath = [...path, key];
      if (isSecretRef(child) && isSensitiveConfigPath(childPath)) {
        const where = formatKeyPath(childPath);
        try {
          node[key] = resolveRef(child, where);
          result.paths.push(where);
        } catch (error) {
          if (!(error instanceof SecretProblem)) throw error;
          if (options.missing === "keep") {
            result.issues.push({
              severity: "warning",
              code: "secret_unresolved",
              path: where,
              message: `${where}: ${error.message}`,
            });
            continue;
          }
          throw new ConfigError("CONFIG_SECRET", `${options.configFile}: ${where}: ${error.message}`, {
            file: options.configFile,
            keyPath: where,
          });
        }
      } else walk(child, childPath);
    }
  };
  walk(config, []);
  return result;
}
