import {
  type FakeHttpServer,
  type FakeReply,
  type StreamReplyOptions,
  sseReply,
  startFakeHttpServer,
} from "./fake-http-server.js";
import { fakeEmbedding } from "./fake-openai-server.js";

export interface FakeGeminiServer extends FakeHttpServer {
  /** Base URL to give the provider (`<url>/v1beta`). */
  readonly baseURL: string;
}

/**
 * A fake Gemini API: `POST /v1beta/models/<model>:streamGenerateContent?alt=sse` answers from the
 * reply queue; `GET /v1beta/models` lists models; `POST …:batchEmbedContents` answers
 * `fakeEmbedding`s.
 */
export async function startFakeGemini(): Promise<FakeGeminiServer> {
  const server = await startFakeHttpServer({
    queuedPaths: [/:streamGenerateContent$/, /:generateContent$/],
    patternRoutes: [
      {
        method: "POST",
        path: /:batchEmbedContents$/,
        handler: (request) => ({
          type: "json",
          body: {
            embeddings: (request.body?.requests ?? []).map(
              (item: { content?: { parts?: Array<{ text?: string }> } }) => ({
                values: fakeEmbedding(item.content?.parts?.map((part) => part.text ?? "").join("") ?? ""),
              }),
            ),
          },
        }),
      },
    ],
    routes: {
      "GET /v1beta/models": () => ({
        type: "json",
        body: {
          models: [
            {
              name: "models/gemini-2.5-flash",
              displayName: "Gemini 2.5 Flash",
              inputTokenLimit: 1048576,
              outputTokenLimit: 65536,
              supportedGenerationMethods: ["generateContent", "countTokens"],
              thinking: true,
            },
          ],
        },
      }),
    },
  });
  return Object.assign(server, { baseURL: `${server.url}/v1beta` });
}

/** A streamGenerateContent SSE reply with text deltas. */
export function geminiTextReply(
  deltas: string[],
  usage: { promptTokenCount: number; candidatesTokenCount: number } = {
    promptTokenCount: 10,
    candidatesTokenCount: 5,
  },
  options: StreamReplyOptions = {},
): FakeReply {
  return sseReply(
    deltas.map((text, index) => {
      const last = index === deltas.length - 1;
      return {
        data: {
          candidates: [
            {
              content: { parts: [{ text }], role: "model" },
              index: 0,
              ...(last ? { finishReason: "STOP" } : {}),
            },
          ],
          usageMetadata: last
            ? { ...usage, totalTokenCount: usage.promptTokenCount + usage.candidatesTokenCount }
            : { promptTokenCount: usage.promptTokenCount, totalTokenCount: usage.promptTokenCount },
          modelVersion: "gemini-2.5-flash",
          responseId: "fake-response-1",
        },
      };
    }),
    options,
  );
}
