import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createMockProvider, MockLanguageModelV1, mockTextResponse } from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { middayClock } from "../__fixtures__/midday-clock.js";
import type { AssistantEvent } from "../agent/events.js";
import { type Assistant, createAssistant } from "../assistant.js";

// What the chat intake keeps of a finished message (docs/config.md "In-memory caches"): the
// idempotency key → the message's ids and result, for a duplicate; not the run's events.

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let dir: string;
let assistant: Assistant | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-intake-"));
});
afterEach(async () => {
  await assistant?.close();
  assistant = undefined;
  await rm(dir, { recursive: true, force: true });
});

function setup() {
  const model = new MockLanguageModelV1({
    provider: "mock",
    modelId: "a",
    script: async () => mockTextResponse("a reply in several streamed parts"),
  });
  assistant = createAssistant({
    clock: middayClock(),
    config: { agents: { defaults: { workspace: path.join(dir, "ws"), model: "mock/a" } } },
    providers: [createMockProvider({ id: "mock", models: { a: model } })],
    stateDir: path.join(dir, "state"),
    env: {},
  });
  return assistant;
}

/** Submit, wait for the reply without reading the events; a weak reference to the event stream. */
async function submitUnread(a: Assistant, idempotencyKey: string) {
  const handle = a.submit({ text: "hello", idempotencyKey });
  const result = await handle.result;
  return { result, events: new WeakRef(handle.events) };
}

async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    gc();
    // weak references are cleared once the current job is over
    await new Promise((resolve) => setImmediate(resolve));
    if (ref.deref() === undefined) return true;
  }
  return false;
}

describe("a finished message's events", () => {
  it("are not kept for its idempotency key when nobody read them", async () => {
    const a = setup();
    const { result, events } = await submitUnread(a, "key-1");
    expect(result.status).toBe("ok");
    // what the turn started in the background (a memory index sync) is over once the assistant
    // is closed; the intake (and its idempotency keys) lives on with the assistant object
    await a.close();
    expect(await collected(events)).toBe(true);
  });

  it("a duplicate still gets the reply's terminal event and the same result", async () => {
    const a = setup();
    const { result } = await submitUnread(a, "key-2");
    const duplicate = a.submit({ text: "hello", idempotencyKey: "key-2" });
    expect(duplicate.duplicate).toBe(true);
    expect(duplicate.messageId).toBe("key-2");
    const replayed: AssistantEvent[] = [];
    for await (const event of duplicate.events) replayed.push(event);
    expect(replayed).toEqual([expect.objectContaining({ type: "final", text: result.text })]);
    expect(await duplicate.result).toEqual(result);
  });
});
