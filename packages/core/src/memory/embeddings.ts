import { existsSync } from "node:fs";
import {
  type EmbeddingModelV1,
  getBuiltinProvider,
  type ModelApi,
  type ModelProviderConfig,
} from "@openclaw/protocol/model";
import type { ProviderFactory } from "../models/provider-registry.js";
import { type MemorySettings, resolveSecret } from "./settings.js";

/** Turns texts into vectors; one per memory index. */
export interface Embedder {
  /** `openai`, `gemini`, `ollama`, `local` or a configured provider id. */
  provider: string;
  model: string;
  /** provider/model/endpoint: a change rebuilds the index. */
  fingerprint: string;
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

/** No embeddings: search stays keyword-only, and `reason` says why. */
export interface NoEmbedder {
  reason: string;
}

export interface EmbedderDeps {
  config: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  /** The provider packages' factories by wire API (the same table the assistant uses). */
  factories?: Partial<Record<ModelApi, ProviderFactory>>;
  fetch?: typeof fetch;
}

const DEFAULT_MODELS: Record<string, string> = {
  openai: "text-embedding-3-small",
  gemini: "gemini-embedding-001",
  ollama: "nomic-embed-text",
};

/** `gemini` is the `google` provider of `models.providers`. */
function providerId(name: string): string {
  return name === "gemini" ? "google" : name;
}

type Loose = Record<string, unknown>;

function declaredProvider(config: Loose, id: string): (ModelProviderConfig & Loose) | undefined {
  const models = config.models as { providers?: Record<string, ModelProviderConfig & Loose> } | undefined;
  return models?.providers?.[id];
}

/** The key an embedding provider would use, if one resolves. */
function resolveKey(name: string, settings: MemorySettings, deps: EmbedderDeps): string | undefined {
  const id = providerId(name);
  const declared = declaredProvider(deps.config, id);
  const builtin = getBuiltinProvider(id);
  return (
    settings.remote.apiKey ??
    resolveSecret(declared?.apiKey, deps.env) ??
    builtin?.envKeys.map((key) => deps.env[key]).find(Boolean)
  );
}

/** The FAQ's auto-selection: a local model file, then an OpenAI key, then a Gemini key; else none. */
export function autoSelectProvider(settings: MemorySettings, deps: EmbedderDeps): string | undefined {
  if (settings.local.modelPath && existsSync(settings.local.modelPath)) return "local";
  if (resolveKey("openai", settings, deps)) return "openai";
  if (resolveKey("gemini", settings, deps)) return "gemini";
  return undefined;
}

/** Splits `texts` into batches and embeds them with at most `concurrency` requests in flight. */
export async function embedInBatches(
  texts: string[],
  options: {
    batchSize: number;
    concurrency: number;
    signal?: AbortSignal;
    call: (batch: string[], signal?: AbortSignal) => Promise<number[][]>;
  },
): Promise<Float32Array[]> {
  const out: Float32Array[] = new Array(texts.length);
  const starts: number[] = [];
  for (let start = 0; start < texts.length; start += options.batchSize) starts.push(start);
  let next = 0;
  const worker = async () => {
    while (next < starts.length) {
      const start = starts[next++]!;
      const batch = texts.slice(start, start + options.batchSize);
      const vectors = await options.call(batch, options.signal);
      if (vectors.length !== batch.length)
        throw new Error(`the provider returned ${vectors.length} embeddings for ${batch.length} texts`);
      vectors.forEach((vector, index) => {
        out[start + index] = Float32Array.from(vector);
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, starts.length) }, worker));
  return out;
}

function remoteEmbedder(name: string, settings: MemorySettings, deps: EmbedderDeps): Embedder | NoEmbedder {
  const id = providerId(name);
  const declared = declaredProvider(deps.config, id);
  const builtin = getBuiltinProvider(id);
  if (!declared && !builtin)
    return { reason: `memorySearch.provider "${name}" is neither a built-in nor a configured provider` };
  const api = (declared?.api as ModelApi | undefined) ?? builtin?.api ?? "openai-completions";
  const factory = deps.factories?.[api];
  if (!factory)
    return { reason: `no provider package for API "${api}" is loaded (memory embeddings "${name}")` };
  const apiKey = resolveKey(name, settings, deps);
  if (!apiKey && builtin?.apiKeyRequired && !settings.remote.baseUrl && !declared?.baseUrl)
    return {
      reason: `no API key for ${name} embeddings (set ${builtin.envKeys[0] ?? "an API key"} or memorySearch.remote.apiKey)`,
    };
  const baseURL = settings.remote.baseUrl ?? declared?.baseUrl ?? builtin?.baseUrl;
  const headers: Record<string, string> = {};
  for (const [header, value] of Object.entries(declared?.headers ?? {})) {
    const resolved = resolveSecret(value, deps.env);
    if (resolved) headers[header] = resolved;
  }
  Object.assign(headers, settings.remote.headers ?? {});
  const model = settings.model ?? DEFAULT_MODELS[name];
  if (!model) return { reason: `memorySearch.model is required for provider "${name}"` };
  let embedding: EmbeddingModelV1 | undefined;
  try {
    const provider = factory({
      id,
      config: {
        ...(declared ?? {}),
        ...(settings.remote.baseUrl ? { baseUrl: settings.remote.baseUrl } : {}),
      },
      env: deps.env,
      baseURL,
      apiKey,
      headers: Object.keys(headers).length ? headers : undefined,
      fetch: deps.fetch,
    });
    embedding = provider?.textEmbeddingModel?.(model);
  } catch (error) {
    return { reason: `${name} embeddings could not be set up: ${(error as Error).message}` };
  }
  if (!embedding) return { reason: `provider "${name}" has no embedding models` };
  const model_ = embedding;
  const batchSize = Math.min(settings.batchSize, model_.maxEmbeddingsPerCall ?? settings.batchSize);
  return {
    provider: name,
    model,
    fingerprint: `${name}|${model}|${baseURL ?? ""}`,
    embed: (texts, signal) =>
      embedInBatches(texts, {
        batchSize,
        concurrency: settings.remote.concurrency,
        signal,
        call: async (batch, batchSignal) =>
          (await model_.doEmbed({ values: batch, abortSignal: batchSignal })).embeddings,
      }),
  };
}

/** Message shown when `local` is configured but node-llama-cpp is not installed. */
export const LOCAL_NOT_INSTALLED =
  "memorySearch.provider is local but node-llama-cpp is not installed: run `npm install -g node-llama-cpp` next to openclaw (or choose openai, gemini or ollama)";

function localEmbedder(settings: MemorySettings): Embedder | NoEmbedder {
  const modelPath = settings.local.modelPath;
  if (!modelPath) return { reason: "memorySearch.local.modelPath is not set (a GGUF embedding model file)" };
  if (!existsSync(modelPath)) return { reason: `memorySearch.local.modelPath ${modelPath} does not exist` };
  let context: Promise<{ getEmbeddingFor(text: string): Promise<{ vector: readonly number[] }> }> | undefined;
  const open = async () => {
    const specifier = "node-llama-cpp";
    let llama: {
      getLlama(): Promise<{
        loadModel(options: { modelPath: string }): Promise<{ createEmbeddingContext(): Promise<unknown> }>;
      }>;
    };
    try {
      llama = (await import(/* @vite-ignore */ specifier)) as typeof llama;
    } catch {
      throw new Error(LOCAL_NOT_INSTALLED);
    }
    const runtime = await llama.getLlama();
    const model = await runtime.loadModel({ modelPath });
    return (await model.createEmbeddingContext()) as Awaited<NonNullable<typeof context>>;
  };
  return {
    provider: "local",
    model: modelPath,
    fingerprint: `local|${modelPath}|`,
    async embed(texts) {
      context ??= open();
      const ready = await context.catch((error) => {
        context = undefined;
        throw error;
      });
      const out: Float32Array[] = [];
      for (const text of texts) out.push(Float32Array.from((await ready.getEmbeddingFor(text)).vector));
      return out;
    },
  };
}

/** The embedder for `settings`, with `fallback` tried when the first cannot be set up. */
export function resolveEmbedder(settings: MemorySettings, deps: EmbedderDeps): Embedder | NoEmbedder {
  const first = settings.provider === "auto" ? autoSelectProvider(settings, deps) : settings.provider;
  if (!first)
    return { reason: "no embedding provider is configured (no OpenAI or Gemini key): keyword search only" };
  const build = (name: string) =>
    name === "local" ? localEmbedder(settings) : remoteEmbedder(name, settings, deps);
  const primary = build(first);
  if ("embed" in primary || settings.fallback === "none" || settings.fallback === first) return primary;
  const second = build(settings.fallback);
  return "embed" in second ? second : { reason: `${primary.reason}; fallback: ${second.reason}` };
}

/** Probe text used by `doctor.memory.status` with `probe: true`. */
export const PROBE_TEXT = "openclaw memory probe";
