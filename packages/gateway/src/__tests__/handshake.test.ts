import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  connectParams,
  createDevice,
  handshake,
  RawPeer,
  type Started,
  startGateway,
  TOKEN,
} from "./helpers.js";

let gw: Started;
beforeEach(async () => {
  gw = await startGateway();
});
afterEach(async () => {
  await gw.stop();
});

describe("handshake", () => {
  it("sends connect.challenge first, then hello-ok with features, snapshot and policy (protocol 4)", async () => {
    const { peer, res, nonce } = await handshake(gw.address.url, { minProtocol: 4, maxProtocol: 4 });
    expect(nonce).toMatch(/[0-9a-f-]{36}/);
    expect(res.ok).toBe(true);
    expect(res.payload.type).toBe("hello-ok");
    expect(res.payload.protocol).toBe(4);
    expect(res.payload.features.methods).toContain("health");
    expect(res.payload.features.events).toContain("tick");
    expect(res.payload.snapshot.presence[0].mode).toBe("gateway");
    expect(res.payload.snapshot.authMode).toBe("token");
    expect(res.payload.policy).toEqual({
      maxPayload: 26214400,
      maxBufferedBytes: 52428800,
      tickIntervalMs: 30000,
    });
    expect(res.payload.auth.scopes).toContain("operator.admin");
    peer.close();
  });

  it("negotiates protocol 3 for a v3-only client", async () => {
    const { peer, res } = await handshake(gw.address.url, { minProtocol: 3, maxProtocol: 3 });
    expect(res.payload.protocol).toBe(3);
    peer.close();
  });

  it("refuses an unsupported protocol range with PROTOCOL_MISMATCH and close 1002", async () => {
    const { peer, res } = await handshake(gw.address.url, { minProtocol: 99, maxProtocol: 99 });
    expect(res.error).toMatchObject({
      code: "INVALID_REQUEST",
      message: "protocol mismatch",
      details: { code: "PROTOCOL_MISMATCH", expectedProtocol: 4, minimumProbeProtocol: 3 },
    });
    expect(await peer.closed).toEqual({ code: 1002, reason: "protocol mismatch" });
  });

  it("closes 1008 when the first request is not connect", async () => {
    const peer = new RawPeer(gw.address.url);
    await peer.event("connect.challenge");
    const res = await peer.request("health");
    expect(res.error).toEqual({
      code: "INVALID_REQUEST",
      message: "invalid handshake: first request must be connect",
    });
    expect(await peer.closed).toEqual({
      code: 1008,
      reason: "invalid handshake: first request must be connect",
    });
  });

  it("closes on a non-JSON first frame, as OpenClaw does", async () => {
    const peer = new RawPeer(gw.address.url);
    await peer.event("connect.challenge");
    peer.sendRaw("not json");
    expect((await peer.closed).code).toBe(1000);
  });

  it("closes 1009 when a pre-connect frame exceeds 64 KiB", async () => {
    const peer = new RawPeer(gw.address.url);
    await peer.event("connect.challenge");
    peer.sendRaw(
      JSON.stringify({ type: "req", id: "1", method: "connect", params: { pad: "x".repeat(70 * 1024) } }),
    );
    expect((await peer.closed).code).toBe(1009);
  });

  it("rejects a wrong token with AUTH_TOKEN_MISMATCH and the runbook's `unauthorized` wording", async () => {
    const { peer, res } = await handshake(gw.address.url, { auth: { token: "wrong-token" } });
    expect(res.error?.code).toBe("INVALID_REQUEST");
    expect(res.error?.message).toMatch(/^unauthorized: gateway token mismatch/);
    expect(res.error?.details).toMatchObject({
      code: "AUTH_TOKEN_MISMATCH",
      recommendedNextStep: "update_auth_credentials",
    });
    expect((await peer.closed).code).toBe(1008);
  });

  it("asks for a device identity when neither a token nor a device is presented", async () => {
    const { peer, res } = await handshake(gw.address.url, { auth: undefined });
    expect(res.error).toEqual({
      code: "NOT_PAIRED",
      message: "device identity required",
      details: { code: "DEVICE_IDENTITY_REQUIRED" },
    });
    expect((await peer.closed).code).toBe(1008);
  });

  it("reports AUTH_TOKEN_MISSING for a device without the gateway token", async () => {
    const device = createDevice();
    const { peer, res } = await handshake(gw.address.url, { auth: undefined }, (nonce) =>
      device.proof(nonce),
    );
    expect(res.error?.details?.code).toBe("AUTH_TOKEN_MISSING");
    expect(res.error?.message).toMatch(/^unauthorized: gateway token missing/);
    await peer.closed;
  });

  it("rejects malformed connect params naming the zod path", async () => {
    const { peer, res } = await handshake(gw.address.url, {
      client: { id: "nope", version: "1", platform: "linux", mode: "test" },
    });
    expect(res.error?.code).toBe("INVALID_REQUEST");
    expect(res.error?.message).toMatch(/params\.client\.id/);
    await peer.closed;
  });

  it("narrows the granted scopes to the declared ones, never widens", async () => {
    const { peer, res } = await handshake(gw.address.url, { scopes: ["operator.read", "operator.bogus"] });
    expect(res.payload.auth.scopes).toEqual(["operator.read"]);
    const denied = await peer.request("config.set", { raw: "{}" });
    expect(denied.error).toEqual({
      code: "FORBIDDEN",
      message: "missing scope: operator.admin",
      details: { code: "MISSING_SCOPE", missingScope: "operator.admin", requiredScopes: ["operator.admin"] },
    });
    peer.close();
  });

  it("accepts a signed device (v3 and v2 payloads) on loopback and issues a device token", async () => {
    for (const version of ["v3", "v2"] as const) {
      const device = createDevice();
      const { peer, res } = await handshake(gw.address.url, { scopes: ["operator.read"] }, (nonce) =>
        device.proof(nonce, { scopes: ["operator.read"], token: TOKEN, version }),
      );
      expect(res.ok).toBe(true);
      expect(typeof res.payload.auth.deviceToken).toBe("string");
      peer.close();
      // the device token alone now authenticates this device
      const again = await handshake(
        gw.address.url,
        { scopes: ["operator.read"], auth: { deviceToken: res.payload.auth.deviceToken } },
        (nonce) =>
          device.proof(nonce, { scopes: ["operator.read"], token: res.payload.auth.deviceToken, version }),
      );
      expect(again.res.ok).toBe(true);
      expect(again.res.payload.auth.scopes).toEqual(["operator.read"]);
      again.peer.close();
    }
  });

  it("rejects a bad device signature with DEVICE_AUTH_SIGNATURE_INVALID", async () => {
    const device = createDevice();
    const { peer, res } = await handshake(gw.address.url, {}, (nonce) => ({
      ...device.proof(nonce, { token: TOKEN }),
      signature: device.proof("other", { token: TOKEN }).signature,
    }));
    expect(res.error?.details?.code).toBe("DEVICE_AUTH_SIGNATURE_INVALID");
    await peer.closed;
  });

  it("rejects a device proof for another nonce", async () => {
    const device = createDevice();
    const { peer, res } = await handshake(gw.address.url, {}, () =>
      device.proof("not-the-challenge", { token: TOKEN }),
    );
    expect(res.error?.details?.code).toBe("DEVICE_AUTH_NONCE_MISMATCH");
    await peer.closed;
  });

  it("answers an unknown method as OpenClaw does", async () => {
    const { peer } = await handshake(gw.address.url);
    const res = await peer.request("nosuch.method");
    expect(res.error).toEqual({ code: "INVALID_REQUEST", message: "unknown method: nosuch.method" });
    peer.close();
  });

  it("sends a shutdown event before closing", async () => {
    const { peer } = await handshake(gw.address.url);
    const shutdown = peer.event("shutdown");
    const closing = gw.gateway.close({ reason: "test stop" });
    expect((await shutdown).payload).toEqual({ reason: "test stop" });
    expect((await peer.closed).code).toBe(1001);
    await closing;
  });

  it("sends tick events at the advertised interval", async () => {
    await gw.stop();
    gw = await startGateway(undefined, { tickIntervalMs: 50 });
    const { peer, res } = await handshake(gw.address.url);
    expect(res.payload.policy.tickIntervalMs).toBe(50);
    const tick = await peer.event("tick");
    expect(typeof tick.payload.ts).toBe("number");
    expect(tick.seq).toBeGreaterThan(0);
    peer.close();
  });

  it("closes 1003 on a binary frame, before and after the handshake", async () => {
    const before = new RawPeer(gw.address.url);
    await before.event("connect.challenge");
    before.sendRaw(Buffer.from([1, 2, 3]));
    expect(await before.closed).toEqual({ code: 1003, reason: "binary frames are not supported" });
    const { peer } = await handshake(gw.address.url);
    peer.sendRaw(Buffer.from("{}"));
    expect((await peer.closed).code).toBe(1003);
  });

  it("closes 1009 on a frame over policy.maxPayload after the handshake", async () => {
    const { peer } = await handshake(gw.address.url);
    peer.sendRaw(
      JSON.stringify({
        type: "req",
        id: "big",
        method: "health",
        params: { pad: "x".repeat(26 * 1024 * 1024) },
      }),
    );
    expect((await peer.closed).code).toBe(1009);
    const other = await handshake(gw.address.url);
    expect(other.res.ok).toBe(true);
    other.peer.close();
  });

  it("rejects a stale signedAt with DEVICE_AUTH_SIGNATURE_EXPIRED", async () => {
    const device = createDevice();
    const { peer, res } = await handshake(gw.address.url, {}, (nonce) =>
      device.proof(nonce, { token: TOKEN, signedAt: Date.now() - 60 * 60_000 }),
    );
    expect(res.error?.details?.code).toBe("DEVICE_AUTH_SIGNATURE_EXPIRED");
    await peer.closed;
  });

  it("rejects a device id that is not the hash of its public key", async () => {
    const device = createDevice();
    const { peer, res } = await handshake(gw.address.url, {}, (nonce) => ({
      ...device.proof(nonce, { token: TOKEN }),
      id: "0".repeat(64),
    }));
    expect(res.error?.details?.code).toBe("DEVICE_AUTH_DEVICE_ID_MISMATCH");
    await peer.closed;
  });

  it("answers a second connect after the handshake with an error, keeping the socket", async () => {
    const { peer } = await handshake(gw.address.url);
    const again = await peer.request("connect", connectParams());
    expect(again.error?.code).toBe("INVALID_REQUEST");
    expect((await peer.request("health")).ok).toBe(true);
    peer.close();
  });
});
