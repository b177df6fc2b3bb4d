/** One model a provider offers (from `listModels()` or `models.providers.<id>.models[]`). */
export interface ModelInfo {
  id: string;
  name?: string;
  /** Context window in tokens. */
  contextWindow?: number;
  /** Most output tokens per reply. */
  maxTokens?: number;
  /** Supports a reasoning/thinking mode. */
  reasoning?: boolean;
  input?: Array<"text" | "image">;
  /** USD per million tokens. */
  cost?: { input?: number; output?: number; cacheRead?: number; cacheWrite?: number };
}
