// The WebSocket side (ws, the protocol schemas, the method handlers) loads with the first
// upgrade. These tests cover what happens around that load; the first one must stay first in
// this file, so that its gateway really waits for a cold import while the sockets arrive.
import { afterEach, describe, expect, it } from "vitest";
import { authorizeRequest } from "../index.js";
import { handshake, RawPeer, type Started, startGateway } from "./helpers.js";

let gw: Started | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

describe("the first WebSocket clients", () => {
  it("sockets that arrive while the WebSocket side loads count toward the unauthenticated limit", async () => {
    gw = await startGateway(undefined, { maxUnauthenticatedPerAddress: 2 });
    const peers = Array.from({ length: 3 }, () => new RawPeer(gw!.address.url));
    const outcomes = await Promise.allSettled(peers.map((peer) => peer.opened));
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(2);
    const refused = outcomes.filter((outcome) => outcome.status === "rejected");
    expect(refused.map((outcome) => String((outcome as PromiseRejectedResult).reason))).toEqual([
      "Error: HTTP 503",
    ]);
    expect(gw.gateway.connectionCount()).toBe(2);
    for (const peer of peers) peer.close();
  });

  it("before any client, broadcast is a no-op and a config change closes nothing", async () => {
    gw = await startGateway();
    gw.gateway.broadcast("tick", { ts: 1 });
    expect(gw.gateway.connectionCount()).toBe(0);
    const { peer, res } = await handshake(gw.address.url);
    expect(res.ok).toBe(true);
    expect(res.payload.features.methods).toEqual(
      expect.arrayContaining(["health", "chat.send", "config.get"]),
    );
    const tick = peer.event("tick");
    gw.gateway.broadcast("tick", { ts: 2 });
    expect((await tick).payload).toEqual({ ts: 2 });
    peer.close();
  });
});

describe("authorizeRequest (async: it loads the protocol schemas)", () => {
  it("passes a known method with its scope and valid params", async () => {
    const checked = await authorizeRequest("sessions.list", {}, ["operator.read"]);
    expect(checked.ok).toBe(true);
  });

  it("rejects an unknown method, a missing scope and invalid params with the wire error", async () => {
    const unknown = await authorizeRequest("no.such.method", {}, ["operator.admin"]);
    expect(unknown.ok ? undefined : unknown.error.code).toBe("INVALID_REQUEST");
    const scope = await authorizeRequest("config.apply", { raw: "{}" }, ["operator.read"]);
    expect(scope.ok ? undefined : scope.error.message).toMatch(/missing scope: operator.admin/);
    const params = await authorizeRequest("sessions.list", { limit: "x" }, ["operator.read"]);
    expect(params.ok ? undefined : params.error.message).toMatch(/invalid sessions.list params/);
  });
});
