import { ProviderError } from "@openclaw/protocol/model";

export interface LoadApiKeyOptions {
  /** Provider id (`openai`, `anthropic`, a custom id...), used in the error message. */
  provider: string;
  /** A key given in options/config; wins over the environment. */
  apiKey?: string | undefined;
  /** Environment variables to try, in order. */
  envVars: readonly string[];
  /** Environment to read (default `process.env`), read at call time. */
  env?: Record<string, string | undefined>;
}

/**
 * The API key to use for a request: the explicit one, else the first set env var. Throws an
 * `auth` ProviderError naming the env var(s) and the CLI command that stores a key.
 */
export function loadApiKey(options: LoadApiKeyOptions): string {
  if (options.apiKey !== undefined && options.apiKey.trim() !== "") return options.apiKey.trim();
  const env = options.env ?? (typeof process === "undefined" ? {} : process.env);
  for (const name of options.envVars) {
    const value = env[name];
    if (value !== undefined && value.trim() !== "") return value.trim();
  }
  const vars = options.envVars.join(" or ");
  throw new ProviderError(
    "auth",
    `No API key for provider "${options.provider}": set ${vars || "an API key in models.providers." + options.provider + ".apiKey"}, ` +
      `or run \`openclaw models auth paste-token --provider ${options.provider}\`.`,
    {
      provider: options.provider,
      isRetryable: false,
      providerCode: "missing_api_key",
      details: { kind: "auth", missingApiKey: true, envVars: options.envVars },
    },
  );
}
