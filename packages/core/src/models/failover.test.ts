import {
  createMockProvider,
  MockLanguageModelV1,
  mockProviderError,
  mockTextResponse,
} from "@openclaw/testkit";
import { describe, expect, it } from "vitest";
import { AllModelsFailedError, ProfileCooldowns, runWithFailover } from "./failover.js";
import { parseModelRef, resolveModelInput } from "./model-ref.js";
import { ProviderRegistry } from "./provider-registry.js";

describe("profile cooldowns", () => {
  it("back off 1 min → 5 → 25 → 1 h, billing disables for hours", () => {
    let now = 0;
    const cooldowns = new ProfileCooldowns(() => now);
    const steps = [1, 5, 25, 60, 60].map((_minutes) => {
      const usage = cooldowns.markFailure("p", "rate_limit");
      return (usage.cooldownUntil! - now) / 60_000;
    });
    expect(steps).toEqual([1, 5, 25, 60, 60]);
    expect(cooldowns.markFailure("b", "billing").disabledUntil).toBe(5 * 3600_000);
    expect(cooldowns.markFailure("b", "billing").disabledUntil).toBe(10 * 3600_000);
    // Retry-After longer than the step wins
    expect(cooldowns.markFailure("r", "rate_limit", 120_000).cooldownUntil).toBe(120_000);
    now = 25 * 3600_000;
    expect(cooldowns.blockedFor("p")).toBe(0);
    expect(cooldowns.markFailure("p", "rate_limit").cooldownUntil! - now).toBe(60_000);
  });
});

describe("runWithFailover", () => {
  it("rotates auth profiles of the provider before walking fallbacks", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      script: (options) =>
        options.apiKey === "good" ? mockTextResponse("hi") : mockProviderError("auth", { status: 401 }),
    });
    const registry = new ProviderRegistry({
      config: {},
      providers: [createMockProvider({ id: "mock", models: { a: model } })],
      env: {},
    });
    const recorded: unknown[] = [];
    const cooldowns = new ProfileCooldowns();
    const { candidate, attempts } = await runWithFailover({
      refs: [parseModelRef("mock/a")],
      registry,
      cooldowns,
      auth: {
        list: () => [
          { id: "mock:bad", provider: "mock", key: "bad" },
          { id: "mock:good", provider: "mock", key: "good" },
        ],
        record: (id, outcome) => recorded.push([id, outcome.ok]),
      },
      attempt: async (c) => {
        const result = await c.model.doStream({ messages: [], apiKey: c.apiKey });
        return result;
      },
    });
    expect(candidate.profileId).toBe("mock:good");
    expect(attempts).toMatchObject([{ profileId: "mock:bad", kind: "auth", status: 401 }]);
    expect(recorded).toEqual([
      ["mock:bad", false],
      ["mock:good", true],
    ]);
    expect(cooldowns.blockedFor("mock:bad")).toBeGreaterThan(0);
  });

  it("skips profiles in cooldown and says so when every one is cooling down", async () => {
    const registry = new ProviderRegistry({
      config: {},
      providers: [createMockProvider({ id: "mock" })],
      env: {},
    });
    const cooldowns = new ProfileCooldowns();
    cooldowns.markFailure("mock:only", "rate_limit");
    const run = runWithFailover({
      refs: [parseModelRef("mock/a")],
      registry,
      cooldowns,
      auth: { list: () => [{ id: "mock:only", provider: "mock", key: "k" }] },
      attempt: async () => "never",
    });
    await expect(run).rejects.toBeInstanceOf(AllModelsFailedError);
    await expect(run).rejects.toThrow(/cooling down \(next in 60 s\)/);
  });

  it("resolves aliases and enforces the allowlist", () => {
    const config = { agents: { defaults: { models: { "anthropic/claude-opus-4-5": { alias: "opus" } } } } };
    expect(resolveModelInput("opus", config)).toEqual({ provider: "anthropic", model: "claude-opus-4-5" });
    expect(() => resolveModelInput("openai/gpt-5", config)).toThrow(/not in the allowlist/);
    expect(parseModelRef("openrouter/meta/llama-3")).toEqual({
      provider: "openrouter",
      model: "meta/llama-3",
    });
    expect(parseModelRef("claude-sonnet")).toEqual({ provider: "anthropic", model: "claude-sonnet" });
  });
});

describe("ProviderRegistry credentials", () => {
  it("a changed API key in the environment (e.g. a .env edit) rebuilds the provider on next use", () => {
    const built: (string | undefined)[] = [];
    const env: NodeJS.ProcessEnv = { OPENAI_API_KEY: "sk-old" };
    const registry = new ProviderRegistry({
      config: {},
      env,
      factories: {
        "openai-responses": (options) => {
          built.push(options.apiKey);
          return createMockProvider({ id: options.id });
        },
        "openai-completions": (options) => {
          built.push(options.apiKey);
          return createMockProvider({ id: options.id });
        },
      },
    });
    const first = registry.resolve("openai");
    expect(first.staticKeys[0]?.key).toBe("sk-old");
    expect(registry.resolve("openai")).toBe(first); // unchanged: cached
    env.OPENAI_API_KEY = "sk-new";
    const second = registry.resolve("openai");
    expect(second).not.toBe(first);
    expect(second.staticKeys[0]?.key).toBe("sk-new");
    expect(built).toEqual(["sk-old", "sk-new"]);
  });
});
