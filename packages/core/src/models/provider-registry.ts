import {
  getBuiltinProvider,
  type ModelApi,
  type ModelInfo,
  type ModelProviderConfig,
  type ModelProviderV1,
  resolveConfigApiKey,
} from "@openclaw/protocol/model";
import type { RuntimeConfig, RuntimeProviderConfig } from "./runtime-config.js";

/** Wire APIs a provider package can serve (`models.providers.<id>.api`). */
export type ProviderApi = ModelApi;

/** Options a provider package's factory receives when core builds a provider from config. */
export interface ProviderFactoryOptions {
  /** Provider id used in refs (`openai`, `my-vllm`). */
  id: string;
  /** `models.providers.<id>` as written (empty object for a built-in id used with just a key). */
  config: ModelProviderConfig;
  env: Record<string, string | undefined>;
  baseURL?: string;
  /** Default credential; core may override it per call (auth-profile rotation). */
  apiKey?: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** Models declared in config for this provider. */
  models?: ModelInfo[];
}

/**
 * Builds a provider for one id. The provider packages' `fromConfig(id, config, env)` fit as
 * `(options) => fromConfig(options.id, options.config, options.env)`.
 */
export type ProviderFactory = (options: ProviderFactoryOptions) => ModelProviderV1 | undefined;

interface BuiltinInfo {
  api: ProviderApi;
  baseUrl?: string;
  envKeys: readonly string[];
  keyRequired: boolean;
}

function builtinInfo(id: string): BuiltinInfo | undefined {
  const builtin = getBuiltinProvider(id);
  return builtin
    ? {
        api: builtin.api,
        baseUrl: builtin.baseUrl,
        envKeys: builtin.envKeys,
        keyRequired: builtin.apiKeyRequired,
      }
    : undefined;
}

const BUILTIN_IDS = [
  "anthropic",
  "openai",
  "google",
  "openrouter",
  "groq",
  "together",
  "xai",
  "mistral",
  "cerebras",
  "deepseek",
  "ollama",
  "lmstudio",
  "vllm",
  "litellm",
];

/** A provider is configured but cannot be used, and here is the exact fix. */
export class ProviderUnavailableError extends Error {
  readonly code = "PROVIDER_UNAVAILABLE" as const;
  readonly provider: string;
  readonly fix: string;
  constructor(provider: string, message: string, fix: string) {
    super(`${message} ${fix}`);
    this.name = "ProviderUnavailableError";
    this.provider = provider;
    this.fix = fix;
  }
}

/** How to fix a missing provider, in one sentence with the command to run. */
export function missingProviderFix(provider: string): string {
  const builtin = builtinInfo(provider);
  if (builtin?.keyRequired)
    return `Run \`openclaw models auth paste-token --provider ${provider}\`${builtin.envKeys[0] ? ` or set ${builtin.envKeys[0]}` : ""}.`;
  if (builtin)
    return `Set models.providers.${provider}.baseUrl (default ${builtin.baseUrl}) and make sure the server is running.`;
  return `Declare it in config: models.providers.${provider} = { baseUrl, api: "openai-completions", apiKey, models: [...] }, or pick another model with \`openclaw models set <provider/model>\`.`;
}

function secretValue(value: unknown, env: NodeJS.ProcessEnv): string | undefined {
  if (typeof value === "string") return resolveConfigApiKey(value, env);
  if (value && typeof value === "object" && (value as { source?: string }).source === "env")
    return env[(value as { id: string }).id] || undefined;
  return undefined;
}

export interface ProviderRegistryOptions {
  config: RuntimeConfig;
  /** Ready provider instances (tests, embedding apps); they win over config. */
  providers?: ModelProviderV1[] | Record<string, ModelProviderV1>;
  /** Factories by API, usually the provider packages' `fromConfig`-style creators. */
  factories?: Partial<Record<ProviderApi, ProviderFactory>>;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}

export interface ResolvedProvider {
  id: string;
  provider: ModelProviderV1;
  api?: ProviderApi;
  keyRequired: boolean;
  /** API key from env or config (auth profiles come on top, from the auth store). */
  staticKeys: { id: string; key: string }[];
  config?: RuntimeProviderConfig;
}

/**
 * Builds providers lazily from config + factories and caches them by id. Built-in ids work with
 * only an API key (env / auth profile) or base URL; `models.providers.<id>` entries choose their
 * factory with `api`.
 */
export class ProviderRegistry {
  private readonly cache = new Map<string, { resolved: ResolvedProvider; credentials: string }>();
  private readonly instances = new Map<string, ModelProviderV1>();
  constructor(private readonly options: ProviderRegistryOptions) {
    const given = options.providers;
    if (Array.isArray(given)) for (const provider of given) this.instances.set(provider.id, provider);
    else if (given) for (const [id, provider] of Object.entries(given)) this.instances.set(id, provider);
  }

  get env(): NodeJS.ProcessEnv {
    return this.options.env ?? process.env;
  }

  /** Provider ids that can be used: given instances, declared providers, built-ins with a key in env. */
  ids(): string[] {
    const ids = new Set(this.instances.keys());
    for (const [id, provider] of Object.entries(this.options.config.models?.providers ?? {}))
      if (provider.enabled !== false) ids.add(id);
    for (const id of BUILTIN_IDS) if (builtinInfo(id)?.envKeys.some((key) => this.env[key])) ids.add(id);
    return [...ids];
  }

  /** Resolve a provider id or throw ProviderUnavailableError with the fix. */
  /**
   * The credentials a provider was built with (config key, env keys, header values). When they
   * change — a `.env` edit the config watcher applied, a rotated variable — the provider is
   * rebuilt on its next use, without a config reload.
   */
  private credentials(declared: RuntimeProviderConfig | undefined, builtin: BuiltinInfo | undefined): string {
    const parts = [secretValue(declared?.apiKey, this.env) ?? ""];
    for (const name of builtin?.envKeys ?? []) parts.push(this.env[name] ?? "");
    for (const value of Object.values(declared?.headers ?? {}))
      parts.push(secretValue(value, this.env) ?? "");
    return parts.join("\u0000");
  }

  resolve(id: string): ResolvedProvider {
    const declared = this.options.config.models?.providers?.[id];
    const builtin = builtinInfo(id);
    const credentials = this.credentials(declared, builtin);
    const cached = this.cache.get(id);
    if (cached && cached.credentials === credentials) return cached.resolved;
    const resolved = this.build(id, declared, builtin);
    this.cache.set(id, { resolved, credentials });
    return resolved;
  }

  private build(
    id: string,
    declared: RuntimeProviderConfig | undefined,
    builtin: BuiltinInfo | undefined,
  ): ResolvedProvider {
    const staticKeys: { id: string; key: string }[] = [];
    const configKey = secretValue(declared?.apiKey, this.env);
    if (configKey) staticKeys.push({ id: `${id}:config`, key: configKey });
    for (const name of builtin?.envKeys ?? []) {
      const value = this.env[name];
      if (value) {
        staticKeys.push({ id: `${id}:env`, key: value });
        break;
      }
    }
    const instance = this.instances.get(id);
    if (instance) {
      const resolved: ResolvedProvider = {
        id,
        provider: instance,
        keyRequired: false,
        staticKeys,
        config: declared,
      };
      return resolved;
    }
    if (declared?.enabled === false)
      throw new ProviderUnavailableError(
        id,
        `Provider "${id}" is disabled (models.providers.${id}.enabled = false).`,
        missingProviderFix(id),
      );
    if (!declared && !builtin)
      throw new ProviderUnavailableError(id, `Unknown provider "${id}".`, missingProviderFix(id));
    const api = (declared?.api as ProviderApi | undefined) ?? builtin?.api ?? "openai-completions";
    const factory = this.options.factories?.[api];
    if (!factory)
      throw new ProviderUnavailableError(
        id,
        `No provider package for API "${api}" is loaded (provider "${id}").`,
        "Install/enable the matching @openclaw/providers-* package or pass it to createAssistant({ providerFactories }).",
      );
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(declared?.headers ?? {})) {
      const resolvedValue = secretValue(value, this.env);
      if (resolvedValue) headers[name] = resolvedValue;
    }
    let provider: ModelProviderV1;
    try {
      const built = factory({
        id,
        config: (declared ?? {}) as ModelProviderConfig,
        env: this.env,
        baseURL: declared?.baseUrl ?? builtin?.baseUrl,
        apiKey: staticKeys[0]?.key,
        headers: Object.keys(headers).length ? headers : undefined,
        fetch: this.options.fetch,
        models: declared?.models?.map((model) => ({
          id: model.id,
          name: model.name,
          contextWindow: model.contextWindow,
          maxTokens: model.maxTokens,
          reasoning: model.reasoning,
        })),
      });
      if (!built) throw new Error("the provider is disabled or not configured");
      provider = built;
    } catch (error) {
      throw new ProviderUnavailableError(
        id,
        `Provider "${id}" could not be set up: ${(error as Error)?.message ?? String(error)}.`,
        missingProviderFix(id),
      );
    }
    const keyRequired = declared
      ? Boolean(builtin?.keyRequired && !declared.baseUrl)
      : Boolean(builtin?.keyRequired);
    return { id, provider, api, keyRequired, staticKeys, config: declared };
  }

  /** Model metadata from config (`models.providers.<id>.models[]`). */
  modelInfo(providerId: string, modelId: string): ModelInfo | undefined {
    const model = this.options.config.models?.providers?.[providerId]?.models?.find(
      (entry) => entry.id === modelId,
    );
    return model
      ? {
          id: model.id,
          name: model.name,
          contextWindow: model.contextWindow,
          maxTokens: model.maxTokens,
          reasoning: model.reasoning,
          ...(Array.isArray(model.input)
            ? {
                input: model.input.filter(
                  (kind): kind is "text" | "image" => kind === "text" || kind === "image",
                ),
              }
            : {}),
          cost: model.cost,
        }
      : undefined;
  }

  /** Forget cached providers (config reload). */
  clear(): void {
    this.cache.clear();
  }
}

export function createProviderRegistry(options: ProviderRegistryOptions): ProviderRegistry {
  return new ProviderRegistry(options);
}
