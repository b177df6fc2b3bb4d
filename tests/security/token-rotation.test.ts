import { afterEach, describe, expect, it } from "vitest";
import {
  connectWithDeviceToken,
  createDevice,
  handshake,
  pairDevice,
  type Started,
  startGateway,
} from "./helpers.js";

// Issue 12, point 3 (and the "stale auth after rotation" class): rotating the token a socket
// authenticated with answers first, then closes that socket; the old token stops working at once.

let gw: Started | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

describe("rotating your own device token", () => {
  it("delivers the new token, then closes the socket with 1008; the new token works, the old does not", async () => {
    gw = await startGateway();
    const url = gw.address.url;
    const device = createDevice();
    const oldToken = await pairDevice(url, device, ["operator.pairing"]);
    const { peer, res } = await connectWithDeviceToken(url, oldToken, ["operator.pairing"]);
    expect(res.ok).toBe(true);

    const rotated = await peer.request("device.token.rotate", { deviceId: device.id, role: "operator" });
    expect(rotated.ok).toBe(true);
    const newToken = rotated.payload.token as string;
    expect(newToken).toBeTruthy();
    expect(newToken).not.toBe(oldToken);
    expect(rotated.payload.scopes).toEqual(["operator.pairing"]);
    const closed = await peer.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/rotated or revoked/);

    const stale = await connectWithDeviceToken(url, oldToken, ["operator.pairing"]);
    expect(stale.res.error?.details?.code).toBe("AUTH_DEVICE_TOKEN_MISMATCH");
    const fresh = await connectWithDeviceToken(url, newToken, ["operator.pairing"]);
    expect(fresh.res.ok).toBe(true);
    fresh.peer.close();
  });

  it("another socket on the old token is closed with 1008", async () => {
    gw = await startGateway();
    const url = gw.address.url;
    const device = createDevice();
    const oldToken = await pairDevice(url, device, ["operator.read"]);
    const other = await connectWithDeviceToken(url, oldToken, ["operator.read"]);
    const admin = (await handshake(url)).peer;
    const rotated = await admin.request("device.token.rotate", { deviceId: device.id, role: "operator" });
    expect(rotated.ok).toBe(true);
    expect((await other.peer.closed).code).toBe(1008);
    admin.close();
  });
});
