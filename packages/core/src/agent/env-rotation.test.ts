import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createMockProvider, MockLanguageModelV1, mockTextResponse } from "@openclaw/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { middayClock } from "../__fixtures__/midday-clock.js";
import { type Assistant, createAssistant } from "../assistant.js";
import { type ConfigChange, type ConfigWatcher, watchConfig } from "../config/watch.js";

let root: string | undefined;
let assistant: Assistant | undefined;
let watcher: ConfigWatcher | undefined;
afterEach(async () => {
  watcher?.close();
  await assistant?.close();
  if (root) rmSync(root, { recursive: true, force: true });
  watcher = undefined;
  assistant = undefined;
  root = undefined;
});

describe("rotating a provider key in the state dir .env while running", () => {
  it("the next turn uses the new key, with no config reload or restart", async () => {
    root = mkdtempSync(path.join(tmpdir(), "openclaw-rotate-"));
    const state = path.join(root, "state");
    mkdirSync(state);
    writeFileSync(
      path.join(state, "openclaw.json"),
      '{ agents: { defaults: { model: "openai/gpt-test" } } }',
    );
    writeFileSync(path.join(state, ".env"), "OPENAI_API_KEY=sk-first\n");
    // the gateway's environment: the loader applies .env values to it
    const env: NodeJS.ProcessEnv = { HOME: root, OPENCLAW_STATE_DIR: state };
    watcher = watchConfig({ env, cwd: root, debounceMs: 20 });
    const model = new MockLanguageModelV1({
      provider: "openai",
      modelId: "gpt-test",
      script: (options) => mockTextResponse(`answered with ${options.apiKey}`),
    });
    const factory = (options: { id: string }) =>
      createMockProvider({ id: options.id, models: { "gpt-test": model } });
    assistant = createAssistant({
      clock: middayClock(),
      config: watcher.current.config as never,
      stateDir: state,
      env,
      providerFactories: { "openai-responses": factory, "openai-completions": factory },
    });
    expect((await assistant.enqueue({ text: "hi" })).text).toBe("answered with sk-first");

    const changed = new Promise<ConfigChange>((resolve) => watcher!.once("change", resolve));
    writeFileSync(path.join(state, ".env.tmp"), "OPENAI_API_KEY=sk-second\n");
    renameSync(path.join(state, ".env.tmp"), path.join(state, ".env"));
    expect((await changed).envChanged).toEqual(["OPENAI_API_KEY"]);
    expect((await assistant.enqueue({ text: "again" })).text).toBe("answered with sk-second");
  });
});
