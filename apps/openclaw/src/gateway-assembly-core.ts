import type { Assistant } from "@openclaw/core";
import type { Logger } from "@openclaw/gateway";

/** Core's assistant for the gateway, with the model providers this config can use. */
export async function createCoreAssistant(options: {
  config: Record<string, unknown>;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
}): Promise<Assistant> {
  const core = await import("@openclaw/core");
  const factories = await loadProviderFactories();
  return core.createAssistant({
    config: options.config as never,
    stateDir: options.stateDir,
    env: options.env,
    ...(factories ? { providerFactories: factories as never } : {}),
  });
}

type FromConfig = (
  id: string,
  config: unknown,
  env: Record<string, string | undefined>,
  overrides?: { baseURL?: string; apiKey?: string; headers?: Record<string, string>; fetch?: typeof fetch },
) => unknown;

/**
 * The provider packages' `fromConfig` as core's factories, by wire API. Each package is imported
 * before the assistant starts, but only for the APIs this config can use.
 */
async function loadProviderFactories(): Promise<Record<string, unknown> | undefined> {
  const packages: [string[], () => Promise<{ fromConfig: FromConfig }>][] = [
    [["openai-completions", "openai-responses"], () => import("@openclaw/providers-openai") as never],
    [["anthropic-messages"], () => import("@openclaw/providers-anthropic") as never],
    [["google-generative-ai"], () => import("@openclaw/providers-gemini") as never],
    [["ollama"], () => import("@openclaw/providers-ollama") as never],
  ];
  const factories: Record<string, unknown> = {};
  await Promise.all(
    packages.map(async ([apis, load]) => {
      try {
        const { fromConfig } = await load();
        const factory = (options: {
          id: string;
          config: unknown;
          env: Record<string, string | undefined>;
          baseURL?: string;
          apiKey?: string;
          headers?: Record<string, string>;
          fetch?: typeof fetch;
        }) =>
          fromConfig(options.id, options.config, options.env, {
            ...(options.baseURL ? { baseURL: options.baseURL } : {}),
            ...(options.apiKey ? { apiKey: options.apiKey } : {}),
            ...(options.headers ? { headers: options.headers } : {}),
            ...(options.fetch ? { fetch: options.fetch } : {}),
          });
        for (const api of apis) factories[api] = factory;
      } catch {
        // a provider package that does not load is skipped; chats name the missing provider
      }
    }),
  );
  return Object.keys(factories).length ? factories : undefined;
}
