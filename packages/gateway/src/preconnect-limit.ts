import type { Socket } from "node:net";

/** Room for frame headers and control frames on top of the pre-connect payload cap. */
const FRAMING_SLACK_BYTES = 1024;

/**
 * The pre-connect size cap with public APIs only: ws takes one `maxPayload` per server (the
 * post-handshake cap), so until `hello-ok` the gateway counts the raw bytes the client's socket
 * delivers. Past `limit` (plus framing), `exceeded` runs once; it should send the close frame and
 * then {@link cutOff} the socket, so nothing larger is buffered for an unauthenticated client.
 * Returns the function that stops counting (call it at `hello-ok`).
 */
export function guardPreconnectBytes(socket: Socket, limit: number, exceeded: () => void): () => void {
  let received = 0;
  const count = (chunk: Buffer | string) => {
    received += chunk.length;
    if (received <= limit + FRAMING_SLACK_BYTES) return;
    socket.off("data", count);
    exceeded();
  };
  socket.on("data", count);
  return () => socket.off("data", count);
}

/** Flush what was written (the close frame), then stop reading: the connection ends here. */
export function cutOff(socket: Socket): void {
  socket.end();
  socket.once("finish", () => socket.destroy());
}
