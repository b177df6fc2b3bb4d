// One short model call from the CLI (`models status --probe`, `benchmark`): the configured
// providers and auth profiles, one model ref, no session, no tools.

export interface ModelCaller {
  /** `agents.defaults.model` primary (or the built-in default) first, then the fallbacks. */
  refs: string[];
  fallbacks: string[];
  config: Record<string, unknown>;
  /** One streamed call to `ref`; `onText` sees each text delta. Throws the provider's error. */
  call(
    ref: string,
    prompt: string,
    options: { maxOutputTokens: number; timeoutMs: number; onText?: (delta: string) => void },
  ): Promise<{ text: string; outputTokens: number }>;
  /** Problems with a provider's credentials (none ⇒ undefined), and where its keys come from. */
  auth(provider: string): Promise<{ credentials: string[]; problem?: string }>;
}

export async function openModelCaller(): Promise<ModelCaller> {
  const { loadConfig } = await import("@openclaw/core/config");
  const result = await loadConfig({});
  const config = result.config as never;
  const core = await import("@openclaw/core");
  const { createFileStateStore, AuthProfileStore } = await import("@openclaw/core/state");
  const { primary, fallbacks } = core.agentModelConfig(config);
  const profiles = new AuthProfileStore(createFileStateStore(result.paths.stateDir), "main");
  const { loadProviders } = await import("./models-providers.js");
  const plugins = await loadProviders();
  const registry = new core.ProviderRegistry({
    config,
    factories: plugins.providerFactories,
    providers: plugins.providers,
  });
  const cooldowns = new core.ProfileCooldowns();
  return {
    refs: [primary ?? core.DEFAULT_MODEL, ...fallbacks],
    fallbacks,
    config: result.config as Record<string, unknown>,
    async call(ref, prompt, options) {
      const { result: reply } = await core.runWithFailover({
        refs: [core.parseModelRef(ref)],
        registry,
        cooldowns,
        auth: core.authSourceFromStore(profiles),
        attempt: (candidate) =>
          core.streamModelReply(
            candidate.model,
            {
              messages: [{ role: "user", content: [{ type: "text", text: prompt }] }],
              maxOutputTokens: options.maxOutputTokens,
              apiKey: candidate.apiKey,
              abortSignal: AbortSignal.timeout(options.timeoutMs),
            },
            options.onText ? { onTextDelta: (delta) => options.onText?.(delta) } : {},
            { now: Date.now },
          ),
      });
      const text = reply.message.content.map((block) => (block.type === "text" ? block.text : "")).join("");
      return { text, outputTokens: reply.message.usage.output };
    },
    async auth(provider) {
      const stored = (await profiles.list(provider)).map((entry) => entry.id);
      try {
        const resolved = registry.resolve(provider);
        const credentials = [...stored, ...resolved.staticKeys.map((key) => key.id)];
        if (credentials.length === 0 && resolved.keyRequired)
          return { credentials, problem: `no API key. ${core.missingProviderFix(provider)}` };
        return { credentials };
      } catch (error) {
        return { credentials: [], problem: (error as Error).message };
      }
    },
  };
}
