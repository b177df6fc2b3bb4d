import type {
  EmbeddingModelV1,
  EmbeddingModelV1CallOptions,
  EmbeddingModelV1Result,
} from "@openclaw/protocol";
import { sendRequest } from "@openclaw/providers-utils";
import { parseOpenAIError } from "./openai-error.js";
import { type OpenAIModelConfig, requestHeaders } from "./openai-shared.js";

/** Text embeddings through `POST /embeddings` (OpenAI and compatible servers). */
export class OpenAIEmbeddingModel implements EmbeddingModelV1 {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;
  readonly maxEmbeddingsPerCall = 2048;

  constructor(
    readonly modelId: string,
    private readonly config: OpenAIModelConfig,
  ) {
    this.provider = config.provider;
  }

  async doEmbed(options: EmbeddingModelV1CallOptions): Promise<EmbeddingModelV1Result> {
    const response = await sendRequest({
      provider: this.provider,
      url: `${this.config.baseURL}/embeddings`,
      headers: requestHeaders(this.config, { messages: [], headers: options.headers }),
      body: { model: this.modelId, input: options.values, encoding_format: "float" },
      fetch: this.config.fetch,
      abortSignal: options.abortSignal,
      parseError: parseOpenAIError,
      envVars: this.config.envVars,
    });
    const body = (await response.json()) as {
      data?: Array<{ embedding: number[]; index?: number }>;
      usage?: { prompt_tokens?: number };
    };
    const data = [...(body.data ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return {
      embeddings: data.map((item) => item.embedding),
      ...(body.usage?.prompt_tokens !== undefined ? { usage: { tokens: body.usage.prompt_tokens } } : {}),
    };
  }
}
