import type { EmbeddingModelV1 } from "./embedding-model-v1.js";
import type { LanguageModelV1 } from "./language-model-v1.js";
import type { ModelInfo } from "./model-info.js";

/** A model provider plugin (specification v1): turns model ids into model objects. */
export interface ModelProviderV1 {
  readonly specificationVersion: "v1";
  /** Provider id as used in model refs `<id>/<model>`. */
  readonly id: string;
  languageModel(modelId: string): LanguageModelV1;
  textEmbeddingModel?(modelId: string): EmbeddingModelV1;
  /** Models the provider serves right now (e.g. Ollama `/api/tags`, OpenAI `/models`). */
  listModels?(options?: { abortSignal?: AbortSignal }): Promise<ModelInfo[]>;
}

export function isModelProviderV1(value: unknown): value is ModelProviderV1 {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { specificationVersion?: unknown }).specificationVersion === "v1" &&
    typeof (value as { languageModel?: unknown }).languageModel === "function"
  );
}
