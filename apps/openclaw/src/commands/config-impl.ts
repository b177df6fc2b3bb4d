import { randomBytes } from "node:crypto";
import { readConfigValueFast } from "@openclaw/core/config/fast";

function fail(message: string, code = 1): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = code;
}

async function core() {
  return import("@openclaw/core/config");
}

function printValue(value: unknown, json?: boolean): void {
  if (json || (typeof value === "object" && value !== null))
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else process.stdout.write(`${String(value)}\n`);
}

/** Report a ConfigError (or rethrow anything else). */
async function report(error: unknown): Promise<void> {
  const { ConfigError } = await core();
  if (ConfigError.isInstance(error)) {
    fail(
      `openclaw: ${error.message}${error.code === "CONFIG_INVALID" ? "\nRun `openclaw doctor` for help." : ""}`,
    );
    return;
  }
  throw error;
}

export async function configGet(
  path: string,
  options: { json?: boolean; showSecrets?: boolean },
): Promise<void> {
  try {
    // fast path: plain scalar present in the file (no schema load)
    // a ${VAR} this shell lacks (set only for the gateway service) must not block reading other keys
    const fast = readConfigValueFast(path, { missingEnv: "keep" });
    if (fast.found) {
      printValue(fast.value, options.json);
      return;
    }
    const { loadConfig, getAtPath, parseKeyPath, redactConfig } = await core();
    const loaded = await loadConfig({ missingEnv: "keep" });
    const segments = parseKeyPath(path);
    const value = getAtPath(loaded.config, segments);
    if (value === undefined) {
      const onDisk = getAtPath(loaded.parsed, segments);
      if (onDisk !== undefined) {
        fail(`${path}: present in ${loaded.path} but not used (unknown key)`);
        return;
      }
      const { knownKeysAt, suggestKey, formatKeyPath } = await core();
      const parent = segments.slice(0, -1);
      const last = segments[segments.length - 1];
      const known = typeof last === "string" && knownKeysAt(parent).includes(last);
      const suggestion =
        typeof last === "string" && !known && getAtPath(loaded.config, parent) !== undefined
          ? suggestKey(last, knownKeysAt(parent))
          : undefined;
      const unknownHere = !known && knownKeysAt(parent).length > 0;
      fail(
        `${path}: ${unknownHere ? "not a known key" : "not set"}${suggestion ? ` — did you mean "${formatKeyPath([...parent, suggestion])}"?` : ""}`,
      );
      return;
    }
    const shown =
      typeof value === "object" && value !== null && !options.showSecrets ? redactConfig(value) : value;
    printValue(shown, options.json);
  } catch (error) {
    await report(error);
  }
}

/** CLI values: JSON5 when it parses (numbers, booleans, arrays, objects, quoted strings), else the raw string. */
export async function parseCliValue(text: string, forceString?: boolean): Promise<unknown> {
  if (forceString) return text;
  const { default: JSON5 } = await import("json5");
  try {
    return JSON5.parse(text);
  } catch {
    return text;
  }
}

export async function configSet(
  path: string,
  text: string,
  options: { string?: boolean; json?: boolean; allowUnknown?: boolean },
): Promise<void> {
  try {
    const { setConfigValue } = await core();
    const value = await parseCliValue(text, options.string);
    const target = keyThatWins(path, value);
    if (target !== path && !options.json)
      process.stdout.write(
        `${path} is an alternate spelling of ${target} (the key that takes effect); writing ${target}.\n`,
      );
    const result = await setConfigValue(target, value, { allowUnknownKeys: options.allowUnknown });
    await describeWrite(result, options.json);
  } catch (error) {
    await report(error);
  }
}

/**
 * Alternate spellings (the FAQ's `models.defaults.model`) lose to the canonical key when both are
 * set, so `config set` writes the canonical key: what is written is what takes effect.
 */
export function keyThatWins(path: string, value?: unknown): string {
  const match = /^models\.defaults\.model(\.(primary|fallbacks))?$/.exec(path);
  if (!match) return path;
  if (match[2]) return `agents.defaults.model.${match[2]}`;
  return typeof value === "object" && value !== null
    ? "agents.defaults.model"
    : "agents.defaults.model.primary";
}

export async function configUnset(path: string): Promise<void> {
  try {
    const { unsetConfigValue } = await core();
    const result = await unsetConfigValue(path);
    if (result.changedPaths.length === 0) process.stdout.write(`${path} was not set; nothing changed\n`);
    else await describeWrite(result);
  } catch (error) {
    await report(error);
  }
}

async function describeWrite(
  result: { path: string; changedPaths: string[]; backupPath?: string; formatting: string; hash: string },
  json?: boolean,
): Promise<void> {
  const { planReload } = await core();
  const plan = planReload(result.changedPaths, "hybrid");
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ ...result, loaded: undefined, reload: plan.action }, null, 2)}\n`,
    );
    return;
  }
  if (result.changedPaths.length === 0) {
    process.stdout.write("No change.\n");
    return;
  }
  process.stdout.write(`Updated ${result.changedPaths.join(", ")} in ${result.path}\n`);
  if (result.formatting === "rewritten")
    process.stdout.write("Note: the file layout could not be kept and was rewritten (data unchanged).\n");
  if (plan.action === "restart")
    process.stdout.write("A running gateway restarts to apply this (reload mode hybrid).\n");
  else if (plan.action === "hot") process.stdout.write("A running gateway applies this live.\n");
}

export async function configValidate(options: { json?: boolean }): Promise<void> {
  const { loadConfig, ConfigError, formatConfigIssue } = await core();
  try {
    const loaded = await loadConfig({});
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ valid: true, path: loaded.path, exists: loaded.exists, issues: loaded.issues }, null, 2)}\n`,
      );
      return;
    }
    process.stdout.write(`${loaded.exists ? "Valid" : "No config file; defaults in use"}: ${loaded.path}\n`);
    for (const issue of loaded.issues) process.stdout.write(`  warning: ${formatConfigIssue(issue)}\n`);
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    if (options.json)
      process.stdout.write(
        `${JSON.stringify({ valid: false, code: error.code, message: error.message, file: error.file, line: error.line, column: error.column, issues: error.issues }, null, 2)}\n`,
      );
    else process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}

export async function configFile(): Promise<void> {
  const { resolvePaths } = await core();
  process.stdout.write(`${resolvePaths(process.env).configPath}\n`);
}

export function starterConfig(): Record<string, unknown> {
  return {
    gateway: {
      mode: "local",
      port: 18789,
      bind: "loopback",
      auth: { mode: "token", token: randomBytes(24).toString("hex") },
    },
    agents: { defaults: { workspace: "~/.openclaw/workspace" } },
  };
}

export async function configInit(options: { force?: boolean }): Promise<void> {
  try {
    const { initConfigFile } = await core();
    const result = await initConfigFile(starterConfig(), { force: options.force });
    process.stdout.write(
      `Wrote ${result.path}${result.backupPath ? ` (previous file kept as ${result.backupPath})` : ""}\n`,
    );
  } catch (error) {
    await report(error);
  }
}
