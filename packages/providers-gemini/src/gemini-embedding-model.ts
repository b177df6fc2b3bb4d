import type {
  EmbeddingModelV1,
  EmbeddingModelV1CallOptions,
  EmbeddingModelV1Result,
} from "@openclaw/protocol";
import { combineHeaders, loadApiKey, sendRequest } from "@openclaw/providers-utils";
import { parseGeminiError } from "./gemini-error.js";
import type { GeminiModelConfig } from "./gemini-language-model.js";

/** Text embeddings through `models/<id>:batchEmbedContents` (e.g. `gemini-embedding-001`). */
export class GeminiEmbeddingModel implements EmbeddingModelV1 {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;
  readonly modelId: string;
  readonly maxEmbeddingsPerCall = 100;

  constructor(
    modelId: string,
    private readonly config: GeminiModelConfig,
  ) {
    this.modelId = modelId.replace(/^models\//, "");
    this.provider = config.provider;
  }

  async doEmbed(options: EmbeddingModelV1CallOptions): Promise<EmbeddingModelV1Result> {
    const key = loadApiKey({
      provider: this.provider,
      apiKey: this.config.apiKey,
      envVars: this.config.envVars,
      env: this.config.env,
    });
    const response = await sendRequest({
      provider: this.provider,
      url: `${this.config.baseURL}/models/${encodeURIComponent(this.modelId)}:batchEmbedContents`,
      headers: combineHeaders({ "x-goog-api-key": key }, this.config.headers, options.headers),
      body: {
        requests: options.values.map((text) => ({
          model: `models/${this.modelId}`,
          content: { parts: [{ text }] },
        })),
      },
      fetch: this.config.fetch,
      abortSignal: options.abortSignal,
      parseError: parseGeminiError,
      envVars: this.config.envVars,
    });
    const body = (await response.json()) as { embeddings?: Array<{ values?: number[] }> };
    return { embeddings: (body.embeddings ?? []).map((embedding) => embedding.values ?? []) };
  }
}
