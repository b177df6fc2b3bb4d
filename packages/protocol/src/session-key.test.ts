import { describe, expect, it } from "vitest";
import { normalizeAgentId, toAgentSessionKey } from "./session-key.js";

describe("toAgentSessionKey", () => {
  it("maps the short main key and an empty key to the agent's main session", () => {
    expect(toAgentSessionKey("main")).toBe("agent:main:main");
    expect(toAgentSessionKey(undefined)).toBe("agent:main:main");
    expect(toAgentSessionKey("  ")).toBe("agent:main:main");
    expect(toAgentSessionKey(undefined, "Work")).toBe("agent:work:main");
  });

  it("prefixes channel keys with the agent and lower-cases them", () => {
    expect(toAgentSessionKey("discord:group:ABC")).toBe("agent:main:discord:group:abc");
    expect(toAgentSessionKey("telegram:direct:42", "ops")).toBe("agent:ops:telegram:direct:42");
  });

  it("keeps canonical keys canonical (idempotent) and normalizes their agent id", () => {
    expect(toAgentSessionKey("agent:main:main")).toBe("agent:main:main");
    expect(toAgentSessionKey("agent:Ops:Slack:Channel:C1")).toBe("agent:ops:slack:channel:c1");
    const once = toAgentSessionKey("webchat:Browser-1");
    expect(toAgentSessionKey(once)).toBe(once);
  });

  it("leaves global, cron, hook and node keys alone", () => {
    expect(toAgentSessionKey("global")).toBe("global");
    expect(toAgentSessionKey("cron:nightly")).toBe("cron:nightly");
    expect(toAgentSessionKey("hook:1b2c")).toBe("hook:1b2c");
    expect(toAgentSessionKey("node-abc")).toBe("node-abc");
  });

  it("honours a custom main key", () => {
    expect(toAgentSessionKey("", "main", "home")).toBe("agent:main:home");
  });
});

describe("normalizeAgentId", () => {
  it("lower-cases, collapses invalid characters and falls back to main", () => {
    expect(normalizeAgentId(" Work Bot ")).toBe("work-bot");
    expect(normalizeAgentId("__x")).toBe("x");
    expect(normalizeAgentId("")).toBe("main");
    expect(normalizeAgentId(undefined)).toBe("main");
  });
});
