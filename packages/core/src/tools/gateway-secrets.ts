import { realpathSync } from "node:fs";
import path from "node:path";
import { resolvePaths } from "../config/paths.js";
import { type ToolContext, ToolError } from "./types.js";

/**
 * The gateway's own secrets under its state directory: the config and its backups, channel
 * credentials and pairing stores, paired devices, identity keys, auth profiles, the `.env`
 * fallback, exec approvals, the node host's token and the CLI's config hand-over files.
 * File and exec tools refuse them unless `tools.fs.allowGatewaySecrets` is true.
 */
export interface GatewaySecretScope {
  stateDir: string;
  /** The config file(s): the context's and the one the environment names. */
  configPaths: string[];
}

const SECRET_DIRS = new Set(["credentials", "devices", "identity"]);
const SECRET_FILES = new Set([".env", "exec-approvals.json", "exec-approvals.sock", "node.json"]);
const AGENT_SECRET_FILES = new Set(["auth-profiles.json", "auth.json"]);
/** File names distinctive enough to refuse wherever they appear in an exec command line. */
const SECRET_NAMES = /^(openclaw\.json(\..*)?|auth-profiles\.json)$/;

export const SECRETS_KEY = "tools.fs.allowGatewaySecrets";

/** The state dir and config path the running gateway uses (the context's, else the environment's). */
export function secretScope(context: Pick<ToolContext, "stateDir" | "configPath">): GatewaySecretScope {
  const paths = resolvePaths(process.env);
  const stateDir = context.stateDir ?? paths.stateDir;
  const configPath = context.configPath ?? path.join(stateDir, "openclaw.json");
  return { stateDir, configPaths: [...new Set([configPath, paths.configPath])] };
}

export function secretsAllowed(context: Pick<ToolContext, "toolsConfig">): boolean {
  return context.toolsConfig.fs?.allowGatewaySecrets === true;
}

/** The real path of `file`, resolving symlinks of the longest existing prefix. */
function realPathOf(file: string): string {
  let existing = file;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync(existing), ...rest);
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return file;
      rest.unshift(path.basename(existing));
      existing = parent;
    }
  }
}

function within(root: string, file: string): string | undefined {
  const relative = path.relative(root, file);
  if (relative.startsWith("..") || path.isAbsolute(relative)) return undefined;
  return relative;
}

/** What `relative` (inside the state dir) holds when it is a secret, else undefined. */
function classify(relative: string): string | undefined {
  const parts = relative.split(path.sep).filter(Boolean);
  const [first = "", ...rest] = parts;
  if (SECRET_DIRS.has(first)) return `the gateway's ${first}/ store`;
  if (parts.length === 1 && SECRET_FILES.has(first)) return `the gateway's ${first}`;
  if (parts.length === 1 && /^openclaw\.json(\..*)?$/.test(first))
    return "the gateway config or a backup of it";
  if (parts.length === 1 && first.startsWith(".gateway-handoff-")) return "the gateway's config hand-over";
  if (first === "agents" && rest.length >= 1 && AGENT_SECRET_FILES.has(rest[rest.length - 1] ?? ""))
    return "an agent's auth profiles (API keys)";
  return undefined;
}

function describeSecret(file: string, scope: GatewaySecretScope): string | undefined {
  for (const candidate of new Set([path.resolve(file), realPathOf(path.resolve(file))])) {
    for (const configPath of new Set(scope.configPaths.flatMap((file) => [file, realPathOf(file)])))
      if (candidate === configPath || candidate.startsWith(`${configPath}.`))
        return "the gateway config or a backup of it";
    for (const stateDir of new Set([scope.stateDir, realPathOf(scope.stateDir)])) {
      const relative = within(stateDir, candidate);
      const what = relative === undefined ? undefined : classify(relative);
      if (what) return what;
    }
  }
  return undefined;
}

/** Throws `gateway_secret` when a file tool would touch one of the gateway's secrets. */
export function assertNotGatewaySecret(
  file: string,
  context: Pick<ToolContext, "toolsConfig" | "stateDir" | "configPath">,
  tool: string,
): void {
  if (secretsAllowed(context)) return;
  const what = describeSecret(file, secretScope(context));
  if (what)
    throw new ToolError(
      "gateway_secret",
      `${tool} refused ${file}: it is ${what}, which the agent may not read or write (set ${SECRETS_KEY}: true to allow)`,
    );
}

/**
 * True when `file` is the state dir or a directory on the way to a secret (agents/<id>/agent).
 * Ancestors of the state dir (e.g. `~`) are not refused: too broad to be useful.
 */
function isSecretAncestor(file: string, scope: GatewaySecretScope): boolean {
  for (const candidate of new Set([path.resolve(file), realPathOf(path.resolve(file))])) {
    for (const stateDir of new Set([scope.stateDir, realPathOf(scope.stateDir)])) {
      const relative = within(stateDir, candidate);
      if (relative === undefined) continue;
      const parts = relative.split(path.sep).filter(Boolean);
      if (parts.length === 0) return true;
      if (parts[0] === "agents" && parts.length <= 3 && (parts.length < 3 || parts[2] === "agent"))
        return true;
    }
  }
  return false;
}

/** Path-like words of a command line, quotes removed, `~` and the state/config variables expanded. */
function pathWords(command: string, env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME ?? "";
  const variables: Record<string, string | undefined> = {
    HOME: home,
    OPENCLAW_STATE_DIR: env.OPENCLAW_STATE_DIR,
    OPENCLAW_CONFIG_PATH: env.OPENCLAW_CONFIG_PATH,
  };
  const unquoted = command.replace(/(["'])(.*?)\1/g, "$2").replace(/\\(.)/g, "$1");
  const expanded = unquoted.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (match, name: string) =>
    name in variables ? (variables[name] ?? match) : match,
  );
  const words = expanded.match(/[~\w./@%+,-]+/g) ?? [];
  return words.flatMap((word) => word.split(/[=:,]/)).filter(Boolean);
}

/**
 * Best effort for exec: refuse a command line that names a secret path (absolute, relative to the
 * working directory, `~`, `$HOME`, `$OPENCLAW_STATE_DIR`), the state dir itself, or a distinctive
 * secret file name (`openclaw.json*`, `auth-profiles.json`). It cannot see paths a command builds
 * at run time (variables, globs, scripts that read files by computed names).
 */
export function assertExecAvoidsGatewaySecrets(
  command: string,
  cwd: string,
  context: Pick<ToolContext, "toolsConfig" | "stateDir" | "configPath">,
): void {
  if (secretsAllowed(context)) return;
  const scope = secretScope(context);
  const refuse = (word: string, what: string) => {
    throw new ToolError(
      "gateway_secret",
      `exec refused: the command names ${word}, ${what}, which the agent may not read or write (set ${SECRETS_KEY}: true to allow)`,
    );
  };
  assertNotGatewaySecret(cwd, context, "exec (workdir)");
  if (isSecretAncestor(cwd, scope)) refuse(cwd, "the gateway's state directory");
  const home = process.env.HOME ?? "";
  for (const word of pathWords(command, process.env)) {
    if (SECRET_NAMES.test(path.basename(word))) refuse(word, "a gateway secret file name");
    if (!word.includes("/") && !word.startsWith("~") && !word.startsWith(".")) continue;
    const absolute =
      word.startsWith("~/") || word === "~" ? path.join(home, word.slice(1)) : path.resolve(cwd, word);
    const what = describeSecret(absolute, scope);
    if (what) refuse(word, what);
    if (isSecretAncestor(absolute, scope)) refuse(word, "the gateway's state directory");
  }
}

/** Environment variables holding the gateway's own credentials, removed from exec children. */
export const GATEWAY_SECRET_ENV = [
  "OPENCLAW_GATEWAY_TOKEN",
  "OPENCLAW_GATEWAY_PASSWORD",
  "CLAWDBOT_GATEWAY_TOKEN",
];

/** `process.env` without the gateway's credentials (unless secrets are allowed). */
export function execEnvironment(
  context: Pick<ToolContext, "toolsConfig" | "skillEnv">,
): NodeJS.ProcessEnv | undefined {
  const skillEnv = context.skillEnv ?? {};
  const overlay = Object.keys(skillEnv).filter((name) => process.env[name] === undefined);
  if (secretsAllowed(context) && overlay.length === 0) return undefined;
  const env = { ...process.env };
  // the run's skill env: only variables the gateway does not set itself
  for (const name of overlay) env[name] = skillEnv[name];
  if (secretsAllowed(context)) return env;
  for (const name of GATEWAY_SECRET_ENV) delete env[name];
  return env;
}
