import type { Assistant } from "@openclaw/core/assistant";
import type { Logger } from "@openclaw/gateway";

/** Core's assistant for the gateway, with the model providers this config can use. */
export async function createCoreAssistant(options: {
  config: Record<string, unknown>;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Node exec and exec approvals go through the gateway's own methods. */
  gateway?: { call(method: string, params: Record<string, unknown>): Promise<unknown> };
}): Promise<Assistant> {
  // the assistant alone: core's main entry would also load the config schema (zod)
  const core = await import("@openclaw/core/assistant");
  // one provider registry (bundled + installed provider plugins), shared with the CLI
  const { loadProviders } = await import("./commands/models-providers.js");
  const { pluginLogger } = await import("./commands/plugins-registry.js");
  const { providerFactories, providers } = await loadProviders({
    config: options.config,
    stateDir: options.stateDir,
    env: options.env,
    logger: pluginLogger(options.logger),
  });
  return core.createAssistant({
    config: options.config as never,
    stateDir: options.stateDir,
    env: options.env,
    providerFactories,
    providers,
    ...(options.gateway ? { gateway: options.gateway } : {}),
  });
}
