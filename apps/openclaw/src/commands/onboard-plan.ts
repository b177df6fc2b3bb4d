// What onboarding decides, separate from how it asks: answers (from flags or prompts) → the config
// keys to edit (one core config-store patch, key by key), the credential to store, the workspace.
import { randomBytes } from "node:crypto";

export const AUTH_CHOICES = [
  "anthropic-api-key",
  "openai-api-key",
  "gemini-api-key",
  "ollama",
  "lmstudio",
  "custom-api-key",
  "skip",
] as const;
export type AuthChoice = (typeof AUTH_CHOICES)[number];
export const BINDS = ["loopback", "lan", "tailnet", "auto", "custom"] as const;
export const DM_POLICIES = ["pairing", "allowlist", "open", "disabled"] as const;

/** Default model per provider (what a new user gets when they do not pick one). */
export const DEFAULT_MODELS: Record<string, string> = {
  anthropic: "anthropic/claude-sonnet-4-5",
  openai: "openai/gpt-5-mini",
  google: "google/gemini-2.5-flash",
  ollama: "ollama/llama3.2",
  lmstudio: "lmstudio/local-model",
};

export interface ChannelAnswer {
  channel: "telegram" | "discord" | "slack";
  token: string;
  appToken?: string;
  dmPolicy?: (typeof DM_POLICIES)[number];
}

export interface OnboardAnswers {
  mode: "local" | "remote";
  remoteUrl?: string;
  remoteToken?: string;
  authChoice: AuthChoice;
  apiKey?: string;
  /** Ollama / LM Studio / custom OpenAI-compatible base URL. */
  baseUrl?: string;
  customProviderId?: string;
  customModelId?: string;
  customCompatibility?: "openai" | "anthropic";
  model?: string;
  workspace: string;
  port: number;
  bind: (typeof BINDS)[number];
  auth: "token" | "password";
  token?: string;
  password?: string;
  channels: ChannelAnswer[];
  installDaemon: boolean;
}

export class OnboardError extends Error {}

/** Provider id, its config block (models.providers.<id>) and the credential of an answer set. */
export function providerOf(answers: OnboardAnswers): {
  id?: string;
  block?: Record<string, unknown>;
  credential?: { provider: string; key: string };
} {
  switch (answers.authChoice) {
    case "anthropic-api-key":
      return { id: "anthropic", credential: { provider: "anthropic", key: answers.apiKey! } };
    case "openai-api-key":
      return { id: "openai", credential: { provider: "openai", key: answers.apiKey! } };
    case "gemini-api-key":
      return { id: "google", credential: { provider: "google", key: answers.apiKey! } };
    case "ollama":
      return {
        id: "ollama",
        block: { baseUrl: answers.baseUrl ?? "http://127.0.0.1:11434", api: "ollama", models: [] },
      };
    case "lmstudio":
      return {
        id: "lmstudio",
        block: {
          baseUrl: answers.baseUrl ?? "http://127.0.0.1:1234/v1",
          api: "openai-completions",
          models: [],
        },
      };
    case "custom-api-key": {
      const id = answers.customProviderId ?? "custom";
      const model = answers.customModelId ?? "default";
      return {
        id,
        block: {
          baseUrl: answers.baseUrl,
          api: answers.customCompatibility === "anthropic" ? "anthropic-messages" : "openai-completions",
          ...(answers.apiKey ? { apiKey: answers.apiKey } : {}),
          models: [{ id: model, name: model }],
        },
      };
    }
    default:
      return {};
  }
}

/** The default model an answer set ends up with (explicit > custom model > provider default). */
export function modelOf(answers: OnboardAnswers): string | undefined {
  if (answers.model) return answers.model;
  const { id } = providerOf(answers);
  if (!id) return undefined;
  if (answers.authChoice === "custom-api-key") return `${id}/${answers.customModelId ?? "default"}`;
  return DEFAULT_MODELS[id];
}

/**
 * The config edits (a merge patch: only these keys change; comments and every other key stay).
 * Secrets the user did not give are generated here (the gateway token), never left empty.
 */
export function configPatch(answers: OnboardAnswers): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  if (answers.mode === "remote") {
    patch.gateway = {
      mode: "remote",
      remote: { url: answers.remoteUrl, ...(answers.remoteToken ? { token: answers.remoteToken } : {}) },
    };
    return patch;
  }
  const auth =
    answers.auth === "password"
      ? { mode: "password", password: answers.password }
      : { mode: "token", token: answers.token ?? randomBytes(24).toString("hex") };
  patch.gateway = { mode: "local", port: answers.port, bind: answers.bind, auth };
  const model = modelOf(answers);
  patch.agents = {
    defaults: { workspace: answers.workspace, ...(model ? { model: { primary: model } } : {}) },
  };
  const provider = providerOf(answers);
  if (provider.id && provider.block) patch.models = { providers: { [provider.id]: provider.block } };
  if (provider.credential)
    patch.auth = {
      profiles: {
        [`${provider.credential.provider}:default`]: {
          provider: provider.credential.provider,
          mode: "api_key",
        },
      },
    };
  if (answers.channels.length) {
    const channels: Record<string, unknown> = {};
    for (const entry of answers.channels) {
      const policy = entry.dmPolicy ? { dmPolicy: entry.dmPolicy } : {};
      if (entry.channel === "telegram")
        channels.telegram = { enabled: true, botToken: entry.token, ...policy };
      if (entry.channel === "discord") channels.discord = { enabled: true, token: entry.token, ...policy };
      if (entry.channel === "slack")
        channels.slack = { enabled: true, botToken: entry.token, appToken: entry.appToken, ...policy };
    }
    patch.channels = channels;
  }
  return patch;
}

export interface OnboardFlags {
  nonInteractive?: boolean;
  acceptRisk?: boolean;
  mode?: string;
  flow?: string;
  authChoice?: string;
  anthropicApiKey?: string;
  openaiApiKey?: string;
  geminiApiKey?: string;
  customBaseUrl?: string;
  customModelId?: string;
  customApiKey?: string;
  customProviderId?: string;
  customCompatibility?: string;
  ollamaBaseUrl?: string;
  model?: string;
  workspace?: string;
  gatewayPort?: string;
  gatewayBind?: string;
  gatewayAuth?: string;
  gatewayToken?: string;
  gatewayPassword?: string;
  remoteUrl?: string;
  remoteToken?: string;
  telegramBotToken?: string;
  discordBotToken?: string;
  slackBotToken?: string;
  slackAppToken?: string;
  dmPolicy?: string;
  installDaemon?: boolean;
  skipChannels?: boolean;
  skipHealth?: boolean;
  json?: boolean;
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new OnboardError(`${flag} must be one of ${allowed.join(", ")} (got "${value}")`);
}

/** The auth choice the flags imply when --auth-choice is absent (a key flag picks its provider). */
function impliedAuthChoice(flags: OnboardFlags): AuthChoice {
  if (flags.anthropicApiKey) return "anthropic-api-key";
  if (flags.openaiApiKey) return "openai-api-key";
  if (flags.geminiApiKey) return "gemini-api-key";
  if (flags.customBaseUrl) return "custom-api-key";
  if (flags.ollamaBaseUrl) return "ollama";
  return "skip";
}

/** `--non-interactive`: every answer from flags (and the environment for keys); errors name the flag. */
export function answersFromFlags(
  flags: OnboardFlags,
  env: NodeJS.ProcessEnv,
  defaultWorkspace: string,
): OnboardAnswers {
  if (!flags.acceptRisk)
    throw new OnboardError(
      "--non-interactive needs --accept-risk: the assistant runs tools (shell, files) with your user's rights; read docs/onboarding.md, then pass --accept-risk",
    );
  const mode = oneOf(flags.mode, ["local", "remote"] as const, "--mode") ?? "local";
  const authChoice = oneOf(flags.authChoice, AUTH_CHOICES, "--auth-choice") ?? impliedAuthChoice(flags);
  const keyFor: Partial<Record<AuthChoice, [string | undefined, string, string]>> = {
    "anthropic-api-key": [
      flags.anthropicApiKey ?? env.ANTHROPIC_API_KEY,
      "--anthropic-api-key",
      "ANTHROPIC_API_KEY",
    ],
    "openai-api-key": [flags.openaiApiKey ?? env.OPENAI_API_KEY, "--openai-api-key", "OPENAI_API_KEY"],
    "gemini-api-key": [flags.geminiApiKey ?? env.GEMINI_API_KEY, "--gemini-api-key", "GEMINI_API_KEY"],
  };
  const needed = keyFor[authChoice];
  if (needed && !needed[0]?.trim())
    throw new OnboardError(
      `--auth-choice ${authChoice} needs ${needed[1]} <key> (or ${needed[2]} in the environment)`,
    );
  if (authChoice === "custom-api-key" && !flags.customBaseUrl)
    throw new OnboardError(
      "--auth-choice custom-api-key needs --custom-base-url <url> (and --custom-model-id <id>)",
    );
  if (mode === "remote" && !flags.remoteUrl)
    throw new OnboardError("--mode remote needs --remote-url <ws://host:port>");
  const port = Number(flags.gatewayPort ?? 18789);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new OnboardError(`--gateway-port must be a port number 1-65535 (got "${flags.gatewayPort}")`);
  const auth = oneOf(flags.gatewayAuth, ["token", "password"] as const, "--gateway-auth") ?? "token";
  if (auth === "password" && !flags.gatewayPassword)
    throw new OnboardError("--gateway-auth password needs --gateway-password <password>");
  const dmPolicy = oneOf(flags.dmPolicy, DM_POLICIES, "--dm-policy");
  const channels: ChannelAnswer[] = [];
  if (!flags.skipChannels) {
    const policy = dmPolicy ? { dmPolicy } : {};
    if (flags.telegramBotToken)
      channels.push({ channel: "telegram", token: flags.telegramBotToken, ...policy });
    if (flags.discordBotToken) channels.push({ channel: "discord", token: flags.discordBotToken, ...policy });
    if (flags.slackBotToken) {
      if (!flags.slackAppToken)
        throw new OnboardError("--slack-bot-token needs --slack-app-token (Socket Mode)");
      channels.push({
        channel: "slack",
        token: flags.slackBotToken,
        appToken: flags.slackAppToken,
        ...policy,
      });
    }
  }
  const apiKey = needed?.[0]?.trim() ?? flags.customApiKey;
  const compatibility = oneOf(
    flags.customCompatibility,
    ["openai", "anthropic"] as const,
    "--custom-compatibility",
  );
  return {
    mode,
    ...(flags.remoteUrl ? { remoteUrl: flags.remoteUrl } : {}),
    ...(flags.remoteToken ? { remoteToken: flags.remoteToken } : {}),
    authChoice,
    ...(apiKey ? { apiKey } : {}),
    ...(flags.customBaseUrl || flags.ollamaBaseUrl
      ? { baseUrl: flags.customBaseUrl ?? flags.ollamaBaseUrl }
      : {}),
    ...(flags.customProviderId ? { customProviderId: flags.customProviderId } : {}),
    ...(flags.customModelId ? { customModelId: flags.customModelId } : {}),
    ...(compatibility ? { customCompatibility: compatibility } : {}),
    ...(flags.model ? { model: flags.model } : {}),
    workspace: flags.workspace ?? defaultWorkspace,
    port,
    bind: oneOf(flags.gatewayBind, BINDS, "--gateway-bind") ?? "loopback",
    auth,
    ...(flags.gatewayToken ? { token: flags.gatewayToken } : {}),
    ...(flags.gatewayPassword ? { password: flags.gatewayPassword } : {}),
    channels,
    installDaemon: flags.installDaemon === true,
  };
}
