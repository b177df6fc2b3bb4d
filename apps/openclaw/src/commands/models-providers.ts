import type { ProviderApi, ProviderFactory } from "@openclaw/core";

/**
 * Provider factories by API kind, built from the provider packages' `fromConfig(id, config, env)`.
 * Loaded lazily (each package is imported only here). The gateway assembly and `openclaw agent
 * --local` pass the result to `createAssistant({ providerFactories })`.
 */
export async function loadProviderFactories(): Promise<Partial<Record<ProviderApi, ProviderFactory>>> {
  const [openai, anthropic, gemini, ollama] = await Promise.all([
    import("@openclaw/providers-openai").catch(() => undefined),
    import("@openclaw/providers-anthropic").catch(() => undefined),
    import("@openclaw/providers-gemini").catch(() => undefined),
    import("@openclaw/providers-ollama").catch(() => undefined),
  ]);
  const factories: Partial<Record<ProviderApi, ProviderFactory>> = {};
  if (openai) {
    const build: ProviderFactory = (options) => openai.fromConfig(options.id, options.config, options.env);
    factories["openai-completions"] = build;
    factories["openai-responses"] = build;
  }
  if (anthropic)
    factories["anthropic-messages"] = (options) =>
      anthropic.fromConfig(options.id, options.config, options.env);
  if (gemini)
    factories["google-generative-ai"] = (options) =>
      gemini.fromConfig(options.id, options.config, options.env);
  if (ollama) factories.ollama = (options) => ollama.fromConfig(options.id, options.config, options.env);
  return factories;
}
