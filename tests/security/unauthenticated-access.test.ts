import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { handshake, RawPeer, type Started, startGateway, TOKEN } from "./helpers.js";

// OpenClaw advisory classes on the gateway's control plane: config.apply reachable without
// authentication (CVE-2026-25593), a credential in the URL, the gateway token leaking to a
// read-only client through config.get or logs.tail (#50614).

let gw: Started | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

describe("the control plane needs the right credential", () => {
  it("config.apply before connect is refused and the config is unchanged", async () => {
    gw = await startGateway();
    const before = await readFile(gw.configPath, "utf8");
    const peer = new RawPeer(gw.address.url);
    await peer.event("connect.challenge");
    const res = await peer.request("config.apply", { raw: '{"gateway":{"auth":{"mode":"none"}}}' });
    expect(res.ok).toBe(false);
    expect(res.error?.message).toMatch(/first request must be connect/);
    expect((await peer.closed).code).toBe(1008);
    expect(await readFile(gw.configPath, "utf8")).toBe(before);
  });

  it("a read or write client cannot apply or patch the config", async () => {
    gw = await startGateway();
    const before = await readFile(gw.configPath, "utf8");
    const { peer } = await handshake(gw.address.url, { scopes: ["operator.read", "operator.write"] });
    const apply = await peer.request("config.apply", { raw: '{"gateway":{"auth":{"mode":"none"}}}' });
    expect(apply.error).toMatchObject({ details: { code: "MISSING_SCOPE", missingScope: "operator.admin" } });
    const patch = await peer.request("config.patch", { patch: { gateway: { auth: { mode: "none" } } } });
    expect(patch.error?.details?.code).toBe("MISSING_SCOPE");
    expect(await readFile(gw.configPath, "utf8")).toBe(before);
    peer.close();
  });

  it("a token in the WebSocket URL is not a credential", async () => {
    gw = await startGateway();
    const peer = new RawPeer(`${gw.address.url}/?token=${TOKEN}`);
    await peer.event("connect.challenge");
    const res = await peer.request("connect", {
      minProtocol: 3,
      maxProtocol: 4,
      client: { id: "test", version: "1.0.0", platform: "linux", mode: "test" },
    });
    expect(res.ok).toBe(false);
    expect((await peer.closed).code).toBe(1008);
  });

  it("a read-only client sees the gateway token neither in config.get nor in logs.tail", async () => {
    gw = await startGateway({});
    // the generated token, as written into the (JSON5) config file
    const token = /token["']?\s*:\s*["']([^"']+)["']/.exec(await readFile(gw.configPath, "utf8"))?.[1] ?? "";
    expect(token).toBeTruthy();
    const { peer, res } = await handshake(gw.address.url, { scopes: ["operator.read"], auth: { token } });
    expect(res.ok).toBe(true);
    const got = await peer.request("config.get");
    expect(got.ok).toBe(true);
    expect(JSON.stringify(got.payload)).not.toContain(token);
    const logs = await peer.request("logs.tail", { limit: 500 });
    expect(logs.ok).toBe(true);
    expect(logs.payload.lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(logs.payload)).not.toContain(token);
    peer.close();
  });
});
