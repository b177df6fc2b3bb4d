import { type FSWatcher, readFileSync, watch } from "node:fs";
import { basename, dirname } from "node:path";
import { EventEmitter } from "eventemitter3";
import { diffConfigPaths } from "./diff.js";
import { readDotEnvFile } from "./env.js";
import { ConfigError } from "./errors.js";
import type { LoadConfigOptions, LoadedConfig, ReloadMode } from "./types.js";

export type ReloadClass = "hot" | "restart" | "none";

// Spec §3.5: classification by longest matching prefix; unknown paths need a restart.
const DEFAULT_RULES: [prefix: string, kind: ReloadClass][] = [
  ["gateway", "restart"],
  ["gateway.reload", "hot"],
  ["gateway.auth.token", "hot"],
  ["gateway.auth.password", "hot"],
  ["gateway.remote", "none"],
  ["discovery", "restart"],
  ["canvasHost", "restart"],
  ["plugins", "restart"],
  ["bridge", "restart"],
  ["hooks", "hot"],
  ["browser", "hot"],
  ["cron", "hot"],
  ["web", "hot"],
  ["channels", "hot"],
  ["agents", "hot"],
  ["models", "hot"],
  ["routing", "hot"],
  ["messages", "hot"],
  ["session", "hot"],
  ["logging", "hot"],
  ["skills", "hot"],
  ["ui", "hot"],
  ["talk", "hot"],
  ["identity", "hot"],
  ["bindings", "hot"],
  ["tools", "hot"],
  ["commands", "hot"],
  ["auth", "hot"],
  ["meta", "none"],
  ["wizard", "none"],
  ["$schema", "none"],
];

function matches(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

/**
 * Is a changed config path applied live ("hot"), does it need a gateway restart, or does it
 * not matter at runtime ("none")? Channel plugins may add their own prefixes.
 */
export function classifyConfigPath(
  path: string,
  extraRules: [prefix: string, kind: ReloadClass][] = [],
): ReloadClass {
  let best: [string, ReloadClass] | undefined;
  for (const rule of [...DEFAULT_RULES, ...extraRules])
    if (matches(path, rule[0]) && (!best || rule[0].length >= best[0].length)) best = rule;
  return best ? best[1] : "restart";
}

/**
 * A main config file that exists but holds nothing (an editor between truncating and writing it)
 * is not "no config": reloading it would drop every setting. Refused like a syntax error.
 */
export function refuseEmptyConfigFile(file: string): void {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return;
  }
  if (text.trim() === "")
    throw new ConfigError(
      "CONFIG_PARSE",
      `${file}:1:1: the file is empty (an editor in the middle of a save?); the last good config stays live until it holds a JSON5 object`,
      { file, line: 1, column: 1 },
    );
}

export interface ConfigChange {
  loaded: LoadedConfig;
  previous: LoadedConfig;
  changedPaths: string[];
  hotPaths: string[];
  restartPaths: string[];
  /** What the gateway should do under the active mode. */
  action: "hot" | "restart" | "none";
  mode: ReloadMode;
  /**
   * Variables whose value changed in the `.env` files (cwd, state dir): names only. The process
   * environment already holds the new values; providers read keys lazily, so this is a hot change.
   */
  envChanged: string[];
}

export interface ConfigWatcherEvents {
  /** A valid new config is live. */
  change: [ConfigChange];
  /** An edit was rejected (parse/validation, empty file); the last good config stays live. */
  error: [ConfigError | Error];
  /**
   * The files are valid again after an `error`, with no change against the config that stayed
   * live (e.g. an edit undone): nothing to apply, but the config is no longer in error.
   */
  recovered: [LoadedConfig];
}

export interface WatchConfigOptions extends LoadConfigOptions {
  /** Debounce; default `gateway.reload.debounceMs` (300). */
  debounceMs?: number;
  /** Override `gateway.reload.mode`. */
  mode?: ReloadMode;
  /** Extra classification rules (channel plugins' reload prefixes). */
  rules?: [prefix: string, kind: ReloadClass][];
  /** Start from this already-loaded config instead of loading now. */
  initial?: LoadedConfig;
}

/** How a watcher (re)loads the config: given, or imported on the first reload. */
export interface ConfigLoaderOptions {
  /** The full loader (`loadConfigSync`); required unless `initial` and `loadLater` are given. */
  load?: (options: LoadConfigOptions) => LoadedConfig;
  /**
   * Import the loader on the first file event (keeps validation code out of memory until an
   * edit happens). Used when `load` is absent.
   */
  loadLater?: () => Promise<(options: LoadConfigOptions) => LoadedConfig>;
}

/** Decide the action for a set of changed paths under a reload mode. */
export function planReload(
  changedPaths: string[],
  mode: ReloadMode,
  rules: [string, ReloadClass][] = [],
): Omit<ConfigChange, "loaded" | "previous" | "envChanged"> {
  const hotPaths: string[] = [];
  const restartPaths: string[] = [];
  for (const path of changedPaths) {
    const kind = classifyConfigPath(path, rules);
    if (kind === "hot") hotPaths.push(path);
    else if (kind === "restart") restartPaths.push(path);
  }
  let action: ConfigChange["action"] = "none";
  if (mode === "off") action = "none";
  else if (mode === "restart") action = hotPaths.length + restartPaths.length > 0 ? "restart" : "none";
  else if (mode === "hot") action = hotPaths.length > 0 || restartPaths.length > 0 ? "hot" : "none";
  else action = restartPaths.length > 0 ? "restart" : hotPaths.length > 0 ? "hot" : "none";
  return { changedPaths, hotPaths, restartPaths, action, mode };
}

/**
 * Watches the config file, every `$include`d file, the `.env` files (cwd and state dir) and the
 * files behind `{ source: "file" }` SecretRefs (fs.watch on their directories, so editors that
 * replace files by rename are seen), debounces, and re-runs the full load. A valid edit
 * emits `change` with the diff and the reload plan; an invalid one emits `error` and the last
 * good config stays in `current`.
 */
export class ConfigFileWatcher extends EventEmitter<ConfigWatcherEvents> {
  current: LoadedConfig;
  private load: ((options: LoadConfigOptions) => LoadedConfig) | undefined;
  private readonly watchers = new Map<string, FSWatcher>();
  private timer: NodeJS.Timeout | undefined;
  private fingerprint: string;
  private closed = false;
  /** The last check rejected the files (an `error` was emitted since the last good load). */
  private failed = false;

  constructor(private readonly options: WatchConfigOptions & ConfigLoaderOptions) {
    super();
    this.load = options.load;
    if (options.initial) this.current = options.initial;
    else if (this.load) this.current = this.load(options);
    else throw new TypeError("ConfigFileWatcher needs options.initial or options.load");
    this.fingerprint = this.readFingerprint(this.current);
    this.remember(this.current);
    this.dotenv = this.readDotenv(this.current);
    this.rewatch();
  }

  /** Values this watcher's loads put into the environment (undone before each reload). */
  private applied = new Map<string, string>();
  private dotenv: Record<string, string>;

  private files(loaded: LoadedConfig): string[] {
    return [
      ...new Set([
        loaded.path,
        ...loaded.includedFiles,
        ...(loaded.envFiles ?? []),
        ...(loaded.secretFiles ?? []),
      ]),
    ];
  }

  private get env(): NodeJS.ProcessEnv | undefined {
    // with applyEnv: false every load works on a copy, so there is nothing to undo
    return this.options.applyEnv === false ? undefined : (this.options.env ?? process.env);
  }

  private remember(loaded: LoadedConfig): void {
    const env = this.env;
    this.applied.clear();
    if (!env) return;
    for (const { name } of loaded.envApplied) {
      const value = env[name];
      if (value !== undefined) this.applied.set(name, value);
    }
  }

  /** The merged `.env` variables as the loader sees them (cwd first, then the state dir). */
  private readDotenv(loaded: LoadedConfig): Record<string, string> {
    const merged: Record<string, string> = {};
    for (const file of loaded.envFiles ?? []) {
      let vars: Record<string, string> | undefined;
      try {
        vars = readDotEnvFile(file);
      } catch {
        vars = undefined;
      }
      for (const [name, value] of Object.entries(vars ?? {})) if (!(name in merged)) merged[name] = value;
    }
    return merged;
  }

  private readFingerprint(loaded: LoadedConfig, mainText?: string): string {
    return this.files(loaded)
      .map((file) => {
        if (file === loaded.path && mainText !== undefined) return mainText;
        try {
          return readFileSync(file, "utf8");
        } catch {
          return "\u0000missing";
        }
      })
      .join("\u0000");
  }

  private rewatch(): void {
    const wanted = new Map<string, Set<string>>();
    for (const file of this.files(this.current)) {
      const dir = dirname(file);
      if (!wanted.has(dir)) wanted.set(dir, new Set());
      wanted.get(dir)!.add(basename(file));
    }
    for (const [dir, watcher] of this.watchers)
      if (!wanted.has(dir)) {
        watcher.close();
        this.watchers.delete(dir);
      }
    for (const [dir, names] of wanted) {
      if (this.watchers.has(dir)) {
        (this.watchers.get(dir) as FSWatcher & { names?: Set<string> }).names = names;
        continue;
      }
      try {
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          const current = (watcher as FSWatcher & { names?: Set<string> }).names;
          if (name === null || current?.has(String(name))) this.schedule();
        }) as FSWatcher & { names?: Set<string> };
        watcher.names = names;
        watcher.on("error", () => {});
        this.watchers.set(dir, watcher);
      } catch {
        // directory missing: nothing to watch until it exists
      }
    }
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    const delay = this.options.debounceMs ?? this.current.config.gateway.reload.debounceMs;
    this.timer = setTimeout(() => {
      if (this.load || !this.options.loadLater) {
        this.check();
        return;
      }
      this.options.loadLater().then(
        (load) => {
          this.load ??= load;
          this.check();
        },
        (error: unknown) => this.emit("error", error instanceof Error ? error : new Error(String(error))),
      );
    }, delay);
  }

  /** Re-read now (also what the file events trigger). Resolves to the change, if any. */
  check(): ConfigChange | undefined {
    if (this.closed) return undefined;
    const load = this.load;
    if (!load) throw new TypeError("config loader not loaded yet (options.loadLater pending)");
    const previous = this.current;
    let next: LoadedConfig;
    // undo what the last load put into the environment (unless something else changed it since),
    // so edited .env values and env-block entries take effect — loads never override set variables
    const env = this.env;
    const undone = new Map<string, string>();
    if (env)
      for (const [name, value] of this.applied)
        if (env[name] === value) {
          undone.set(name, value);
          delete env[name];
        }
    try {
      refuseEmptyConfigFile(previous.path);
      next = load({ ...this.options, path: previous.path });
    } catch (error) {
      if (env) for (const [name, value] of undone) if (env[name] === undefined) env[name] = value;
      const fingerprint = this.readFingerprint(previous);
      if (fingerprint === this.fingerprint) return undefined;
      this.fingerprint = fingerprint;
      this.failed = true;
      this.emit("error", error as Error);
      return undefined;
    }
    this.remember(next);
    const fingerprint = this.readFingerprint(next);
    if (fingerprint === this.fingerprint) return undefined;
    const recovering = this.failed;
    this.failed = false;
    this.fingerprint = fingerprint;
    this.current = next;
    this.rewatch();
    const dotenv = this.readDotenv(next);
    const envChanged = [...new Set([...Object.keys(this.dotenv), ...Object.keys(dotenv)])]
      .filter((name) => this.dotenv[name] !== dotenv[name])
      .sort();
    this.dotenv = dotenv;
    const mode = this.options.mode ?? next.config.gateway.reload.mode;
    const plan = planReload(diffConfigPaths(previous.config, next.config), mode, this.options.rules);
    // an env-only edit (e.g. a provider key read from the environment) is applied live
    if (envChanged.length > 0 && plan.action === "none" && mode !== "off") plan.action = "hot";
    const change: ConfigChange = { ...plan, loaded: next, previous, envChanged };
    if (plan.changedPaths.length > 0 || next.hash !== previous.hash || envChanged.length > 0)
      this.emit("change", change);
    else if (recovering) this.emit("recovered", next);
    return change;
  }

  /**
   * Take a config written through the store as current (the store announces it). Returns false
   * when this watcher already saw those files (its file event was handled first), so a write is
   * announced exactly once, by whichever of the two comes first.
   */
  adopt(loaded: LoadedConfig): boolean {
    const fingerprint = this.readFingerprint(loaded, loaded.exists ? loaded.raw : undefined);
    const news = fingerprint !== this.fingerprint || this.failed;
    this.fingerprint = fingerprint;
    this.failed = false;
    this.current = loaded;
    this.dotenv = this.readDotenv(loaded);
    this.rewatch();
    return news;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    this.removeAllListeners();
  }
}
