import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import JSON5 from "json5";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openclaw, useTempState } from "./cli-test-helpers.js";

// Command lines of the user's manual that used to mislead (issue: "the manual, for what exists").
const savedEnv = { ...process.env };
let state = "";
beforeEach(() => {
  ({ state } = useTempState("openclaw-cli-manual-"));
});
afterEach(() => {
  process.env = { ...savedEnv };
  process.exitCode = undefined;
});
const config = () => JSON5.parse(readFileSync(join(state, "openclaw.json"), "utf8"));

describe("config set of an alternate spelling", () => {
  it("models.defaults.model writes agents.defaults.model.primary, the key that wins", async () => {
    writeFileSync(
      join(state, "openclaw.json"),
      JSON.stringify({ agents: { defaults: { model: { primary: "openai/gpt-4o" } } } }),
    );
    const set = await openclaw("config", "set", "models.defaults.model", "anthropic/claude-sonnet-4-5");
    expect(set.code).toBe(0);
    expect(set.stdout).toContain("alternate spelling of agents.defaults.model.primary");
    expect(config().agents.defaults.model.primary).toBe("anthropic/claude-sonnet-4-5");
    expect(config().models?.defaults?.model).toBeUndefined();
    expect((await openclaw("config", "get", "agents.defaults.model.primary")).stdout).toBe(
      "anthropic/claude-sonnet-4-5\n",
    );
  });
});

describe("models status --json", () => {
  it("prints JSON (the --json of `models` itself no longer swallows it)", async () => {
    const result = await openclaw("models", "status", "--json");
    expect(result.code).toBe(0);
    expect(() => JSON.parse(result.stdout)).not.toThrow();
  });
});
