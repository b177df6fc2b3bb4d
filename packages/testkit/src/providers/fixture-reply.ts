import {
  type FakeReply,
  jsonReply,
  ndjsonReply,
  readJsonFixture,
  readJsonlFixture,
  type SseFixtureLine,
  type StreamReplyOptions,
  sseReply,
} from "./fake-http-server.js";

export interface FixtureReplyOptions extends StreamReplyOptions {
  /** Keep only the first n recorded events, then drop the connection (mid-stream disconnect). */
  truncateAfter?: number;
}

/**
 * Replay a recorded SSE fixture (`openai-chat/text.jsonl`, `anthropic/thinking-tool-use.jsonl`...)
 * or NDJSON fixture (`ollama/*.jsonl`) as a streaming reply.
 */
export function fixtureReply(name: string, options: FixtureReplyOptions = {}): FakeReply {
  const { truncateAfter, ...rest } = options;
  const streamOptions: StreamReplyOptions =
    truncateAfter === undefined ? rest : { ...rest, end: rest.end ?? "disconnect" };
  if (name.startsWith("ollama/")) {
    const objects = readJsonlFixture(name);
    return ndjsonReply(
      truncateAfter === undefined ? objects : objects.slice(0, truncateAfter),
      streamOptions,
    );
  }
  const lines = readJsonlFixture<SseFixtureLine>(name);
  return sseReply(truncateAfter === undefined ? lines : lines.slice(0, truncateAfter), streamOptions);
}

/** A recorded vendor error body (`openai-chat/error-429.json`...) with a status and headers. */
export function fixtureErrorReply(name: string, status: number, headers?: Record<string, string>): FakeReply {
  return jsonReply(status, readJsonFixture(name), headers);
}
