import type { OpenClawPaths } from "./paths.js";
import type { OpenClawConfigInput, OpenClawConfigOutput } from "./schema.js";

/**
 * The effective OpenClaw config: canonical key names (spec §3.4), aliases normalized, defaults
 * applied (`gateway.port` 18789, `gateway.bind` "loopback", `agents.defaults.workspace`
 * absolute, `agents.defaults.model` always `{ primary?, fallbacks? }`, …). Type-only import:
 * pulling this type in costs nothing at runtime.
 */
export type OpenClawConfig = OpenClawConfigOutput;
/** What a user may write (canonical spelling). Legacy/FAQ spellings are accepted by the loader too. */
export type OpenClawConfigFile = OpenClawConfigInput;

export type GatewayConfig = OpenClawConfig["gateway"];
export type GatewayAuthConfig = GatewayConfig["auth"];
export type GatewayBind = GatewayConfig["bind"];
export type ReloadMode = GatewayConfig["reload"]["mode"];
export type AgentsConfig = OpenClawConfig["agents"];
export type AgentDefaultsConfig = AgentsConfig["defaults"];
export type AgentEntryConfig = AgentsConfig["list"][number];
export type AgentModelConfig = AgentDefaultsConfig["model"];
export type BindingConfig = OpenClawConfig["bindings"][number];
export type ChannelConfig = OpenClawConfig["channels"][string];
export type ModelsConfig = OpenClawConfig["models"];
export type ModelProviderConfig = ModelsConfig["providers"][string];
export type SessionConfig = OpenClawConfig["session"];
export type MessagesConfig = OpenClawConfig["messages"];
export type ToolsConfig = OpenClawConfig["tools"];
export type CronConfig = OpenClawConfig["cron"];
export type CronJobConfig = CronConfig["jobs"][number];
export type LoggingConfig = OpenClawConfig["logging"];
export type SecretInput = string | { source: "env" | "file" | "exec"; provider?: string; id: string };

/** One finding while loading/validating: an error (known key, bad value) or a warning. */
export interface ConfigIssue {
  severity: "error" | "warning";
  /** Stable machine code, e.g. `invalid_type`, `unknown_key`, `legacy_key`, `invalid_value`. */
  code: string;
  /** Dotted key path (`gateway.auth.mode`, `agents.list[0].id`); "" for the root. */
  path: string;
  message: string;
  /** The offending value, already redacted when the path is sensitive. */
  value?: unknown;
  /** What was expected, in words (`number`, `one of "token" | "password"`). */
  expected?: string;
  /** "did you mean" candidate for unknown keys. */
  suggestion?: string;
  /** File the issue was found in, when known. */
  file?: string;
}

/** A legacy/alternate spelling seen in the file, with its canonical equivalent. */
export interface LegacyKeyUse {
  /** Path as written (`models.defaults.model`). */
  path: string;
  /** Canonical path it maps to (`agents.defaults.model.primary`). */
  canonical: string;
  /** Human explanation shown by `doctor`. */
  note: string;
}

export interface LoadConfigOptions {
  /** Config file; default `resolvePaths(env).configPath`. */
  path?: string;
  /** Environment to read (and, unless `applyEnv: false`, to fill from .env files / `env`). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Directory whose `.env` is read first. Default `process.cwd()`. */
  cwd?: string;
  /** Profile name (`--profile`); default `env.OPENCLAW_PROFILE`. */
  profile?: string;
  /** Write .env / `env`-block variables into `env` (never overriding). Default true. */
  applyEnv?: boolean;
  /**
   * A `${VAR}` whose variable is missing: "error" (default, CONFIG_ENV_MISSING) or "keep" the
   * literal text (used by writes, so editing one key from a shell that lacks the gateway's
   * variables still works).
   */
  missingEnv?: "error" | "keep";
  /** Extra zod schemas for `channels.<id>` blocks contributed by channel packages. */
  channelSchemas?: Record<string, import("zod").ZodType>;
  /** Channel plugins (`ChannelPluginV1`): each one's `configSchema` validates `channels.<id>`. */
  channelPlugins?: ReadonlyArray<{ readonly id: string; readonly configSchema?: import("zod").ZodType }>;
}

export interface LoadedConfig {
  /** Effective config: canonical keys, defaults applied, unknown keys removed. */
  config: OpenClawConfig;
  /** Absolute path of the main config file. */
  path: string;
  /** False when the file does not exist (config is then pure defaults). */
  exists: boolean;
  /** Exact text of the main file ("" when missing). */
  raw: string;
  /** The main file parsed as JSON5, before includes/env/aliases (what is on disk). */
  parsed: Record<string, unknown>;
  /** sha256 (hex) of `raw`; pass it back as `baseHash` to guarded writes. */
  hash: string;
  paths: OpenClawPaths;
  /** Warnings (ignored keys, legacy spellings). Errors throw a `ConfigError` instead. */
  issues: ConfigIssue[];
  /** Unknown key paths, kept on disk, not in `config`. */
  ignoredKeys: string[];
  /** Alternate spellings seen (doctor offers to rewrite them). */
  legacyKeys: LegacyKeyUse[];
  /** Every file read through `$include` (absolute), for the watcher. */
  includedFiles: string[];
  /** Variables this load put into the environment, with where they came from. */
  envApplied: { name: string; source: string }[];
  /** `.env` files consulted (cwd, then state dir), whether or not they exist — the watcher watches them. */
  envFiles: string[];
  /** Files read to resolve `{ source: "file" }` SecretRefs — the watcher watches them. */
  secretFiles: string[];
}
