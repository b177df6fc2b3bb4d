import {
  type FakeHttpServer,
  type FakeReply,
  type StreamReplyOptions,
  sseReply,
  startFakeHttpServer,
} from "./fake-http-server.js";

export interface FakeAnthropicServer extends FakeHttpServer {
  /** Base URL to give the provider (`<url>/v1`). */
  readonly baseURL: string;
}

/** A fake Anthropic API: `POST /v1/messages` answers from the reply queue; `GET /v1/models` lists models. */
export async function startFakeAnthropic(): Promise<FakeAnthropicServer> {
  const server = await startFakeHttpServer({
    queuedPaths: [/\/messages$/],
    routes: {
      "GET /v1/models": () => ({
        type: "json",
        body: {
          data: [
            {
              type: "model",
              id: "claude-sonnet-4-5-20250929",
              display_name: "Claude Sonnet 4.5",
              created_at: "2025-09-29T00:00:00Z",
            },
          ],
          has_more: false,
          first_id: "claude-sonnet-4-5-20250929",
          last_id: "claude-sonnet-4-5-20250929",
        },
      }),
    },
  });
  return Object.assign(server, { baseURL: `${server.url}/v1` });
}

/** A Messages SSE reply with one text block, built from deltas. */
export function anthropicTextReply(
  deltas: string[],
  usage: { input_tokens: number; output_tokens: number } = { input_tokens: 10, output_tokens: 5 },
  options: StreamReplyOptions = {},
): FakeReply {
  const event = (type: string, fields: Record<string, unknown> = {}) => ({
    event: type,
    data: { type, ...fields },
  });
  return sseReply(
    [
      event("message_start", {
        message: {
          id: "msg_fake0001",
          type: "message",
          role: "assistant",
          model: "claude-sonnet-4-5-20250929",
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: usage.input_tokens,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
            output_tokens: 1,
          },
        },
      }),
      event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
      ...deltas.map((text) =>
        event("content_block_delta", { index: 0, delta: { type: "text_delta", text } }),
      ),
      event("content_block_stop", { index: 0 }),
      event("message_delta", {
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { output_tokens: usage.output_tokens },
      }),
      event("message_stop"),
    ],
    options,
  );
}
