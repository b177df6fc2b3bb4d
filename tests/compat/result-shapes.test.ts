import { writeFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import {
  handshake,
  type Started,
  startGateway,
  TOKEN,
} from "../../packages/gateway/src/__tests__/helpers.js";

// Result shapes OpenClaw's clients read (issue: real clients), on a gateway with the in-memory
// assistant: hello-ok's sessionDefaults from the config, status.sessions.byAgent, and config.get's
// raw text for a read-only caller (secrets replaced by OpenClaw's marker, comments kept).
let gw: Started | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

describe("result shapes", () => {
  it("hello-ok sessionDefaults come from session.mainKey / session.scope and the default agent", async () => {
    gw = await startGateway({
      gateway: { auth: { mode: "token", token: TOKEN } },
      session: { mainKey: "home", scope: "global" },
      agents: { list: [{ id: "work" }, { id: "ops", default: true }] },
    });
    const { peer, res } = await handshake(gw.address.url, {});
    expect(res.payload.snapshot.sessionDefaults).toEqual({
      defaultAgentId: "ops",
      mainKey: "home",
      mainSessionKey: "agent:ops:home",
      scope: "global",
    });
    expect(res.payload.features.capabilities).toContain("published-model-catalog");
    expect(res.payload.auth.method).toBe("token");
    expect(res.payload.server.bootId).toMatch(/^[0-9a-f-]{36}$/);
    const status = await peer.request("status", { includeCliProjection: true });
    expect(status.payload.sessions.byAgent[0]).toMatchObject({ agentId: "ops", count: expect.any(Number) });
    expect(status.payload.cliProjection.agents.defaultId).toBe("ops");
    peer.close();
  });

  it("config.get for operator.read: the raw text with secrets as __OPENCLAW_REDACTED__, comments kept", async () => {
    gw = await startGateway();
    await writeFile(
      gw.configPath,
      `// my gateway\n{\n  gateway: { auth: { mode: "token", token: "${TOKEN}" } },\n  models: { providers: { x: { apiKey: 'sk-secret-value-1234' } } },\n}\n`,
    );
    const { peer, res } = await handshake(gw.address.url, { scopes: ["operator.read"] });
    expect(res.ok).toBe(true);
    await expect
      .poll(async () => (await peer.request("config.get")).payload.raw as string, { timeout: 10_000 })
      .toContain("// my gateway");
    const got = (await peer.request("config.get")).payload;
    expect(got.raw).toContain('token: "__OPENCLAW_REDACTED__"');
    expect(got.raw).toContain('apiKey: "__OPENCLAW_REDACTED__"');
    expect(JSON.stringify(got)).not.toContain(TOKEN);
    expect(JSON.stringify(got)).not.toContain("sk-secret-value-1234");
    peer.close();
  });
});
