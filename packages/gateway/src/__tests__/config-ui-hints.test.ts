import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Started, startGateway } from "./helpers.js";

// config.schema's uiHints: what the Control UI's generated form needs beyond the JSON Schema.
let gw: Started;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw.stop();
});

describe("config.schema uiHints", () => {
  it("labels the main sections and flags every secret-looking key as sensitive", async () => {
    const { schema, uiHints } = (await gw.gateway.call("config.schema", {})) as {
      schema: { properties: Record<string, unknown> };
      uiHints: Record<string, { label?: string; sensitive?: boolean; help?: string }>;
    };
    expect(Object.keys(schema.properties)).toContain("gateway");
    expect(uiHints.gateway?.label).toBe("Gateway");
    expect(uiHints["gateway.auth.token"]).toMatchObject({ sensitive: true });
    expect(uiHints["gateway.auth.password"]).toMatchObject({ sensitive: true });
    // map entries (a channel id, a provider id) are matched by `*`
    expect(uiHints["models.providers.*.apiKey"]).toMatchObject({ sensitive: true });
    expect(uiHints["channels.*.botToken"]).toMatchObject({ sensitive: true });
    expect(uiHints["gateway.port"]?.sensitive).toBeUndefined();
  });
});
