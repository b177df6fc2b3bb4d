import {
  type FakeHttpServer,
  type FakeReply,
  readJsonFixture,
  type StreamReplyOptions,
  sseReply,
  startFakeHttpServer,
} from "./fake-http-server.js";

export interface FakeOpenAIServer extends FakeHttpServer {
  /** Base URL to give the provider (`<url>/v1`). */
  readonly baseURL: string;
}

/** A deterministic 4-dimensional "embedding" of a text (length, vowels, spaces, first char code). */
export function fakeEmbedding(text: string): number[] {
  return [
    text.length,
    (text.match(/[aeiou]/gi) ?? []).length,
    (text.match(/ /g) ?? []).length,
    text.charCodeAt(0) || 0,
  ];
}

/** Words that mean the same thing share one dimension of {@link fakeSemanticEmbedding}. */
const FAKE_CONCEPTS: string[][] = [
  ["dog", "dogs", "puppy", "canine", "hound", "pet", "pets"],
  ["cat", "cats", "kitten", "feline"],
  ["car", "cars", "vehicle", "automobile", "drive", "driving"],
  ["birthday", "anniversary", "celebration", "party"],
  ["food", "meal", "dinner", "lunch", "eat", "eating", "cuisine", "dish"],
  ["allergy", "allergic", "allergies", "intolerance"],
  ["password", "secret", "credential", "credentials"],
  ["meeting", "appointment", "call", "sync"],
  ["doctor", "physician", "dentist", "clinic"],
  ["travel", "trip", "flight", "vacation", "holiday"],
  ["money", "budget", "salary", "expense", "cost"],
  ["music", "song", "songs", "concert", "band"],
];

/**
 * A deterministic 64-dimensional embedding that captures a little meaning: the first 12
 * dimensions are concepts (synonyms share one: "canine" is near "dog"), the rest a hashed bag of
 * words; unit length. Used by the fake OpenAI `/embeddings` route.
 */
export function fakeSemanticEmbedding(text: string): number[] {
  const vector = new Array<number>(64).fill(0);
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (!word) continue;
    const concept = FAKE_CONCEPTS.findIndex((group) => group.includes(word));
    if (concept >= 0) vector[concept]! += 3;
    let hash = 2166136261;
    for (let index = 0; index < word.length; index++)
      hash = Math.imul(hash ^ word.charCodeAt(index), 16777619);
    vector[12 + ((hash >>> 0) % 52)]! += 1;
  }
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0)) || 1;
  return vector.map((value) => value / norm);
}

/**
 * A fake OpenAI API: `POST /v1/chat/completions` and `POST /v1/responses` answer from the reply
 * queue; `GET /v1/models` lists two models; `POST /v1/embeddings` answers
 * {@link fakeSemanticEmbedding}s (deterministic; replace the route to script a failure).
 */
export async function startFakeOpenAI(): Promise<FakeOpenAIServer> {
  const server = await startFakeHttpServer({
    queuedPaths: [/\/chat\/completions$/, /\/responses$/],
    routes: {
      "GET /v1/models": () => ({ type: "json", body: readJsonFixture("openai-chat/models.json") }),
      "POST /v1/embeddings": (request) => {
        const input: string[] = Array.isArray(request.body?.input)
          ? request.body.input
          : [String(request.body?.input)];
        return {
          type: "json",
          body: {
            object: "list",
            data: input.map((text, index) => ({
              object: "embedding",
              index,
              embedding: fakeSemanticEmbedding(text),
            })),
            model: request.body?.model,
            usage: { prompt_tokens: input.length * 2, total_tokens: input.length * 2 },
          },
        };
      },
    },
  });
  return Object.assign(server, { baseURL: `${server.url}/v1` });
}

export interface OpenAIChatScript {
  model?: string;
  /** Content deltas, one chunk each. */
  text?: string[];
  /** `reasoning_content` deltas (DeepSeek/vLLM style), sent before the text. */
  reasoning?: string[];
  /** Tool calls; each `arguments` fragment becomes its own chunk. */
  toolCalls?: Array<{ id?: string; name: string; arguments: string[] }>;
  finishReason?: "stop" | "length" | "tool_calls" | "content_filter";
  usage?: {
    prompt_tokens: number;
    completion_tokens: number;
    cached_tokens?: number;
    reasoning_tokens?: number;
  };
}

/** A Chat Completions SSE reply in the real chunk shape, built from a script. */
export function openaiChatReply(script: OpenAIChatScript, options: StreamReplyOptions = {}): FakeReply {
  const base = {
    id: "chatcmpl-fake0001",
    object: "chat.completion.chunk",
    created: 1741569952,
    model: script.model ?? "gpt-4o-mini-2024-07-18",
    system_fingerprint: "fp_fake",
  };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    data: { ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] },
  });
  const lines: Array<{ data: unknown }> = [chunk({ role: "assistant", content: "" })];
  for (const delta of script.reasoning ?? []) lines.push(chunk({ reasoning_content: delta }));
  for (const delta of script.text ?? []) lines.push(chunk({ content: delta }));
  (script.toolCalls ?? []).forEach((call, index) => {
    const [first = "", ...rest] = call.arguments;
    lines.push(
      chunk({
        tool_calls: [
          {
            index,
            id: call.id ?? `call_fake${index}`,
            type: "function",
            function: { name: call.name, arguments: first },
          },
        ],
      }),
    );
    for (const fragment of rest)
      lines.push(chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }));
  });
  const finish = script.finishReason ?? (script.toolCalls?.length ? "tool_calls" : "stop");
  lines.push(chunk({}, finish));
  const usage = script.usage ?? { prompt_tokens: 10, completion_tokens: 5 };
  lines.push({
    data: {
      ...base,
      choices: [],
      usage: {
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        total_tokens: usage.prompt_tokens + usage.completion_tokens,
        prompt_tokens_details: { cached_tokens: usage.cached_tokens ?? 0 },
        completion_tokens_details: { reasoning_tokens: usage.reasoning_tokens ?? 0 },
      },
    },
  });
  lines.push({ data: "[DONE]" });
  return sseReply(lines, options);
}

/** An OpenAI-shaped JSON error (`{ error: { message, type, param, code } }`). */
export function openaiErrorReply(
  status: number,
  error: { message: string; type?: string; code?: string | null },
  headers?: Record<string, string>,
): FakeReply {
  return {
    type: "json",
    status,
    headers,
    body: {
      error: {
        message: error.message,
        type: error.type ?? "invalid_request_error",
        param: null,
        code: error.code ?? null,
      },
    },
  };
}
