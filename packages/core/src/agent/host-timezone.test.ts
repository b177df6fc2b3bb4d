import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createMockProvider, MockLanguageModelV1, mockTextResponse } from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// The host's time zone comes from Intl, whose first DateTimeFormat pages in ~11 MB of ICU data
// and code: core's agent runtime asks for it on the first turn that needs it, not when it loads.

const RealDateTimeFormat = Intl.DateTimeFormat;
let constructed = 0;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-host-tz-"));
  constructed = 0;
  Intl.DateTimeFormat = new Proxy(RealDateTimeFormat, {
    apply(target, self, args) {
      constructed++;
      return Reflect.apply(target, self, args);
    },
    construct(target, args, newTarget) {
      constructed++;
      return Reflect.construct(target, args, newTarget);
    },
  });
});
afterEach(async () => {
  Intl.DateTimeFormat = RealDateTimeFormat;
  await rm(dir, { recursive: true, force: true });
});

async function oneTurn(
  createAssistant: typeof import("../assistant.js").createAssistant,
  userTimezone: string | undefined,
): Promise<string> {
  const model = new MockLanguageModelV1({ provider: "mock", modelId: "a", script: mockTextResponse(["ok"]) });
  const assistant = createAssistant({
    config: {
      agents: {
        defaults: {
          workspace: path.join(dir, "workspace"),
          model: { primary: "mock/a", fallbacks: [] },
          ...(userTimezone ? { userTimezone } : {}),
        },
      },
    },
    providers: [createMockProvider({ id: "mock", models: { a: model } })],
    stateDir: path.join(dir, "state"),
    env: {},
  });
  try {
    for await (const event of assistant.send({ text: "hi" })) if (event.type === "error") throw event;
    return JSON.stringify(model.calls[0]);
  } finally {
    await assistant.close();
  }
}

describe("the host time zone in the system prompt", () => {
  it("is read from Intl by the first turn whose agent has no userTimezone, not when core loads", async () => {
    // core's modules are imported here, after the counting stand-in is installed
    const { createAssistant } = await import("../assistant.js");
    expect(constructed).toBe(0);
    expect(await oneTurn(createAssistant, "Europe/Paris")).toContain("The user's timezone is Europe/Paris.");
    expect(constructed).toBe(0);
    const hostZone = new RealDateTimeFormat().resolvedOptions().timeZone;
    constructed = 0;
    expect(await oneTurn(createAssistant, undefined)).toContain(`The user's timezone is ${hostZone}.`);
    expect(constructed).toBe(1);
    // read once per process
    await oneTurn(createAssistant, undefined);
    expect(constructed).toBe(1);
  });
});
