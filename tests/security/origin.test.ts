import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLoopbackAddress } from "../../packages/gateway/src/net.js";
import { RawPeer, type Started, startGateway, TOKEN } from "./helpers.js";

// Issue 12, point 4: a browser Origin counts as loopback only when its host parses to an address
// in 127.0.0.0/8, to ::1, or is `localhost` exactly; a prefix match is not enough.

let gw: Started;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw.stop();
});

async function connectWithOrigin(origin: string) {
  const peer = new RawPeer(gw.address.url, { Origin: origin });
  await peer.event("connect.challenge");
  const res = await peer.request("connect", {
    minProtocol: 3,
    maxProtocol: 4,
    client: { id: "openclaw-control-ui", version: "1", platform: "web", mode: "ui" },
    auth: { token: TOKEN },
  });
  peer.close();
  return res;
}

describe("Origin check", () => {
  it.each([
    "http://127.0.0.1.evil.example",
    "http://127.0.0.1.evil.example:18789",
    "http://127.evil.example",
    "http://127.0.0.1@evil.example",
    "http://localhost.evil.example",
    "http://evil-localhost",
    "http://[::1].evil.example",
    "http://0x7f000001.evil.example",
    "null",
    "not a url",
  ])("refuses %s with CONTROL_UI_ORIGIN_NOT_ALLOWED", async (origin) => {
    const res = await connectWithOrigin(origin);
    expect(res.ok).toBe(false);
    expect(res.error?.details?.code).toBe("CONTROL_UI_ORIGIN_NOT_ALLOWED");
    expect(res.error?.message).toContain("gateway.controlUi.allowedOrigins");
  });

  it.each(["http://127.0.0.1:18789", "http://127.1.2.3", "http://localhost:5173", "http://[::1]:18789"])(
    "accepts the loopback origin %s from a loopback client",
    async (origin) => {
      const res = await connectWithOrigin(origin);
      expect(res.ok).toBe(true);
    },
  );
});

describe("isLoopbackAddress", () => {
  it("matches 127.0.0.0/8, ::1 in any spelling, and localhost exactly", () => {
    for (const value of [
      "127.0.0.1",
      "127.255.0.9",
      "::1",
      "0:0:0:0:0:0:0:1",
      "::ffff:127.0.0.1",
      "localhost",
    ])
      expect(isLoopbackAddress(value), value).toBe(true);
    for (const value of [
      "127.0.0.1.evil.example",
      "127.evil",
      "127.0.0",
      "1270.0.0.1",
      "localhost.evil.example",
      "::2",
      "10.0.0.1",
      "",
      undefined,
    ])
      expect(isLoopbackAddress(value), String(value)).toBe(false);
  });
});
