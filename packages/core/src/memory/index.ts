/**
 * `@openclaw/core/memory`: memory search. A per-agent SQLite index (`memory/<agentId>.sqlite`
 * under the state dir) with FTS5 keyword search and vectors (sqlite-vec, or cosine in JS),
 * embeddings through the provider packages, hybrid ranking, a file watcher. Loaded only when
 * memory is searched or indexed (never at gateway start-up).
 */
export { type Chunk, chunkMarkdown, estimateTokens } from "./chunker.js";
export {
  autoSelectProvider,
  type Embedder,
  type EmbedderDeps,
  embedInBatches,
  LOCAL_NOT_INSTALLED,
  type NoEmbedder,
  resolveEmbedder,
} from "./embeddings.js";
export { MemoryDisabledError, MemoryManager, type MemoryManagerOptions } from "./manager.js";
export { buildKeywordQueries, type MemoryHit, rankHybrid, SNIPPET_CHARS } from "./search.js";
export {
  MemoryIndex,
  type MemoryIndexOptions,
  type MemoryIndexStatus,
  type MemorySearchAnswer,
  type SyncProgress,
  type SyncReport,
} from "./service.js";
export { type MemorySettings, resolveMemorySettings } from "./settings.js";
export { listSources, type SourceFile, transcriptText } from "./sources.js";
export { fromBlob, MemoryStore, toBlob, type VectorMode } from "./store.js";
