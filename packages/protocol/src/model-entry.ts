/**
 * `@openclaw/protocol/model`: the model and provider contracts without zod — `ProviderError` and
 * `parseRetryAfter`, the thinking levels, the built-in provider table, the `LanguageModelV1` /
 * `EmbeddingModelV1` / `ModelProviderV1` types and their checks. The provider packages and core's
 * agent runtime import this entry, so a chat turn loads no zod (the errors and session keys they
 * also need are in `@openclaw/protocol/base`). Everything here is also exported by the main entry.
 *
 * Keep it zod-free: `model-entry.test.ts` walks its import graph, and the build checks
 * `dist/model-entry.js` with scripts/check-dist-imports.mjs.
 */
export * from "./model/index.js";
