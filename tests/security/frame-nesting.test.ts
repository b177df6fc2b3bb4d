import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_FRAME_DEPTH } from "../../packages/gateway/src/frame-limits.js";
import { MAX_PAYLOAD_BYTES } from "../../packages/protocol/src/limits.js";
import { handshake, RawPeer, type Started, startGateway } from "./helpers.js";

// Issue 12, point 9 (the nesting-DoS class): a deeply nested frame is refused before it is parsed,
// for every client whatever its scopes, with a clear error; the connection and the gateway stay
// healthy. (The /health latency while such a frame arrives is a figure in `pnpm bench gateway`.)

let gw: Started;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw.stop();
});

function nested(id: string, levels: number): string {
  return `{"type":"req","id":"${id}","method":"health","params":{"x":${"[".repeat(levels)}${"]".repeat(levels)}}}`;
}

describe("deeply nested frames", () => {
  it("refuses a 10 MB frame nested 5,000,000 levels from an admin client, and keeps serving", async () => {
    const { peer, res } = await handshake(gw.address.url);
    expect(res.payload.auth.scopes).toContain("operator.admin");
    const frame = nested("deep", 5_000_000);
    expect(frame.length).toBeGreaterThan(10_000_000);
    peer.sendRaw(frame);
    const refused = await peer.next((f) => f.type === "res" && f.id === "deep", 15_000);
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatchObject({
      code: "INVALID_REQUEST",
      details: { code: "FRAME_TOO_DEEP", maxDepth: MAX_FRAME_DEPTH },
    });
    expect(refused.error?.message).toMatch(/nested too deeply/);
    // same socket, next request: answered
    expect((await peer.request("health")).ok).toBe(true);
    const http = await fetch(`${gw.address.httpUrl}health`);
    expect(http.status).toBe(200);
    peer.close();
  });

  it("accepts ordinary nesting", async () => {
    const { peer } = await handshake(gw.address.url);
    peer.sendRaw(nested("fine", 20));
    const answer = await peer.next((f) => f.type === "res" && f.id === "fine");
    expect(answer.error?.details?.code).not.toBe("FRAME_TOO_DEEP");
    peer.close();
  });

  it("counts nesting inside strings as text, not depth", async () => {
    const { peer } = await handshake(gw.address.url);
    const text = "[{".repeat(1000);
    peer.sendRaw(`{"type":"req","id":"str","method":"health","params":{"note":"${text}"}}`);
    const answer = await peer.next((f) => f.type === "res" && f.id === "str");
    expect(answer.error?.details?.code).not.toBe("FRAME_TOO_DEEP");
    peer.close();
  });

  it("refuses a deeply nested connect before authentication and closes the socket", async () => {
    const peer = new RawPeer(gw.address.url);
    await peer.event("connect.challenge");
    const levels = 20_000;
    peer.sendRaw(
      `{"type":"req","id":"c","method":"connect","params":{"x":${"[".repeat(levels)}${"]".repeat(levels)}}}`,
    );
    const refused = await peer.next((f) => f.type === "res" && f.id === "c");
    expect(refused.error?.details?.code).toBe("FRAME_TOO_DEEP");
    expect((await peer.closed).code).toBe(1008);
  });

  it("refuses nesting that starts after 1 MB of string, and nesting in a later fragment", async () => {
    const { peer } = await handshake(gw.address.url);
    const padding = "[{".repeat(500_000);
    peer.sendRaw(
      `{"type":"req","id":"padded","method":"health","params":{"pad":"${padding}","x":${"[".repeat(100_000)}`,
    );
    const padded = await peer.next((f) => f.type === "res" && f.id === "padded", 15_000);
    expect(padded.error?.details?.code).toBe("FRAME_TOO_DEEP");
    // one message in three fragments, the excess in the second
    peer.ws.send('{"type":"req","id":"frag","method":"health","params":{', { fin: false });
    peer.ws.send(`"x":${"[".repeat(MAX_FRAME_DEPTH)}`, { fin: false });
    peer.ws.send(`${"]".repeat(MAX_FRAME_DEPTH)}}}`, { fin: true });
    const fragmented = await peer.next((f) => f.type === "res" && f.id === "frag");
    expect(fragmented.error?.details?.code).toBe("FRAME_TOO_DEEP");
    expect((await peer.request("health")).ok).toBe(true);
    peer.close();
  });

  it("still closes on invalid UTF-8 in a text frame (1007) and on a message over the size cap (1009)", async () => {
    const { peer } = await handshake(gw.address.url);
    peer.ws.send(Buffer.from('{"type":"req","id":"bad","method":"health","params":{"x":"\xff"}}', "latin1"), {
      binary: false,
    });
    expect((await peer.closed).code).toBe(1007);
    const { peer: big } = await handshake(gw.address.url);
    big.sendRaw(
      `{"type":"req","id":"big","method":"health","params":{"x":"${"a".repeat(MAX_PAYLOAD_BYTES)}"}}`,
    );
    expect((await big.closed).code).toBe(1009);
  });
});
