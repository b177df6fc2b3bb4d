import type { BuiltinProvider } from "./model-provider-config.js";

/**
 * Provider ids that work with just an API key (or, for local servers, nothing). Pure data: core
 * merges `models.providers.<id>` over the entry and hands the result to the package serving `api`.
 */
export const BUILTIN_PROVIDERS = {
  anthropic: {
    name: "Anthropic",
    api: "anthropic-messages",
    baseUrl: "https://api.anthropic.com/v1",
    envKeys: ["ANTHROPIC_API_KEY"],
    apiKeyRequired: true,
  },
  openai: {
    name: "OpenAI",
    api: "openai-responses",
    baseUrl: "https://api.openai.com/v1",
    envKeys: ["OPENAI_API_KEY"],
    apiKeyRequired: true,
  },
  google: {
    name: "Google Gemini",
    api: "google-generative-ai",
    baseUrl: "https://generativelanguage.googleapis.com/v1beta",
    envKeys: ["GEMINI_API_KEY", "GOOGLE_API_KEY"],
    apiKeyRequired: true,
  },
  ollama: {
    name: "Ollama",
    api: "ollama",
    baseUrl: "http://127.0.0.1:11434",
    envKeys: [],
    apiKeyRequired: false,
  },
  openrouter: {
    name: "OpenRouter",
    api: "openai-completions",
    baseUrl: "https://openrouter.ai/api/v1",
    envKeys: ["OPENROUTER_API_KEY"],
    apiKeyRequired: true,
  },
  groq: {
    name: "Groq",
    api: "openai-completions",
    baseUrl: "https://api.groq.com/openai/v1",
    envKeys: ["GROQ_API_KEY"],
    apiKeyRequired: true,
  },
  together: {
    name: "Together AI",
    api: "openai-completions",
    baseUrl: "https://api.together.xyz/v1",
    envKeys: ["TOGETHER_API_KEY"],
    apiKeyRequired: true,
  },
  xai: {
    name: "xAI",
    api: "openai-completions",
    baseUrl: "https://api.x.ai/v1",
    envKeys: ["XAI_API_KEY"],
    apiKeyRequired: true,
  },
  mistral: {
    name: "Mistral",
    api: "openai-completions",
    baseUrl: "https://api.mistral.ai/v1",
    envKeys: ["MISTRAL_API_KEY"],
    apiKeyRequired: true,
  },
  cerebras: {
    name: "Cerebras",
    api: "openai-completions",
    baseUrl: "https://api.cerebras.ai/v1",
    envKeys: ["CEREBRAS_API_KEY"],
    apiKeyRequired: true,
  },
  deepseek: {
    name: "DeepSeek",
    api: "openai-completions",
    baseUrl: "https://api.deepseek.com/v1",
    envKeys: ["DEEPSEEK_API_KEY"],
    apiKeyRequired: true,
  },
  lmstudio: {
    name: "LM Studio",
    api: "openai-completions",
    baseUrl: "http://127.0.0.1:1234/v1",
    envKeys: ["LMSTUDIO_API_KEY"],
    apiKeyRequired: false,
  },
  vllm: {
    name: "vLLM",
    api: "openai-completions",
    baseUrl: "http://127.0.0.1:8000/v1",
    envKeys: ["VLLM_API_KEY"],
    apiKeyRequired: false,
  },
  litellm: {
    name: "LiteLLM",
    api: "openai-completions",
    baseUrl: "http://127.0.0.1:4000/v1",
    envKeys: ["LITELLM_API_KEY"],
    apiKeyRequired: false,
  },
} as const satisfies Record<string, BuiltinProvider>;

export type BuiltinProviderId = keyof typeof BUILTIN_PROVIDERS;

/** Alternative spellings users write in model refs (`gemini/...`). */
export const PROVIDER_ID_ALIASES: Readonly<Record<string, BuiltinProviderId>> = {
  gemini: "google",
  "lm-studio": "lmstudio",
};

/** The built-in entry for an id (aliases resolved), or undefined for a custom id. */
export function getBuiltinProvider(id: string): BuiltinProvider | undefined {
  const key = (PROVIDER_ID_ALIASES[id] ?? id) as string;
  return Object.hasOwn(BUILTIN_PROVIDERS, key) ? BUILTIN_PROVIDERS[key as BuiltinProviderId] : undefined;
}

/**
 * Resolve a config `apiKey` value: `${VAR}` or `env:VAR` reads the environment; anything else is
 * the literal key. Returns undefined when the variable is unset.
 */
export function resolveConfigApiKey(
  value: string | undefined,
  env: Record<string, string | undefined>,
): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const match =
    /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value.trim()) ??
    /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(value.trim());
  if (match) {
    const resolved = env[match[1] as string];
    return resolved === undefined || resolved.trim() === "" ? undefined : resolved.trim();
  }
  return value.trim();
}
