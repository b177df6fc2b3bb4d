export interface EmbeddingModelV1CallOptions {
  values: string[];
  abortSignal?: AbortSignal;
  headers?: Record<string, string | undefined>;
}

export interface EmbeddingModelV1Result {
  embeddings: number[][];
  usage?: { tokens: number };
}

/** A text embedding model (specification v1), used by memory search. */
export interface EmbeddingModelV1 {
  readonly specificationVersion: "v1";
  readonly provider: string;
  readonly modelId: string;
  /** Most values one `doEmbed` call accepts; callers split larger batches. */
  readonly maxEmbeddingsPerCall?: number;
  doEmbed(options: EmbeddingModelV1CallOptions): PromiseLike<EmbeddingModelV1Result>;
}
