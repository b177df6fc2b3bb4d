import type { Assistant } from "@openclaw/core";
import type { LoadedConfig } from "@openclaw/core/config/store";
import type {
  AuthOverrides,
  BindMode,
  Gateway,
  GatewayAssistant,
  GatewayConfigStore,
  Logger,
} from "@openclaw/gateway";
import type { ChannelsApplied, Enqueuing } from "./gateway-assembly-channels.js";

/** What `openclaw gateway run` passes in (flags already parsed). */
export interface AssembleOptions {
  port?: number;
  bind?: BindMode;
  auth?: AuthOverrides;
  verbose?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Write console logs (pretty on a TTY); default true. */
  console?: boolean;
  /**
   * The config as loaded and validated before the re-exec (gateway-handoff.ts). When its file is
   * unchanged, the gateway starts from it without loading the validation code.
   */
  preloaded?: LoadedConfig;
}

export interface Assembled {
  gateway: Gateway;
  configPath: string;
  stateDir: string;
  logFile: string;
  /** Name of the model provider in use, or undefined when none is configured. */
  provider: string | undefined;
  /** The effective config now, and a subscription to hot-reloaded edits. */
  config(): Record<string, unknown>;
  onConfigChange(listener: (config: Record<string, unknown>) => void): () => void;
  /** Called after each `channels.*` edit was applied (accounts reloaded, channels restarted…). */
  onChannelsApplied(listener: (outcome: ChannelsApplied) => void): () => void;
  /** Start the channel accounts (after the gateway listens). */
  start(): Promise<void>;
  close(): Promise<void>;
}

const PROVIDER_ENV: [string, string][] = [
  ["ANTHROPIC_API_KEY", "anthropic"],
  ["OPENAI_API_KEY", "openai"],
  ["GEMINI_API_KEY", "google"],
  ["GOOGLE_API_KEY", "google"],
  ["OLLAMA_HOST", "ollama"],
];

/** `1|true|on` ⇒ on, `0|false|off` ⇒ off, anything else ⇒ the config decides. */
function envSwitch(value: string | undefined, name: string): Record<string, boolean> {
  const normalized = value?.trim().toLowerCase();
  if (normalized === "1" || normalized === "true" || normalized === "on") return { [name]: true };
  if (normalized === "0" || normalized === "false" || normalized === "off") return { [name]: false };
  return {};
}

/** The provider a config + environment give the assistant, if any. */
export function detectProvider(config: Record<string, unknown>, env: NodeJS.ProcessEnv): string | undefined {
  const providers = (config.models as { providers?: Record<string, unknown> } | undefined)?.providers;
  if (providers && Object.keys(providers).length) return Object.keys(providers)[0];
  for (const [name, provider] of PROVIDER_ENV) if (env[name]) return provider;
  const profiles = (config.auth as { profiles?: Record<string, { provider?: string }> } | undefined)
    ?.profiles;
  const profile = profiles && Object.values(profiles)[0];
  return profile?.provider;
}

/** The Control UI's build (the @openclaw/control-ui package's dist), when it is installed. */
function controlUiBuild(): string | undefined {
  try {
    return decodeURIComponent(
      new URL("./dist", import.meta.resolve("@openclaw/control-ui/package.json")).pathname,
    );
  } catch {
    return undefined;
  }
}

/**
 * Thin wiring: config (core's paths + validation) → assistant → channels → createGateway.
 * Everything here is assembly; behaviour lives in the packages.
 */
export async function assembleGateway(options: AssembleOptions = {}): Promise<Assembled> {
  const env = options.env ?? process.env;
  // only core's config store here (no validation code until an edit needs it, when preloaded):
  // the full core (agent runtime, tools, formatting) loads only when a provider or a channel needs it
  const [{ createGateway, createGatewayLogger, defaultLogFile, createUnconfiguredAssistant }, core] =
    await Promise.all([import("@openclaw/gateway"), import("@openclaw/core/config/store")]);
  const paths = core.resolvePaths(env);
  // the gateway owns the state dir: create it (0700) so first-start writes (token, lock) succeed
  const { mkdirSync } = await import("node:fs");
  const { dirname } = await import("node:path");
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  mkdirSync(dirname(paths.configPath), { recursive: true, mode: 0o700 });
  // core's config store: loader (JSON5, $include, env), validation, guarded writes, hot reload
  const store = await core.openConfigStore({
    env,
    ...(options.preloaded?.path === paths.configPath ? { preloaded: options.preloaded } : {}),
  });
  const config = store.snapshot().config;
  const logging = (config.logging ?? {}) as { file?: string; level?: string; consoleLevel?: string };
  const logFile = logging.file ?? defaultLogFile();
  const { logger } = createGatewayLogger({
    file: logFile,
    level: options.verbose ? "debug" : (logging.level ?? "info"),
    console: options.console !== false,
    consoleLevel: options.verbose ? "debug" : (logging.consoleLevel ?? "info"),
  });
  const provider = detectProvider(config, env);
  let assistant: GatewayAssistant;
  let closeAssistant: () => Promise<void> = async () => undefined;
  let reloadAssistant: (config: Record<string, unknown>) => void = () => undefined;
  let enqueuing: (() => Promise<Enqueuing | undefined>) | undefined;
  let assistantCreated: ((listener: () => void) => void) | undefined;
  let running: () => Assistant | undefined = () => undefined;
  if (provider) {
    // created on the first chat (or channel message), with the config current then
    const { lazyCoreAssistant } = await import("./gateway-assembly-lazy.js");
    const lazy = lazyCoreAssistant(async () => {
      const { createCoreAssistant } = await import("./gateway-assembly-core.js");
      return createCoreAssistant({
        config: store.snapshot().config,
        stateDir: paths.stateDir,
        env,
        logger,
        // exec on nodes and exec approvals: the gateway's node.* / exec.approval.* methods
        gateway: { call: (method, params) => gateway.call(method as never, params as never) },
      });
    }, logger as Logger);
    assistant = lazy.assistant;
    enqueuing = lazy.enqueuing;
    assistantCreated = lazy.onCreated;
    closeAssistant = lazy.close;
    reloadAssistant = lazy.reloadConfig;
    running = lazy.running;
  } else {
    assistant = createUnconfiguredAssistant();
  }
  // POST /tools/invoke runs core's tools through core's tool policy (core loads on first use)
  const { createToolInvoker } = await import("./gateway-assembly-tools.js");
  assistant.invokeTool = createToolInvoker({
    config: () => store.snapshot().config,
    stateDir: paths.stateDir,
    env,
    assistant: running,
  });
  // channels follow `channels.*` edits without a gateway restart (core's channel manager reload)
  const { createChannelHost } = await import("./gateway-assembly-channels.js");
  const channelHost = createChannelHost({
    config: () => store.snapshot().config,
    stateDir: paths.stateDir,
    configPath: paths.configPath,
    env,
    assistant: enqueuing,
    ...(assistantCreated ? { assistantCreated } : {}),
    logger: logger as Logger,
  });
  const channelListeners = new Set<(outcome: ChannelsApplied) => void>();
  const unsubscribeChannels = store.onChange((snapshot: { config: Record<string, unknown> }) => {
    // hot-applicable sections (agents, tools, messages, session, …) reach the running assistant;
    // listener-level keys restart the gateway in-process (gateway-run's restartKeys)
    try {
      reloadAssistant(snapshot.config);
    } catch (error) {
      logger.error(
        { err: error instanceof Error ? error.message : String(error) },
        "assistant config reload failed; the previous config stays live",
      );
    }
    automation.applyConfig();
    void channelHost.apply(snapshot.config).then(
      (outcome) => {
        for (const listener of channelListeners) listener(outcome);
      },
      (error: unknown) =>
        logger.error(
          { err: error instanceof Error ? error.message : String(error) },
          "channels config change failed",
        ),
    );
  });
  // cron and heartbeat: started after the gateway listens, and only when something is scheduled
  const { createAutomationHost } = await import("./gateway-assembly-automation.js");
  const automation = createAutomationHost({
    config: () => store.snapshot().config,
    stateDir: paths.stateDir,
    env,
    logger: logger as Logger,
    provider,
    assistant,
    channels: channelHost.channels,
    broadcast: (event, payload) => gateway.broadcast(event, payload),
  });
  const gateway = createGateway({
    config: store as GatewayConfigStore,
    capabilities: [automation.methods],
    stateDir: paths.stateDir,
    logger: logger as Logger,
    logFile,
    assistant,
    channels: channelHost.channels,
    version: (await import("./version.js")).CLI_VERSION,
    env,
    controlUiRoot: controlUiBuild(),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.bind ? { bind: options.bind } : {}),
    ...(options.auth ? { auth: options.auth } : {}),
    // opt-in endpoints: gateway.http.endpoints.<name>.enabled; the env vars override the config
    http: {
      ...envSwitch(env.OPENCLAW_GATEWAY_METRICS, "metrics"),
      ...envSwitch(env.OPENCLAW_GATEWAY_TOOLS_INVOKE, "toolsInvoke"),
      ...envSwitch(env.OPENCLAW_GATEWAY_CHAT_COMPLETIONS, "chatCompletions"),
    },
  });
  return {
    gateway,
    onConfigChange: (listener) =>
      store.onChange((snapshot: { config: Record<string, unknown> }) => listener(snapshot.config)),
    config: () => store.snapshot().config,
    configPath: paths.configPath,
    stateDir: paths.stateDir,
    logFile,
    provider,
    onChannelsApplied(listener) {
      channelListeners.add(listener);
      return () => channelListeners.delete(listener);
    },
    async start() {
      await channelHost.start();
      automation.start();
    },
    async close() {
      unsubscribeChannels();
      await automation.stop().catch(() => undefined);
      await channelHost.stop().catch(() => undefined);
      await closeAssistant();
      store.close?.();
    },
  };
}
