import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createMockProvider, MockLanguageModelV1, mockTextResponse } from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { middayClock } from "../__fixtures__/midday-clock.js";
import { type Assistant, createAssistant } from "../assistant.js";
import type { AssistantEvent } from "./events.js";

let dir: string;
let assistant: Assistant | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-archive-"));
});
afterEach(async () => {
  await assistant?.close();
  assistant = undefined;
  await rm(dir, { recursive: true, force: true });
});

function setup(
  model = new MockLanguageModelV1({ script: mockTextResponse("hello there") }),
  extra: Record<string, unknown> = {},
) {
  assistant = createAssistant({
    clock: middayClock(),
    config: {
      ...extra,
      agents: {
        defaults: { workspace: path.join(dir, "workspace"), model: { primary: "mock/a", fallbacks: [] } },
      },
    },
    providers: [createMockProvider({ id: "mock", models: { a: model } })],
    stateDir: path.join(dir, "state"),
    env: {},
  });
  return assistant;
}

const sessionsDir = () => path.join(dir, "state", "agents", "main", "sessions");

describe("session reset/delete archive the old transcript (spec §4, §5.3)", () => {
  it("after /new the old transcript survives as <sessionId>.jsonl.reset.<ts> and a new session id is used", async () => {
    const a = setup();
    expect((await a.enqueue({ text: "remember the blue door" })).status).toBe("ok");
    const before = await a.sessions.get("main");
    const oldId = before!.sessionId;
    expect((await readdir(sessionsDir())).includes(`${oldId}.jsonl`)).toBe(true);

    const reply = await a.enqueue({ text: "/new" });
    expect(reply.status).toBe("ok"); // the greeting turn of the fresh session
    const after = await a.sessions.get("main");
    expect(after!.sessionId).not.toBe(oldId);

    const files = await readdir(sessionsDir());
    const archived = files.filter((name) => name.startsWith(`${oldId}.jsonl.reset.`));
    expect(archived).toHaveLength(1);
    expect(files).not.toContain(`${oldId}.jsonl`);
    expect(archived[0]).toMatch(/\.jsonl\.reset\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z$/);
    const archivedText = await readFile(path.join(sessionsDir(), archived[0]!), "utf8");
    expect(archivedText).toContain("remember the blue door");
    // the new session's transcript is a separate file that does not contain the old turn
    const fresh = await readFile(path.join(sessionsDir(), `${after!.sessionId}.jsonl`), "utf8");
    expect(fresh).not.toContain("remember the blue door");
    // history of the key only shows the new session
    const history = await a.history("main");
    expect(history.some((m) => JSON.stringify(m.content).includes("blue door"))).toBe(false);
  });

  it("sessions.reset (the gateway's sessions.reset) archives as .reset.<ts>", async () => {
    const a = setup();
    await a.enqueue({ sessionKey: "agent:main:work", text: "first" });
    const oldId = (await a.sessions.get("agent:main:work"))!.sessionId;
    const fresh = await a.sessions.reset("agent:main:work");
    expect(fresh.sessionId).not.toBe(oldId);
    const files = await readdir(sessionsDir());
    expect(files.some((name) => name.startsWith(`${oldId}.jsonl.reset.`))).toBe(true);
    // the index on disk points at the new id
    const index = JSON.parse(await readFile(path.join(sessionsDir(), "sessions.json"), "utf8"));
    expect(index["agent:main:work"].sessionId).toBe(fresh.sessionId);
  });

  it("sessions.delete archives as .deleted.<ts> and removes the key", async () => {
    const a = setup();
    await a.enqueue({ sessionKey: "agent:main:tmp", text: "to be deleted" });
    const oldId = (await a.sessions.get("agent:main:tmp"))!.sessionId;
    expect(await a.sessions.delete("agent:main:tmp")).toBe(true);
    expect(await a.sessions.get("agent:main:tmp")).toBeUndefined();
    const files = await readdir(sessionsDir());
    const archived = files.find((name) => name.startsWith(`${oldId}.jsonl.deleted.`));
    expect(archived).toBeDefined();
    expect(await readFile(path.join(sessionsDir(), archived!), "utf8")).toContain("to be deleted");
    const index = JSON.parse(await readFile(path.join(sessionsDir(), "sessions.json"), "utf8"));
    expect(index["agent:main:tmp"]).toBeUndefined();
    expect(await a.sessions.delete("agent:main:tmp")).toBe(false);
  });

  it("a reset during a running turn waits for it: the whole turn lands in the archive, nothing recreates the old file", async () => {
    const a = setup(
      new MockLanguageModelV1({
        scripts: [
          mockTextResponse("first answer"),
          { parts: mockTextResponse("partial answer").slice(0, 3), hang: true },
          mockTextResponse("fresh answer"),
        ],
      }),
    );
    await a.enqueue({ text: "hello" });
    const oldId = (await a.sessions.get("main"))!.sessionId;
    const running = a.submit({ text: "tell me a long story" });
    let reset: Promise<unknown> | undefined;
    for await (const event of running.events as AsyncIterable<AssistantEvent>) {
      if (event.type === "text-delta" && !reset) {
        reset = a.sessions.reset("main");
        a.abort("main", running.messageId); // the user stops the long turn; the reset then proceeds
      }
    }
    await reset;
    expect((await running.result).status).toBe("aborted");
    const files = await readdir(sessionsDir());
    expect(files).not.toContain(`${oldId}.jsonl`);
    const archived = files.find((name) => name.startsWith(`${oldId}.jsonl.reset.`))!;
    const text = await readFile(path.join(sessionsDir(), archived), "utf8");
    expect(text).toContain("tell me a long story");
    expect(text).toContain("partial answer"); // the aborted turn was written before archiving
    expect((await a.enqueue({ text: "again" })).text).toBe("fresh answer");
    expect((await a.sessions.get("main"))!.sessionId).not.toBe(oldId);
  });

  it("session.resetTriggers: a custom trigger starts a fresh session; '<trigger> <text>' answers the text in it", async () => {
    const model = new MockLanguageModelV1({
      script: (options) =>
        mockTextResponse(`seen ${options.messages.filter((m) => m.role === "user").length} user message(s)`),
    });
    const a = setup(model, { session: { resetTriggers: ["/new", "/reset", "fresh start"] } });
    await a.enqueue({ text: "one" });
    await a.enqueue({ text: "two" });
    const first = (await a.sessions.get("main"))!.sessionId;
    const reset = await a.enqueue({ text: "Fresh Start" });
    expect(reset).toMatchObject({ status: "command" });
    expect(reset.text).toMatch(/^New session started/);
    const second = (await a.sessions.get("main"))!.sessionId;
    expect(second).not.toBe(first);
    expect((await readdir(sessionsDir())).some((name) => name.startsWith(`${first}.jsonl.reset.`))).toBe(
      true,
    );
    // with text after the trigger, the fresh session answers it (it sees only that message)
    expect((await a.enqueue({ text: "fresh start what now?" })).text).toBe("seen 1 user message(s)");
    expect((await a.sessions.get("main"))!.sessionId).not.toBe(second);
    // a sender who may not run commands cannot reset through a trigger either
    const before = (await a.sessions.get("main"))!.sessionId;
    await a.enqueue({ text: "fresh start", sender: { id: "stranger", authorized: false } });
    expect((await a.sessions.get("main"))!.sessionId).toBe(before);
  });
});
