import { afterEach, describe, expect, it } from "vitest";
import { PRESENCE_COALESCE_MS } from "../../packages/gateway/src/connections.js";
import { type Frame, handshake, type RawPeer, type Started, startGateway } from "./helpers.js";

// Issue 12, point 10: N simultaneous logins must not cost O(N²) presence events. Presence changes
// are coalesced: each open client gets at most one presence event per coalescing window, carrying
// the whole current list (what OpenClaw clients read). The 200-handshake time is a figure in
// `pnpm bench gateway`.

let gw: Started | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

const N = 60;

function presenceEvents(peer: RawPeer): Frame[] {
  return peer.frames.filter((frame) => frame.type === "event" && frame.event === "presence");
}

/** Wait until `peer` has seen a presence event listing `entries` entries (the gateway's own included). */
async function presenceWith(peer: RawPeer, entries: number): Promise<void> {
  for (;;) {
    const seen = presenceEvents(peer).some((frame) => frame.payload.presence.length === entries);
    if (seen) return;
    await new Promise<void>((resolve) => peer.ws.once("message", () => resolve()));
  }
}

describe("presence under a login storm", () => {
  it(`${N} logins send O(N) presence events, and every client still learns the final list`, async () => {
    gw = await startGateway();
    const url = gw.address.url;
    const started = Date.now();
    const peers: RawPeer[] = [];
    // 25 at a time: the per-address cap on unauthenticated sockets is 32
    for (let wave = 0; wave < N; wave += 25) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(25, N - wave) }, () => handshake(url, { scopes: ["operator.read"] })),
      );
      for (const { peer, res } of batch) {
        expect(res.ok).toBe(true);
        peers.push(peer);
      }
    }
    // hello-ok's snapshot is current; the coalesced event then brings everyone to N + 1 entries
    await Promise.all(peers.map((peer) => presenceWith(peer, N + 1)));
    const elapsed = Date.now() - started;
    const total = peers.reduce((sum, peer) => sum + presenceEvents(peer).length, 0);
    // one event per client per window at most (+1 for a window cut in two)
    const windows = Math.ceil(elapsed / PRESENCE_COALESCE_MS) + 1;
    expect(total).toBeLessThanOrEqual(N * windows);
    expect(total).toBeLessThan((N * (N - 1)) / 2);

    // leaving is coalesced the same way and still reported
    for (const peer of peers.splice(0, 10)) peer.close();
    await Promise.all(peers.map((peer) => presenceWith(peer, N - 10 + 1)));
    for (const peer of peers) peer.close();
  });
});
