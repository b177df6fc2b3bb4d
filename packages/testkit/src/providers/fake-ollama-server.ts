import {
  type FakeHttpServer,
  type FakeReply,
  ndjsonReply,
  readJsonFixture,
  type StreamReplyOptions,
  startFakeHttpServer,
} from "./fake-http-server.js";
import { fakeEmbedding } from "./fake-openai-server.js";

export interface FakeOllamaServer extends FakeHttpServer {
  /** Base URL to give the native provider (the server root). */
  readonly baseURL: string;
}

/**
 * A fake Ollama daemon: `POST /api/chat` answers from the reply queue (NDJSON); `GET /api/tags`
 * lists two local models; `GET /api/version` answers a version; `POST /api/embed` answers
 * `fakeEmbedding`s.
 */
export async function startFakeOllama(): Promise<FakeOllamaServer> {
  const server = await startFakeHttpServer({
    queuedPaths: [/^\/api\/chat$/, /\/v1\/chat\/completions$/],
    routes: {
      "GET /api/tags": () => ({ type: "json", body: readJsonFixture("ollama/tags.json") }),
      "GET /api/version": () => ({ type: "json", body: { version: "0.12.3" } }),
      "POST /api/embed": (request) => {
        const input: string[] = Array.isArray(request.body?.input)
          ? request.body.input
          : [String(request.body?.input)];
        return {
          type: "json",
          body: {
            model: request.body?.model,
            embeddings: input.map(fakeEmbedding),
            prompt_eval_count: input.length * 2,
          },
        };
      },
    },
  });
  return Object.assign(server, { baseURL: server.url });
}

/** An `/api/chat` NDJSON reply with text deltas and a final `done` line carrying the counts. */
export function ollamaTextReply(
  deltas: string[],
  counts: { prompt_eval_count: number; eval_count: number } = { prompt_eval_count: 10, eval_count: 5 },
  options: StreamReplyOptions = {},
): FakeReply {
  const line = (content: string, done: boolean, extra: Record<string, unknown> = {}) => ({
    model: "llama3.2",
    created_at: "2025-06-12T14:02:11.123456789Z",
    message: { role: "assistant", content },
    done,
    ...extra,
  });
  return ndjsonReply(
    [...deltas.map((delta) => line(delta, false)), line("", true, { done_reason: "stop", ...counts })],
    options,
  );
}
