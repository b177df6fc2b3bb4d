import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LanguageModelV1StreamPart, ModelProviderV1 } from "@openclaw/protocol";
import {
  createMockProvider,
  MockLanguageModelV1,
  mockTextResponse,
  mockToolCallResponse,
} from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { middayClock } from "../__fixtures__/midday-clock.js";
import { type Assistant, type CreateAssistantOptions, createAssistant } from "../assistant.js";
import { defineTool } from "../tools/types.js";

let dir: string;
let assistant: Assistant | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-bad-"));
});
afterEach(async () => {
  await assistant?.close();
  assistant = undefined;
  await rm(dir, { recursive: true, force: true });
});

function setup(
  model: MockLanguageModelV1 | undefined,
  extra: Partial<CreateAssistantOptions> = {},
  modelRef = "mock/a",
) {
  const { config, ...rest } = extra;
  assistant = createAssistant({
    clock: middayClock(),
    providers: model ? [createMockProvider({ id: "mock", models: { a: model } })] : [],
    stateDir: path.join(dir, "state"),
    env: {},
    ...rest,
    config: { agents: { defaults: { workspace: path.join(dir, "ws"), model: modelRef } }, ...(config ?? {}) },
  });
  return assistant;
}

const toolTurn = (name: string, input: string, id = "call_1"): LanguageModelV1StreamPart[] => [
  { type: "stream-start", warnings: [] },
  { type: "tool-input-start", id, toolName: name },
  { type: "tool-input-delta", id, delta: input },
  { type: "tool-input-end", id },
  { type: "tool-call", toolCallId: id, toolName: name, input },
  { type: "finish", finishReason: "tool-calls", usage: { inputTokens: 1, outputTokens: 1 } },
];

describe("bad input is handled with a clear error, never a crash", () => {
  it("malformed stream (no finish, junk parts)", async () => {
    const parts = [
      { type: "stream-start", warnings: [] },
      null,
      { type: "bogus" },
      { type: "text-delta", id: "t", delta: "" },
    ] as unknown as LanguageModelV1StreamPart[];
    const result = await setup(
      new MockLanguageModelV1({ provider: "mock", modelId: "a", script: parts }),
    ).enqueue({ text: "hi" });
    expect(result.status).toBe("error");
    expect(result.text).toMatch(/ended without a finish event/);
    expect(result.payloads).toHaveLength(1);
  });

  it("invalid tool-call JSON from the model: the model is told and can recover", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [toolTurn("read", "{not json"), mockTextResponse("recovered")],
    });
    const result = await setup(model).enqueue({ text: "read it" });
    expect(result).toMatchObject({ status: "ok", text: "recovered" });
    const toolMessage = model.calls[1]!.messages.at(-1)!;
    expect(toolMessage).toMatchObject({
      role: "tool",
      content: [{ isError: true, output: expect.stringMatching(/not valid JSON/) }],
    });
  });

  it("unknown tool", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [toolTurn("launch_rockets", "{}"), mockTextResponse("ok")],
    });
    const events: string[] = [];
    const a = setup(model);
    for await (const event of a.send({ text: "go" }))
      if (event.type === "tool-result") events.push(event.result);
    expect(events[0]).toMatch(/unknown tool "launch_rockets"\. Available tools: read, write/);
  });

  it("tool throwing", async () => {
    const boom = defineTool({
      name: "boom",
      description: "always fails",
      parameters: z.object({}),
      async execute() {
        throw new Error("kaboom");
      },
    });
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [toolTurn("boom", "{}"), mockTextResponse("sorry")],
    });
    const result = await setup(model, { tools: [boom] }).enqueue({ text: "go" });
    expect(result).toMatchObject({ status: "ok", text: "sorry" });
    expect(model.calls[1]!.messages.at(-1)).toMatchObject({
      content: [{ isError: true, output: "Error: tool boom failed: kaboom" }],
    });
  });

  it("tool arguments failing the schema", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [toolTurn("read", '{"path": 42}'), mockTextResponse("ok")],
    });
    await setup(model).enqueue({ text: "go" });
    expect(model.calls[1]!.messages.at(-1)).toMatchObject({
      content: [{ isError: true, output: expect.stringMatching(/invalid arguments for read: path:/) }],
    });
  });

  it("tool output over the cap is truncated with a visible marker", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [toolTurn("read", '{"path":"big.txt"}'), mockTextResponse("ok")],
    });
    const a = setup(model, { toolOutputCap: 500 });
    await a.enqueue({ text: "warm up" });
    await writeFile(path.join(dir, "ws", "big.txt"), "x".repeat(10_000));
    model.calls.length = 0;
    await a.enqueue({ text: "read big" });
    const output = (
      model.calls.find((call) => call.messages.at(-1)?.role === "tool")!.messages.at(-1)!.content[0] as {
        output: string;
      }
    ).output;
    expect(output.length).toBeLessThanOrEqual(500);
    expect(output).toMatch(/output truncated: 9\d{3} of 10000 chars omitted/);
  });

  it("missing API key names the provider and the exact command", async () => {
    let modelsRequested = 0;
    const factory = (options: { id: string }): ModelProviderV1 => ({
      specificationVersion: "v1",
      id: options.id,
      languageModel() {
        modelsRequested += 1;
        throw new Error("must not be called without a key");
      },
    });
    const a = setup(
      undefined,
      { providers: [], providerFactories: { "anthropic-messages": factory as never } },
      "anthropic/claude-opus-4-5",
    );
    const result = await a.enqueue({ text: "hello" });
    expect(result.status).toBe("error");
    expect(result.text).toContain('No API key for provider "anthropic"');
    expect(result.text).toContain("openclaw models auth paste-token --provider anthropic");
    expect(modelsRequested).toBe(0);
  });

  it("no provider configured at all gives one clear reply", async () => {
    const a = setup(undefined, { providers: [] }, "anthropic/claude-opus-4-5");
    const result = await a.enqueue({ text: "hello" });
    expect(result.status).toBe("error");
    expect(result.text).toMatch(/anthropic/);
    expect(result.text).toMatch(/openclaw models auth paste-token --provider anthropic|providers-/);
  });

  it("unknown model ref and a model outside the allowlist", async () => {
    const model = new MockLanguageModelV1({ provider: "mock", modelId: "a", script: mockTextResponse("ok") });
    const a = setup(model);
    const unknown = await a.enqueue({ text: "hi", model: "nosuch/model" });
    expect(unknown.status).toBe("error");
    expect(unknown.text).toContain('Unknown provider "nosuch"');
    await a.close();
    const b = setup(model, {
      config: {
        agents: { defaults: { workspace: path.join(dir, "ws"), model: "mock/a", models: { "mock/a": {} } } },
      },
    });
    const blocked = await b.enqueue({ text: "hi", model: "mock/zzz" });
    expect(blocked).toMatchObject({ status: "error", error: { code: "MODEL_NOT_ALLOWED" } });
    expect(blocked.text).toContain("Allowed: mock/a");
  });

  it("empty message", async () => {
    const result = await setup(new MockLanguageModelV1()).enqueue({ text: "   " });
    expect(result).toMatchObject({ status: "error", error: { code: "INVALID_REQUEST" } });
  });

  it("a tool denied by policy is refused with the reason", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [
        mockToolCallResponse([{ toolName: "exec", input: { command: "ls" } }]),
        mockTextResponse("ok"),
      ],
    });
    const a = setup(model, { config: { tools: { deny: ["group:runtime"] } } });
    const result = await a.enqueue({ text: "list" });
    expect(result.text).toBe("ok");
    expect(model.calls[0]!.tools?.map((tool) => tool.name)).not.toContain("exec");
    expect(model.calls[1]!.messages.at(-1)).toMatchObject({
      content: [{ isError: true, output: expect.stringContaining('"exec" is not allowed') }],
    });
  });

  it("a run over agents.defaults.timeoutSeconds ends with a timeout error, not a silent abort", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      script: { parts: [{ type: "stream-start", warnings: [] }], hang: true },
    });
    const a = setup(model, {
      config: {
        agents: { defaults: { workspace: path.join(dir, "ws"), model: "mock/a", timeoutSeconds: 0.2 } },
      },
    });
    const result = await a.enqueue({ text: "slow" });
    expect(result).toMatchObject({ status: "error", error: { kind: "timeout" } });
    expect(result.text).toContain("agents.defaults.timeoutSeconds");
  });

  it("group settings from channels.<id>.groups apply: tool policy and system prompt", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      script: mockTextResponse("hi all"),
    });
    const a = setup(model, {
      config: {
        channels: {
          telegram: {
            groups: {
              "-100": {
                tools: { deny: ["group:runtime", "group:fs"] },
                systemPrompt: "Be brief in this group.",
              },
            },
          },
        },
      },
    });
    await a.enqueue({
      sessionKey: "telegram:group:-100",
      text: "hello",
      channel: "telegram",
      groupId: "-100",
    });
    const call = model.calls[0]!;
    const names = call.tools?.map((tool) => tool.name) ?? [];
    expect(names).not.toContain("exec");
    expect(names).not.toContain("write");
    expect(names).toContain("web_fetch");
    expect(call.system).toContain("Be brief in this group.");
    expect(call.system).toContain("## Group chat");
    // the group session is not the main session: MEMORY.md stays private
    expect(call.system).not.toContain("### MEMORY.md");
  });

  it("a tool that never returns is cut off by the run's time limit and the session keeps working", async () => {
    const stuck = defineTool({
      name: "stuck",
      description: "never returns",
      parameters: z.object({}),
      execute: () => new Promise(() => {}),
    });
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [toolTurn("stuck", "{}"), mockTextResponse("back")],
    });
    const a = setup(model, {
      tools: [stuck],
      config: {
        agents: { defaults: { workspace: path.join(dir, "ws"), model: "mock/a", timeoutSeconds: 0.3 } },
      },
    });
    const first = await a.enqueue({ text: "go" });
    expect(first).toMatchObject({ status: "error", error: { kind: "timeout" } });
    expect(await a.enqueue({ text: "again" })).toMatchObject({ status: "ok", text: "back" });
  });

  it("a provider that ignores the abort signal cannot hang the session", async () => {
    let calls = 0;
    const deaf = {
      specificationVersion: "v1" as const,
      provider: "deaf",
      modelId: "m",
      doStream: async () => {
        calls += 1;
        if (calls > 1)
          return {
            stream: (async function* () {
              yield* mockTextResponse("recovered");
            })(),
          };
        // a stream that never ends and never looks at the abort signal
        return {
          stream: new ReadableStream<LanguageModelV1StreamPart>({
            start(controller) {
              controller.enqueue({ type: "stream-start", warnings: [] });
            },
          }),
        };
      },
    };
    const a = setup(undefined, {
      providers: [{ specificationVersion: "v1", id: "deaf", languageModel: () => deaf }],
      config: {
        agents: { defaults: { workspace: path.join(dir, "ws"), model: "deaf/m", timeoutSeconds: 0.3 } },
      },
    });
    expect(await a.enqueue({ text: "hello" })).toMatchObject({ status: "error", error: { kind: "timeout" } });
    expect(await a.enqueue({ text: "again" })).toMatchObject({ status: "ok", text: "recovered" });
  });
});
