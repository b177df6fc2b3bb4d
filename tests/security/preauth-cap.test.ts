import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_MAX_PREAUTH_TOTAL } from "../../packages/gateway/src/preauth.js";
import { handshake, RawPeer, type Started, startGateway } from "./helpers.js";

// Issue 12, point 11: besides the per-address cap (32), the gateway caps unauthenticated sockets
// from all addresses together, refuses beyond it with HTTP 503, and says both caps in its log.

let gw: Started | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

describe("unauthenticated sockets", () => {
  it(`accepts at most ${DEFAULT_MAX_PREAUTH_TOTAL} in total from many addresses (default), then answers 503`, async () => {
    gw = await startGateway();
    const url = gw.address.url;
    const peers: RawPeer[] = [];
    // 16 per source address (under the per-address cap of 32), spread over 127.0.0.100+
    for (let index = 0; index < DEFAULT_MAX_PREAUTH_TOTAL; index++)
      peers.push(new RawPeer(url, {}, { localAddress: `127.0.0.${100 + Math.floor(index / 16)}` }));
    await Promise.all(peers.map((peer) => peer.event("connect.challenge", 15_000)));
    const extra = new RawPeer(url, {}, { localAddress: "127.0.0.250" });
    await expect(extra.opened).rejects.toThrow(/503/);

    // an authenticated client is not affected once a slot frees up
    peers[0]!.close();
    await peers[0]!.closed;
    const ok = await handshake(url);
    expect(ok.res.ok).toBe(true);
    ok.peer.close();
    for (const peer of peers) peer.close();
    await Promise.all(peers.map((peer) => peer.closed));

    const log = await readFile(gw.logFile, "utf8");
    expect(log).toMatch(/"perAddress":32,"total":256/);
    expect(log).toContain("too many unauthenticated sockets in total");
  });

  it("the total cap is configurable", async () => {
    gw = await startGateway(undefined, { maxUnauthenticated: 3 });
    const peers = [1, 2, 3].map((n) => new RawPeer(gw!.address.url, {}, { localAddress: `127.0.0.${n}` }));
    await Promise.all(peers.map((peer) => peer.event("connect.challenge")));
    const extra = new RawPeer(gw.address.url, {}, { localAddress: "127.0.0.4" });
    await expect(extra.opened).rejects.toThrow(/503/);
    for (const peer of peers) peer.close();
  });
});
