/** Version of @openclaw/providers-utils, injected at build time. */
export const VERSION: string =
  typeof __OPENCLAW_VERSION__ === "string" ? __OPENCLAW_VERSION__ : "0.0.0-source";
export type { LoadApiKeyOptions } from "./api-key.js";
export { loadApiKey } from "./api-key.js";
export { combineHeaders, toBase64 } from "./headers.js";
export type { FetchFunction, HttpErrorOptions, RequestOptions, VendorErrorInfo } from "./http.js";
export {
  classifyHttpStatus,
  createHttpError,
  sendRequest,
  toProviderError,
  tryParseJson,
  withoutTrailingSlash,
} from "./http.js";
export {
  checkToolInput,
  createIdGenerator,
  createPartStream,
  incompleteStreamError,
  streamResponse,
  TextAndReasoningBlocks,
  toolCallPart,
} from "./part-stream.js";
export { type ResolvedProviderConfig, resolveProviderConfig } from "./provider-config.js";
export { parseEventData, readJsonLines, readServerSentEvents } from "./stream-readers.js";
