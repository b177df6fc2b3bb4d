import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  createMockProvider,
  MockLanguageModelV1,
  mockTextResponse,
  mockToolCallResponse,
} from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { middayClock } from "../__fixtures__/midday-clock.js";
import type { AssistantEvent } from "../agent/events.js";
import { type Assistant, createAssistant } from "../assistant.js";

let dir: string;
let workspace: string;
let assistant: Assistant | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-skills-run-"));
  workspace = path.join(dir, "workspace");
  const skill = async (name: string, frontmatter: string, body: string) => {
    await mkdir(path.join(workspace, "skills", name), { recursive: true });
    await writeFile(
      path.join(workspace, "skills", name, "SKILL.md"),
      `---\nname: ${name}\n${frontmatter}\n---\n${body}`,
    );
  };
  await skill(
    "api-skill",
    'description: calls an API\nmetadata: {"openclaw": {"primaryEnv": "SKILL_TOKEN"}}',
    "Use $SKILL_TOKEN.\n",
  );
  await skill(
    "trip_planner",
    "description: plan a trip",
    "Read {baseDir}/places.md, then plan day by day.\n",
  );
  await skill("shout", "description: echo through exec\ncommand-dispatch: tool\ncommand-tool: exec", "");
});

afterEach(async () => {
  await assistant?.close();
  assistant = undefined;
  await rm(dir, { recursive: true, force: true });
});

function setup(model: MockLanguageModelV1) {
  assistant = createAssistant({
    clock: middayClock(),
    config: {
      agents: {
        defaults: { workspace, model: { primary: "mock/a", fallbacks: [] } },
        list: [
          { id: "main", default: true },
          { id: "other", workspace, skills: [] },
        ],
      },
      tools: { exec: { security: "full" } },
      skills: { entries: { "api-skill": { apiKey: "tok-42", env: { SKILL_REGION: "eu" } } } },
    } as never,
    providers: [createMockProvider({ id: "mock", models: { a: model } })],
    stateDir: path.join(dir, "state"),
    env: {},
  });
  return assistant;
}

async function collect(events: AsyncIterable<AssistantEvent>): Promise<AssistantEvent[]> {
  const all: AssistantEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

const toolResult = (events: AssistantEvent[]) =>
  events.find((event) => event.type === "tool-result") as
    | Extract<AssistantEvent, { type: "tool-result" }>
    | undefined;

describe("skills in a run", () => {
  it("lists eligible skills in the system prompt, with {baseDir} resolved", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [mockTextResponse("hi")],
    });
    await setup(model).enqueue({ text: "hello" });
    const prompt = JSON.stringify(model.calls[0]);
    expect(prompt).toContain("<available_skills>");
    expect(prompt).toContain("<name>trip_planner</name>");
    expect(prompt).toContain(path.join(workspace, "skills", "trip_planner", "SKILL.md"));
  });

  it("injects skills.entries env into the run's exec only: restored after, never seen by another session", async () => {
    const echo = 'echo "token=$SKILL_TOKEN region=$SKILL_REGION"';
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [
        mockToolCallResponse([{ toolName: "exec", input: { command: echo }, toolCallId: "c1" }]),
        mockTextResponse("done"),
        mockToolCallResponse([{ toolName: "exec", input: { command: echo }, toolCallId: "c2" }]),
        mockTextResponse("done"),
      ],
    });
    const a = setup(model);
    const inRun = toolResult(await collect(a.send({ text: "use the api" })));
    expect(inRun?.result).toContain("token=tok-42 region=eu");
    expect(process.env.SKILL_TOKEN).toBeUndefined();
    expect(process.env.SKILL_REGION).toBeUndefined();
    // agent "other" allows no skills: its session's exec sees none of it
    const other = toolResult(
      await collect(a.send({ text: "use the api", agentId: "other", sessionKey: "agent:other:main" })),
    );
    expect(other?.result).toContain("token= region=");
  });

  it("dispatches /<skill> to the model with the skill's instructions", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [mockTextResponse("planned")],
    });
    const result = await setup(model).enqueue({ text: "/trip_planner Lisbon in May" });
    expect(result.text).toBe("planned");
    const user = JSON.stringify(model.calls[0]!.messages.at(-1));
    expect(user).toContain(`Read ${path.join(workspace, "skills", "trip_planner")}/places.md`);
    expect(user).toContain("User input: Lisbon in May");
  });

  it("dispatches a command-dispatch: tool skill to its tool, without the model", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [mockTextResponse("unused")],
    });
    const result = await setup(model).enqueue({ text: "/shout echo straight-to-the-tool" });
    expect(result.status).toBe("command");
    expect(result.text).toContain("straight-to-the-tool");
    expect(model.calls).toHaveLength(0);
  });

  it("memory_search in a run uses the index and says why it is keyword-only", async () => {
    await mkdir(path.join(workspace, "memory"), { recursive: true });
    await writeFile(path.join(workspace, "memory", "pets.md"), "Our cat Miso eats at seven.\n");
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [
        mockToolCallResponse([{ toolName: "memory_search", input: { query: "Miso" }, toolCallId: "m1" }]),
        mockTextResponse("seven"),
      ],
    });
    const found = toolResult(await collect(setup(model).send({ text: "when does Miso eat?" })));
    expect(found?.result, JSON.stringify(found)).toContain("memory/pets.md#L1-1");
    expect(found?.result).toContain("keyword search only");
  });
});
