import {
  type LanguageModelV1,
  type LanguageModelV1CallOptions,
  type LanguageModelV1FinishReason,
  type LanguageModelV1StreamPart,
  type LanguageModelV1StreamResult,
  type LanguageModelV1Usage,
  type ModelInfo,
  type ModelProviderV1,
  ProviderError,
} from "@openclaw/protocol";

/**
 * What one `doStream` call of a {@link MockLanguageModelV1} does:
 * - an array of parts: streamed as-is;
 * - `{ parts, hang: true }`: streams the parts, then stays open until the call's abort signal fires
 *   (then emits an `aborted` error part) — for abort and queue tests;
 * - `{ throws: error }`: `doStream` rejects with that error (e.g. a 429 `ProviderError`) — for
 *   failover tests;
 * - a function: computes one of the above from the call options.
 */
export type MockStreamScript =
  | LanguageModelV1StreamPart[]
  | { parts: LanguageModelV1StreamPart[]; hang?: boolean }
  | { throws: unknown };

export type MockStreamScriptSource =
  | MockStreamScript
  | ((
      options: LanguageModelV1CallOptions,
      callIndex: number,
    ) => MockStreamScript | Promise<MockStreamScript>);

export interface MockLanguageModelV1Options {
  provider?: string;
  modelId?: string;
  /** One script per call, in order. When calls outnumber scripts, the last script repeats. */
  scripts?: MockStreamScriptSource[];
  /** Used for every call when set (instead of `scripts`). */
  script?: MockStreamScriptSource;
}

/** A scriptable in-memory {@link LanguageModelV1} that records every call it gets. */
export class MockLanguageModelV1 implements LanguageModelV1 {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;
  readonly modelId: string;
  /** Call options of every `doStream` call, in order. */
  readonly calls: LanguageModelV1CallOptions[] = [];
  private readonly scripts: MockStreamScriptSource[];

  constructor(options: MockLanguageModelV1Options = {}) {
    this.provider = options.provider ?? "mock";
    this.modelId = options.modelId ?? "mock-model";
    this.scripts =
      options.script !== undefined ? [options.script] : (options.scripts ?? [mockTextResponse("ok")]);
  }

  async doStream(options: LanguageModelV1CallOptions): Promise<LanguageModelV1StreamResult> {
    const callIndex = this.calls.length;
    this.calls.push(options);
    const source = this.scripts[Math.min(callIndex, this.scripts.length - 1)];
    if (source === undefined) throw new Error("MockLanguageModelV1: no script");
    const script = typeof source === "function" ? await source(options, callIndex) : source;
    if (!Array.isArray(script) && "throws" in script) throw script.throws;
    if (options.abortSignal?.aborted) {
      throw new ProviderError("aborted", "The request was aborted", { provider: this.provider });
    }
    const parts = Array.isArray(script) ? script : script.parts;
    const hang = !Array.isArray(script) && script.hang === true;
    const signal = options.abortSignal;
    const provider = this.provider;
    const stream = new ReadableStream<LanguageModelV1StreamPart>({
      async start(controller) {
        for (const part of parts) {
          if (signal?.aborted) break;
          controller.enqueue(part);
        }
        if (hang || signal?.aborted) {
          if (!signal?.aborted && signal) {
            await new Promise<void>((resolve) =>
              signal.addEventListener("abort", () => resolve(), { once: true }),
            );
          } else if (!signal) {
            // Without a signal a hanging script never ends; close it so tests cannot deadlock silently.
            controller.enqueue({
              type: "error",
              error: new ProviderError("timeout", "MockLanguageModelV1: hang script without abortSignal", {
                provider,
              }),
            });
            controller.close();
            return;
          }
          controller.enqueue({
            type: "error",
            error: new ProviderError("aborted", "The request was aborted", { provider }),
          });
        }
        controller.close();
      },
    });
    return { stream, request: { body: options } };
  }
}

const ZERO_USAGE: LanguageModelV1Usage = { inputTokens: 0, outputTokens: 0 };

/** Parts of a plain text answer, split into the given deltas. */
export function mockTextResponse(
  text: string | string[],
  options: { usage?: LanguageModelV1Usage; finishReason?: LanguageModelV1FinishReason; id?: string } = {},
): LanguageModelV1StreamPart[] {
  const id = options.id ?? "text-0";
  const deltas = Array.isArray(text) ? text : [text];
  return [
    { type: "stream-start", warnings: [] },
    { type: "text-start", id },
    ...deltas.map((delta): LanguageModelV1StreamPart => ({ type: "text-delta", id, delta })),
    { type: "text-end", id },
    { type: "finish", finishReason: options.finishReason ?? "stop", usage: options.usage ?? ZERO_USAGE },
  ];
}

/** Parts of an answer that calls one or more tools (optionally after some text). */
export function mockToolCallResponse(
  /** `rawInput` sends that text as the arguments verbatim (e.g. broken JSON, like real models). */
  calls: Array<{ toolName: string; input?: unknown; rawInput?: string; toolCallId?: string }>,
  options: { text?: string; usage?: LanguageModelV1Usage } = {},
): LanguageModelV1StreamPart[] {
  const parts: LanguageModelV1StreamPart[] = [{ type: "stream-start", warnings: [] }];
  if (options.text) {
    parts.push(
      { type: "text-start", id: "text-0" },
      { type: "text-delta", id: "text-0", delta: options.text },
      { type: "text-end", id: "text-0" },
    );
  }
  calls.forEach((call, index) => {
    const id = call.toolCallId ?? `call_${index}`;
    const input = call.rawInput ?? JSON.stringify(call.input ?? {});
    let inputError: string | undefined;
    try {
      JSON.parse(input);
    } catch {
      // Same message shape the real providers put on an unparsable tool call.
      inputError = `The model called tool "${call.toolName}" with arguments that are not valid JSON: ${input.slice(0, 200)}`;
    }
    parts.push(
      { type: "tool-input-start", id, toolName: call.toolName },
      { type: "tool-input-delta", id, delta: input },
      { type: "tool-input-end", id },
      {
        type: "tool-call",
        toolCallId: id,
        toolName: call.toolName,
        input,
        ...(inputError ? { inputError } : {}),
      },
    );
  });
  parts.push({ type: "finish", finishReason: "tool-calls", usage: options.usage ?? ZERO_USAGE });
  return parts;
}

/** A `{ throws }` script rejecting with a ProviderError of the given kind (e.g. 429 rate limit). */
export function mockProviderError(
  kind: ProviderError["kind"],
  options: { status?: number; retryAfterMs?: number; message?: string; provider?: string } = {},
): { throws: ProviderError } {
  return {
    throws: new ProviderError(kind, options.message ?? `mock ${kind} error`, {
      status: options.status,
      retryAfterMs: options.retryAfterMs,
      provider: options.provider ?? "mock",
    }),
  };
}

export interface MockModelProviderOptions {
  id?: string;
  /** Model id → model. Unknown ids get a fresh MockLanguageModelV1 answering "ok". */
  models?: Record<string, MockLanguageModelV1>;
  listModels?: ModelInfo[];
}

/** A {@link ModelProviderV1} serving {@link MockLanguageModelV1}s. */
export function createMockProvider(options: MockModelProviderOptions = {}): ModelProviderV1 & {
  models: Record<string, MockLanguageModelV1>;
} {
  const id = options.id ?? "mock";
  const models = options.models ?? {};
  return {
    specificationVersion: "v1",
    id,
    models,
    languageModel(modelId: string) {
      models[modelId] ??= new MockLanguageModelV1({ provider: id, modelId });
      return models[modelId];
    },
    async listModels() {
      return options.listModels ?? Object.keys(models).map((modelId) => ({ id: modelId }));
    },
  };
}
