import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path, { join } from "node:path";
import type { LanguageModelV1StreamPart } from "@openclaw/protocol";
import { createMockProvider, MockLanguageModelV1, mockTextResponse } from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { packageName, REPO, staticGraph } from "../../../../scripts/import-graph.js";
import { middayClock } from "../__fixtures__/midday-clock.js";
import { type Assistant, createAssistant } from "../assistant.js";
import { BUILTIN_TOOL_INPUT_SCHEMAS } from "./builtin-tool-schemas.js";
import { builtinToolInputSchemas } from "./builtin-tool-schemas-codegen.js";
import { builtinTools } from "./index.js";
import { BUILTIN_TOOL_PARAMETERS } from "./tool-parameters.js";
import { defineTool, toolParameters } from "./types.js";

// The built-in tools send precomputed JSON Schemas (builtin-tool-schemas.ts) and load their zod
// schemas with the first call: the model must see exactly what z.toJSONSchema gives, and a bad
// call must get exactly zod's answer.

const regenerate =
  "builtin-tool-schemas.ts is out of date: run `pnpm --filter @openclaw/core gen` and commit it";
const asModelSees = (schema: z.ZodType) => {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  delete json.$schema;
  return json;
};

describe("the built-in tools' JSON Schemas", () => {
  it("the committed file is what the zod schemas give (regenerated here)", () => {
    expect(BUILTIN_TOOL_INPUT_SCHEMAS, regenerate).toEqual(builtinToolInputSchemas());
  });

  it("every built-in tool sends its precomputed schema and loads the matching zod schema", async () => {
    const tools = builtinTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(Object.keys(BUILTIN_TOOL_PARAMETERS).sort());
    for (const tool of tools) {
      const name = tool.name as keyof typeof BUILTIN_TOOL_PARAMETERS;
      expect(typeof tool.parameters, name).toBe("function");
      expect(await toolParameters(tool), name).toBe(BUILTIN_TOOL_PARAMETERS[name]);
      expect(tool.inputSchema, name).toEqual(asModelSees(BUILTIN_TOOL_PARAMETERS[name]));
    }
  });

  it("the tool modules reach zod only through a dynamic import of tool-parameters.ts", () => {
    const index = join(REPO, "packages/core/src/tools/index.ts");
    const graph = staticGraph(index);
    expect([...graph.packages].map(packageName)).not.toContain("zod");
    expect(graph.files).not.toContain(join(REPO, "packages/core/src/tools/tool-parameters.ts"));
    expect(graph.dynamic.get(join(REPO, "packages/core/src/tools/fs-tools.ts"))).toContain(
      "./tool-parameters.js",
    );
  });
});

const toolTurn = (name: string, input: string): LanguageModelV1StreamPart[] => [
  { type: "stream-start", warnings: [] },
  { type: "tool-call", toolCallId: "call_1", toolName: name, input },
  { type: "finish", finishReason: "tool-calls", usage: { inputTokens: 1, outputTokens: 1 } },
];

describe("a turn with the built-in tools", () => {
  let dir: string;
  let assistant: Assistant | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "openclaw-tool-schemas-"));
  });
  afterEach(async () => {
    await assistant?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (model: MockLanguageModelV1, tools = [] as ReturnType<typeof defineTool>[]) => {
    assistant = createAssistant({
      clock: middayClock(),
      providers: [createMockProvider({ id: "mock", models: { a: model } })],
      stateDir: path.join(dir, "state"),
      env: {},
      tools,
      config: { agents: { defaults: { workspace: path.join(dir, "ws"), model: "mock/a" } } },
    });
    return assistant.enqueue({ text: "go" });
  };

  it("sends each tool's JSON Schema as z.toJSONSchema gives it, an extra zod tool's too", async () => {
    const extra = defineTool({
      name: "lookup",
      description: "an embedder's tool with a plain zod schema",
      parameters: z.object({ id: z.string().min(2).describe("record id"), deep: z.boolean().default(false) }),
      async execute(params) {
        return { content: params.id };
      },
    });
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [mockTextResponse("hi")],
    });
    await run(model, [extra]);
    const sent = new Map((model.calls[0]!.tools ?? []).map((tool) => [tool.name, tool]));
    for (const [name, parameters] of Object.entries(BUILTIN_TOOL_PARAMETERS))
      if (sent.has(name)) expect(sent.get(name)?.inputSchema, name).toEqual(asModelSees(parameters));
    expect(sent.has("read")).toBe(true);
    expect(sent.get("lookup")?.inputSchema).toEqual(asModelSees(extra.parameters as z.ZodType));
  });

  it("answers invalid arguments with zod's own issues", async () => {
    const args = { path: "", offset: 0 };
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [toolTurn("read", JSON.stringify(args)), mockTextResponse("ok")],
    });
    await run(model);
    const parsed = BUILTIN_TOOL_PARAMETERS.read.safeParse(args);
    const issues = parsed.error?.issues
      .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
      .join("; ");
    expect(issues).toMatch(/^path: .+; offset: .+$/);
    expect(model.calls[1]!.messages.at(-1)).toMatchObject({
      content: [{ isError: true, output: `Error: invalid arguments for read: ${issues}` }],
    });
  });
});
