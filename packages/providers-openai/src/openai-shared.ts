import type { LanguageModelV1CallOptions, ThinkingLevel } from "@openclaw/protocol";
import type { FetchFunction } from "@openclaw/providers-utils";
import { combineHeaders, loadApiKey } from "@openclaw/providers-utils";

/** Settings shared by the Chat Completions and Responses models of one provider instance. */
export interface OpenAIModelConfig {
  /** Provider id used in refs and errors (`openai`, `openrouter`, `my-vllm`...). */
  provider: string;
  baseURL: string;
  apiKey?: string;
  envVars: readonly string[];
  /** When false, a missing key sends no Authorization header instead of failing (local servers). */
  apiKeyRequired: boolean;
  /** When false, never send an Authorization header. */
  authHeader: boolean;
  headers: Record<string, string | undefined>;
  fetch?: FetchFunction;
  env?: Record<string, string | undefined>;
  /** The official OpenAI API (uses `max_completion_tokens`); compatible servers get `max_tokens`. */
  isOfficialOpenAI: boolean;
}

export function requestHeaders(
  config: OpenAIModelConfig,
  options: LanguageModelV1CallOptions,
): Record<string, string | undefined> {
  let authorization: string | undefined;
  if (config.authHeader) {
    if (options.apiKey !== undefined || config.apiKeyRequired) {
      const key = loadApiKey({
        provider: config.provider,
        apiKey: options.apiKey ?? config.apiKey,
        envVars: config.envVars,
        env: config.env,
      });
      authorization = `Bearer ${key}`;
    } else {
      const key =
        config.apiKey ?? config.envVars.map((name) => (config.env ?? process.env)[name]).find(Boolean);
      if (key) authorization = `Bearer ${key}`;
    }
  }
  return combineHeaders({ authorization }, config.headers, options.headers);
}

/** OpenAI `reasoning_effort` / `reasoning.effort` for a thinking level; undefined for off. */
export function reasoningEffort(level: ThinkingLevel | undefined): string | undefined {
  if (level === undefined || level === "off") return undefined;
  return level;
}

/** An image part as an `image_url` value (data URL or remote URL). */
export function imageUrl(data: string | Uint8Array | URL, mediaType = "image/png"): string {
  if (data instanceof URL) return data.href;
  if (typeof data === "string") {
    return /^(https?:|data:)/.test(data) ? data : `data:${mediaType};base64,${data}`;
  }
  return `data:${mediaType};base64,${Buffer.from(data).toString("base64")}`;
}
