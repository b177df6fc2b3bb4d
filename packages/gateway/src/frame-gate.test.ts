import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { FrameGate, type TooDeep } from "./frame-gate.js";
import { MAX_FRAME_DEPTH } from "./frame-limits.js";

// The gate between a client's socket and ws: ordinary traffic reaches ws byte for byte, a text
// message nested too deeply never does (and is reported once), whatever the packet boundaries.

const TEXT = 0x1;
const BINARY = 0x2;
const CONTINUATION = 0x0;
const PING = 0x9;

/** One client frame (masked, as clients send them) per RFC 6455 §5.2. */
function frame(
  opcode: number,
  payload: string | Buffer,
  options: { fin?: boolean; masked?: boolean } = {},
): Buffer {
  const data = typeof payload === "string" ? Buffer.from(payload) : payload;
  const fin = options.fin ?? true;
  const masked = options.masked ?? true;
  const first = (fin ? 0x80 : 0) | opcode;
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (data.length < 126) header = Buffer.from([first, maskBit | data.length]);
  else if (data.length < 65_536) {
    header = Buffer.from([first, maskBit | 126, 0, 0]);
    header.writeUInt16BE(data.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeUInt32BE(Math.floor(data.length / 2 ** 32), 2);
    header.writeUInt32BE(data.length % 2 ** 32, 6);
  }
  if (!masked) return Buffer.concat([header, data]);
  const mask = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  return Buffer.concat([header, mask, data.map((byte, index) => byte ^ mask[index & 3]!)]);
}

const nested = (id: string, levels: number, padding = "") =>
  `{"type":"req","id":"${id}","method":"health","params":{"pad":"${padding}","x":${"[".repeat(levels)}${"]".repeat(levels)}}}`;

/** Feeds `bytes` to a gate in pieces of `piece` bytes; returns what ws would read and the refusals. */
async function through(
  bytes: Buffer,
  piece = bytes.length,
  maxPayload = 1 << 25,
): Promise<{ passed: Buffer; refused: TooDeep[] }> {
  const gate = new FrameGate(new PassThrough(), { maxPayload });
  const passed: Buffer[] = [];
  const refused: TooDeep[] = [];
  gate.on("data", (chunk: Buffer) => passed.push(Buffer.from(chunk)));
  gate.onTooDeep((entry) => refused.push(entry));
  for (let start = 0; start < bytes.length; start += piece)
    gate.receive(bytes.subarray(start, start + piece));
  // a readable stream starts flowing on the next tick
  await new Promise((resolve) => setImmediate(resolve));
  return { passed: Buffer.concat(passed), refused };
}

const pieces = [1, 3, 7, 64, 1 << 20];

describe("frame gate", () => {
  it("hands ordinary frames to ws unchanged, whatever the packet boundaries", async () => {
    const traffic = Buffer.concat([
      frame(TEXT, nested("a", MAX_FRAME_DEPTH - 2)),
      frame(BINARY, Buffer.from([0, 1, 2, 255])),
      frame(TEXT, `{"note":"${"x".repeat(70_000)}"}`),
      frame(TEXT, ""),
      frame(TEXT, '{"id":"é ✓ 🦞"}'),
    ]);
    for (const piece of pieces) {
      const { passed, refused } = await through(traffic, piece);
      expect(refused).toEqual([]);
      expect(passed.equals(traffic)).toBe(true);
    }
  });

  it("holds a fragmented message until its last frame; control frames between pass at once", async () => {
    const ping = frame(PING, "ping");
    const parts = [
      frame(TEXT, '{"type":"req",', { fin: false }),
      frame(CONTINUATION, "", { fin: false }),
      frame(CONTINUATION, '"id":"b","method":"health"}'),
    ];
    const traffic = Buffer.concat([parts[0]!, ping, parts[1]!, parts[2]!]);
    for (const piece of pieces) {
      const { passed, refused } = await through(traffic, piece);
      expect(refused).toEqual([]);
      // the empty fragment carries nothing and is left out
      expect(passed.equals(Buffer.concat([ping, parts[0]!, parts[2]!]))).toBe(true);
    }
  });

  it("drops a message nested beyond the bound, reports its id once, and passes what follows", async () => {
    const deep = frame(TEXT, nested("deep", 100_000));
    const after = frame(TEXT, '{"type":"req","id":"next","method":"health"}');
    for (const piece of pieces) {
      const { passed, refused } = await through(Buffer.concat([deep, after]), piece);
      expect(refused).toEqual([{ id: "deep", declaredBytes: deep.length - 14 }]);
      expect(passed.equals(after)).toBe(true);
    }
  });

  it("finds nesting after a long string and in a later fragment; keeps the control frames between", async () => {
    const ping = frame(PING, "still there?");
    const traffic = Buffer.concat([
      frame(TEXT, `{"type":"req","id":"frag","method":"health","params":{"pad":"${"[{".repeat(40_000)}",`, {
        fin: false,
      }),
      ping,
      frame(CONTINUATION, `"x":${"[".repeat(MAX_FRAME_DEPTH)}`, { fin: false }),
      frame(CONTINUATION, `${"]".repeat(MAX_FRAME_DEPTH)}}}`),
      frame(TEXT, "{}"),
    ]);
    for (const piece of pieces) {
      const { passed, refused } = await through(traffic, piece);
      expect(refused.map((entry) => entry.id)).toEqual(["frag"]);
      expect(passed.equals(Buffer.concat([ping, frame(TEXT, "{}")]))).toBe(true);
    }
  });

  it("counts brackets inside strings (escaped quotes included) as text", async () => {
    const text = `{"id":"s","note":"\\"${"[".repeat(200)}\\\\","x":[[1]]}`;
    const traffic = frame(TEXT, text);
    for (const piece of pieces) {
      const { passed, refused } = await through(traffic, piece);
      expect(refused).toEqual([]);
      expect(passed.equals(traffic)).toBe(true);
    }
  });

  it("refuses without an id when none precedes the excess", async () => {
    const { passed, refused } = await through(frame(TEXT, `[${nested("late", 70)}]`));
    expect(refused).toEqual([{ declaredBytes: expect.any(Number) }]);
    expect(passed.length).toBe(0);
  });

  it("leaves to ws what ws refuses itself: an oversize message, an unmasked frame", async () => {
    const oversize = Buffer.concat([frame(TEXT, nested("big", 1000)), frame(TEXT, "{}")]);
    const big = await through(oversize, 64, 1000);
    expect(big.refused).toEqual([]);
    expect(big.passed.equals(oversize)).toBe(true);
    const unmasked = Buffer.concat([frame(TEXT, nested("raw", 1000), { masked: false }), frame(TEXT, "{}")]);
    const raw = await through(unmasked, 5);
    expect(raw.refused).toEqual([]);
    expect(raw.passed.equals(unmasked)).toBe(true);
  });

  it("shows what waits behind a socket that is not read (ws's bufferedAmount)", async () => {
    let peer: Socket | undefined;
    const server = createServer((socket) => {
      peer = socket;
      socket.pause(); // never reads
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as { port: number };
    const socket = connect(port, "127.0.0.1");
    await once(socket, "connect");
    const gate = new FrameGate(socket, { maxPayload: 1 << 25 });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let written = 0;
    // the kernel buffers take a few MB; past them the gate holds what ws writes
    while (gate.write(chunk) && written < 256 * 1024 * 1024) written += chunk.length;
    expect(gate.writableLength).toBeGreaterThan(0);
    expect(gate.writableNeedDrain).toBe(true);
    gate.destroy();
    peer?.destroy();
    server.close();
  });
});
