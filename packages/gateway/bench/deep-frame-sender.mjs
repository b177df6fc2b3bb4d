// Child process of gateway.bench.ts: connects to the gateway at argv[2] with the token argv[3],
// prints "ready", and on the line "go" sends one 10 MB frame nested 5,000,000 levels deep, then
// prints "answered" when the gateway's reply to it arrives. Sending from its own process keeps the
// sender's work (building and masking 10 MB) out of the event loop that times `/health`.
import { createInterface } from "node:readline";
import WebSocket from "ws";

const [port, token] = process.argv.slice(2);
const levels = 5_000_000;
const frame = `{"type":"req","id":"deep","method":"health","params":{"x":${"[".repeat(levels)}${"]".repeat(levels)}}}`;
const ws = new WebSocket(`ws://127.0.0.1:${port}`);
ws.on("error", (error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
ws.on("message", (data) => {
  const text = data.toString();
  const parsed = JSON.parse(text);
  if (parsed.event === "connect.challenge")
    ws.send(
      JSON.stringify({
        type: "req",
        id: "c",
        method: "connect",
        params: {
          minProtocol: 3,
          maxProtocol: 4,
          client: { id: "test", version: "bench", platform: process.platform, mode: "test" },
          auth: { token },
        },
      }),
    );
  else if (parsed.type === "res" && parsed.id === "c") process.stdout.write("ready\n");
  else if (parsed.type === "res" && parsed.id === "deep") {
    process.stdout.write("answered\n");
    ws.close();
  }
});
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() === "go") ws.send(frame);
});
