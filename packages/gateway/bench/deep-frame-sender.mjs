// Child process of gateway.bench.ts: connects to the gateway at argv[2] with the token argv[3],
// builds one 10 MB frame nested 5,000,000 levels deep, masked as a client frame, prints "ready",
// and on the line "go" writes it and a `health` request after it; prints "answered" when the
// gateway's reply to the deep frame arrives and "done" when the request after it is answered (the
// gateway has then read all 10 MB).
// A bare WebSocket client on a TCP socket: the frame is encoded and masked before the timing
// starts, so what runs during it is the kernel copying 10 MB to the gateway (with ws, encoding
// and masking 10 MB at send time competed for the same two cores as the gateway and the poller).
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { createInterface } from "node:readline";
import { connectFrame } from "./connect-frame.mjs";

const [port, token] = process.argv.slice(2);
const levels = 5_000_000;

/** One masked client frame (RFC 6455 §5.2): FIN, text. */
function clientFrame(text) {
  const payload = Buffer.from(text);
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x81, 0x80 | length])
      : length < 65_536
        ? Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0x81, 0x80 | 127]), bigEndian64(length)]);
  const mask = randomBytes(4);
  for (let index = 0; index < length; index++) payload[index] ^= mask[index & 3];
  return Buffer.concat([header, mask, payload]);
}

function bigEndian64(value) {
  const bytes = Buffer.alloc(8);
  bytes.writeUInt32BE(Math.floor(value / 2 ** 32), 0);
  bytes.writeUInt32BE(value % 2 ** 32, 4);
  return bytes;
}

const socket = connect(Number(port), "127.0.0.1");
socket.on("error", (error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
socket.write(
  `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
);

let buffered = Buffer.alloc(0);
let upgraded = false;
let deep;
socket.on("data", (chunk) => {
  buffered = Buffer.concat([buffered, chunk]);
  if (!upgraded) {
    const end = buffered.indexOf("\r\n\r\n");
    if (end < 0) return;
    if (!buffered.subarray(0, 12).toString().includes("101")) throw new Error("upgrade refused");
    upgraded = true;
    buffered = buffered.subarray(end + 4);
  }
  // server frames: unmasked, one frame per message
  for (;;) {
    if (buffered.length < 2) return;
    let length = buffered[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (buffered.length < 4) return;
      length = buffered.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (buffered.length < 10) return;
      length = buffered.readUInt32BE(2) * 2 ** 32 + buffered.readUInt32BE(6);
      offset = 10;
    }
    if (buffered.length < offset + length) return;
    const opcode = buffered[0] & 0x0f;
    const payload = buffered.subarray(offset, offset + length);
    buffered = buffered.subarray(offset + length);
    if (opcode === 0x1) onMessage(JSON.parse(payload.toString()));
  }
});

function onMessage(message) {
  if (message.event === "connect.challenge") socket.write(clientFrame(connectFrame(token, "bench")));
  else if (message.type === "res" && message.id === "c") {
    deep = clientFrame(
      `{"type":"req","id":"deep","method":"health","params":{"x":${"[".repeat(levels)}${"]".repeat(levels)}}}`,
    );
    process.stdout.write("ready\n");
  } else if (message.type === "res" && message.id === "deep") process.stdout.write("answered\n");
  else if (message.type === "res" && message.id === "after") {
    process.stdout.write("done\n");
    socket.end();
  }
}

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() !== "go") return;
  socket.write(deep);
  socket.write(clientFrame(JSON.stringify({ type: "req", id: "after", method: "health" })));
});
