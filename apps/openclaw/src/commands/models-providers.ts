import type { LoadedProviders } from "@openclaw/core/plugins";
import type { ChannelLogger } from "@openclaw/protocol";

/**
 * Provider factories (by wire API) and provider instances from the plugin registry: the bundled
 * provider packages and any installed provider plugin. The gateway assembly and the CLI
 * (`openclaw agent --local`, `models status`) pass the result to `createAssistant` /
 * `ProviderRegistry`. Without options the local config and state dir are used.
 */
export async function loadProviders(options?: {
  config: Record<string, unknown>;
  stateDir: string;
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  logger?: ChannelLogger;
}): Promise<LoadedProviders> {
  const { localPluginRegistry, openPluginRegistry } = await import("./plugins-registry.js");
  const registry = options ? await openPluginRegistry(options) : await localPluginRegistry();
  return registry.loadProviders();
}
