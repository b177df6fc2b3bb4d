import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handshake, RawPeer, type Started, startGateway } from "./helpers.js";

let gw: Started;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw.stop();
});

/** A deterministic PRNG so a failure can be replayed. */
function rng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function hostileFrame(random: () => number): string | Buffer {
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const junk = () =>
    pick<unknown>([
      null,
      1,
      -1,
      1e308,
      "",
      "x".repeat(Math.floor(random() * 300)),
      [],
      {},
      true,
      { __proto__: { x: 1 } },
    ]);
  switch (Math.floor(random() * 12)) {
    case 0:
      return randomBytes(Math.floor(random() * 200));
    case 1:
      return "{".repeat(Math.floor(random() * 5000));
    case 2:
      return JSON.stringify({ type: "req", id: junk(), method: junk(), params: junk() });
    case 3:
      return JSON.stringify({
        type: "req",
        id: "x",
        method: pick([
          "health",
          "config.set",
          "chat.send",
          "logs.tail",
          "device.pair.approve",
          "sessions.patch",
        ]),
        params: junk(),
      });
    case 4:
      return JSON.stringify({ type: pick(["res", "event", "nope", 7]), id: "1", ok: true, event: "tick" });
    case 5:
      return JSON.stringify({
        type: "req",
        id: "c",
        method: "connect",
        params: { minProtocol: junk(), client: junk() },
      });
    case 6:
      return `{"type":"req","id":"${"a".repeat(1000)}","method":"health","extra":1}`;
    case 7:
      return JSON.stringify([1, 2, 3]);
    case 8:
      return "\u0000\uffff\ud800";
    case 9:
      return JSON.stringify({
        type: "req",
        id: "p",
        method: "__proto__",
        params: { constructor: { prototype: { polluted: true } } },
      });
    case 10:
      return JSON.stringify({
        type: "req",
        id: "big",
        method: "chat.history",
        params: { sessionKey: "s".repeat(600) },
      });
    default:
      return JSON.stringify({
        type: "req",
        id: "n",
        method: "logs.tail",
        params: { cursor: -1, limit: 1e9 },
      });
  }
}

describe("fuzz", () => {
  it("1,000 malformed or hostile frames leave the server up and other clients unaffected", async () => {
    const random = rng(42);
    const bystander = (await handshake(gw.address.url)).peer;
    const authed = (await handshake(gw.address.url)).peer;
    let sent = 0;
    let reconnects = 0;
    let preconnect: RawPeer | undefined;
    while (sent < 1000) {
      const frame = hostileFrame(random);
      if (sent % 2 === 0) {
        // half go to an authenticated socket, half to fresh pre-connect sockets
        if (authed.ws.readyState === authed.ws.OPEN) authed.sendRaw(frame);
      } else {
        if (!preconnect || preconnect.ws.readyState !== preconnect.ws.OPEN) {
          preconnect = new RawPeer(gw.address.url);
          await preconnect.opened;
          reconnects++;
        }
        preconnect.sendRaw(frame);
      }
      sent++;
      if (sent % 50 === 0) {
        const health = await bystander.request("health");
        expect(health.ok).toBe(true);
      }
    }
    expect({} as Record<string, unknown>).not.toHaveProperty("polluted");
    const health = await bystander.request("status");
    expect(health.ok).toBe(true);
    const fresh = await handshake(gw.address.url);
    expect(fresh.res.ok).toBe(true);
    expect(reconnects).toBeGreaterThan(1);
    fresh.peer.close();
    bystander.close();
    authed.close();
    preconnect?.close();
  });

  it("answers a post-handshake frame with an id but a bad shape with INVALID_REQUEST", async () => {
    const { peer } = await handshake(gw.address.url);
    peer.sendRaw(JSON.stringify({ type: "req", id: "z", method: "health", extra: true }));
    const res = await peer.next((frame) => frame.id === "z");
    expect(res.error?.code).toBe("INVALID_REQUEST");
    expect(res.error?.details?.code).toBe("FRAME_INVALID");
    peer.close();
  });
});
