import type {
  EmbeddingModelV1,
  EmbeddingModelV1CallOptions,
  EmbeddingModelV1Result,
} from "@openclaw/protocol";
import { combineHeaders, sendRequest } from "@openclaw/providers-utils";
import { type OllamaModelConfig, parseOllamaError } from "./ollama-chat-language-model.js";

/** Local embeddings through `POST /api/embed` (e.g. `nomic-embed-text`). */
export class OllamaEmbeddingModel implements EmbeddingModelV1 {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;
  readonly maxEmbeddingsPerCall = 512;

  constructor(
    readonly modelId: string,
    private readonly config: OllamaModelConfig,
  ) {
    this.provider = config.provider;
  }

  async doEmbed(options: EmbeddingModelV1CallOptions): Promise<EmbeddingModelV1Result> {
    const key = this.config.apiKey ?? (this.config.env ?? process.env).OLLAMA_API_KEY;
    const response = await sendRequest({
      provider: this.provider,
      url: `${this.config.baseURL}/api/embed`,
      headers: combineHeaders(
        key ? { authorization: `Bearer ${key}` } : {},
        this.config.headers,
        options.headers,
      ),
      body: { model: this.modelId, input: options.values },
      fetch: this.config.fetch,
      abortSignal: options.abortSignal,
      parseError: parseOllamaError,
    });
    const body = (await response.json()) as { embeddings?: number[][]; prompt_eval_count?: number };
    return {
      embeddings: body.embeddings ?? [],
      ...(body.prompt_eval_count !== undefined ? { usage: { tokens: body.prompt_eval_count } } : {}),
    };
  }
}
