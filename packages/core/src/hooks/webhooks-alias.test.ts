import { describe, expect, it } from "vitest";
import { normalizeConfigAliases } from "../config/aliases.js";

describe("the FAQ's automation.webhooks", () => {
  it("is read as hooks (hooks' own keys win) and offered as a rewrite", () => {
    const { config, legacy } = normalizeConfigAliases({
      automation: { webhooks: { enabled: true, token: "from-faq", mappings: [{ match: { path: "x" } }] } },
      hooks: { token: "canonical" },
    });
    expect(config.hooks).toEqual({ token: "canonical", enabled: true, mappings: [{ match: { path: "x" } }] });
    expect(config.automation).toBeUndefined();
    expect(legacy.map((use) => [use.path, use.canonical])).toEqual([["automation.webhooks", "hooks"]]);
  });

  it("`automation.webhooks: true` enables hooks", () => {
    expect(normalizeConfigAliases({ automation: { webhooks: true } }).config.hooks).toEqual({
      enabled: true,
    });
  });
});
