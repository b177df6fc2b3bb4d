import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientAddress } from "../../packages/gateway/src/net.js";
import { createDevice, type Frame, RawPeer, type Started, startGateway, TOKEN } from "./helpers.js";

// A reverse proxy on the gateway's own machine (`openclaw gateway --tailscale serve`, nginx, Caddy)
// connects from 127.0.0.1 on behalf of someone else. Loopback trust — device auto-approval, the
// loopback Origin rule, /ready and /metrics details without auth, the rate limiter's loopback
// exemption — must not
// extend to them: a loopback peer carrying proxy headers is treated as remote.

let gw: Started;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw.stop();
});

const PROXY = { "X-Forwarded-For": "100.101.102.103", "Tailscale-User-Login": "someone@example.org" };

async function connectAs(
  headers: Record<string, string>,
  options: { device?: boolean; origin?: string } = {},
) {
  const peer = new RawPeer(gw.address.url, {
    ...headers,
    ...(options.origin ? { Origin: options.origin } : {}),
  });
  const challenge = await peer.event("connect.challenge");
  const device = createDevice();
  const scopes = ["operator.read"];
  const res: Frame = await peer.request("connect", {
    minProtocol: 3,
    maxProtocol: 4,
    client: { id: "test", version: "1", platform: "linux", mode: "test" },
    role: "operator",
    scopes,
    auth: { token: TOKEN },
    ...(options.device
      ? { device: device.proof(challenge.payload.nonce as string, { scopes, token: TOKEN }) }
      : {}),
  });
  peer.close();
  return res;
}

describe("a loopback peer relaying for someone else is not local", () => {
  it("a new device through the proxy needs an approval; the same from loopback itself is auto-approved", async () => {
    const direct = await connectAs({}, { device: true });
    expect(direct.ok).toBe(true);
    expect(direct.payload.auth.deviceToken).toEqual(expect.any(String));
    const relayed = await connectAs(PROXY, { device: true });
    expect(relayed.ok).toBe(false);
    expect(relayed.error?.details?.code).toBe("PAIRING_REQUIRED");
    expect(relayed.error?.message).toContain("openclaw devices approve");
  });

  it("the loopback Origin rule does not admit a browser behind the proxy", async () => {
    expect((await connectAs({}, { origin: "http://127.0.0.1:18789" })).ok).toBe(true);
    for (const origin of ["https://box.tail1234.ts.net", "http://127.0.0.1:18789"]) {
      const res = await connectAs(PROXY, { origin });
      expect(res.ok, origin).toBe(false);
      expect(res.error?.details?.code, origin).toBe("CONTROL_UI_ORIGIN_NOT_ALLOWED");
    }
  });

  it("/ready shows its details to loopback itself, not through the proxy without the token", async () => {
    const direct = await (await fetch(`${gw.address.httpUrl}ready`)).json();
    expect(direct.uptimeMs).toEqual(expect.any(Number));
    const relayed = await (
      await fetch(`${gw.address.httpUrl}ready`, { headers: { "X-Forwarded-For": "203.0.113.9" } })
    ).json();
    expect(relayed).not.toHaveProperty("uptimeMs");
    const authorized = await (
      await fetch(`${gw.address.httpUrl}ready`, {
        headers: { "X-Real-IP": "203.0.113.9", Authorization: `Bearer ${TOKEN}` },
      })
    ).json();
    expect(authorized.uptimeMs).toEqual(expect.any(Number));
  });

  it("the forwarded-for value is never taken as the client's address", () => {
    expect(clientAddress("127.0.0.1", { "x-forwarded-for": "127.0.0.1" })).toBe("proxied");
    expect(clientAddress("::ffff:127.0.0.1", { forwarded: "for=10.0.0.1" })).toBe("proxied");
    expect(clientAddress("127.0.0.1", {})).toBe("127.0.0.1");
    // a remote peer keeps its own address whatever it claims
    expect(clientAddress("198.51.100.7", { "x-forwarded-for": "127.0.0.1" })).toBe("198.51.100.7");
  });
});
