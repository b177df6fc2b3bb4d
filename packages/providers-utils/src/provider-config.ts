import {
  type BuiltinProvider,
  getBuiltinProvider,
  type ModelApi,
  type ModelInfo,
  type ModelProviderConfig,
  type ProviderConfigOverrides,
  resolveConfigApiKey,
} from "@openclaw/protocol/model";

/** What every provider package's `fromConfig` reads the same way from `models.providers.<id>`. */
export interface ResolvedProviderConfig<Api extends ModelApi> {
  api: Api;
  builtin: BuiltinProvider | undefined;
  /** Override → config → built-in default; undefined for a custom id without `baseUrl`. */
  baseURL: string | undefined;
  /** `<ID>_API_KEY`: where a custom provider id's key is looked up by default. */
  customEnvKey: string;
  /** Fields passed as they are to the package's `createX()`. */
  common: {
    id: string;
    apiKey: string | undefined;
    headers: Record<string, string>;
    fetch: typeof globalThis.fetch | undefined;
    env: Record<string, string | undefined>;
    models: ModelInfo[] | undefined;
  };
}

/**
 * Resolve a provider entry for the package that serves `apis` (the first is its default): checks
 * the wire API, merges overrides over config over the built-in table, resolves `${VAR}` keys.
 */
export function resolveProviderConfig<Api extends ModelApi>(
  packageName: string,
  apis: readonly [Api, ...Api[]],
  id: string,
  providerConfig: ModelProviderConfig,
  env: Record<string, string | undefined>,
  overrides: ProviderConfigOverrides,
): ResolvedProviderConfig<Api> {
  const builtin = getBuiltinProvider(id);
  const api = providerConfig.api ?? builtin?.api ?? apis[0];
  if (!(apis as readonly ModelApi[]).includes(api))
    throw new Error(`${packageName} cannot serve api "${api}" (provider "${id}")`);
  return {
    api: api as Api,
    builtin,
    baseURL: overrides.baseURL ?? providerConfig.baseUrl ?? builtin?.baseUrl,
    customEnvKey: `${id.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_API_KEY`,
    common: {
      id,
      apiKey: overrides.apiKey ?? resolveConfigApiKey(providerConfig.apiKey, env),
      headers: { ...providerConfig.headers, ...overrides.headers },
      fetch: overrides.fetch,
      env,
      models: providerConfig.models?.length ? providerConfig.models : undefined,
    },
  };
}
