import type { WebSocketConstructor } from "@openclaw/client";

/** `AA:BB:…` or `aabb…` → `aabb…`. */
function normalizeFingerprint(value: string): string {
  return value
    .replace(/^sha256[:=]/i, "")
    .replace(/:/g, "")
    .trim()
    .toLowerCase();
}

/**
 * A WebSocket constructor (the `ws` package) that accepts the gateway's TLS certificate only when
 * its SHA-256 fingerprint is `fingerprint` (`--tls-fingerprint`): self-signed gateway certificates
 * work, any other certificate is refused before the connect frame (and its token) is sent.
 */
export async function pinnedWebSocket(fingerprint: string): Promise<WebSocketConstructor> {
  const { default: WebSocket } = await import("ws");
  const wanted = normalizeFingerprint(fingerprint);
  class PinnedWebSocket extends WebSocket {
    constructor(url: string) {
      // the pin replaces chain verification; no permessage-deflate (see node-host.ts)
      super(url, { rejectUnauthorized: false, perMessageDeflate: false });
      this.once("upgrade", (response) => {
        const socket = response.socket as import("node:tls").TLSSocket;
        const presented =
          typeof socket.getPeerCertificate === "function"
            ? socket.getPeerCertificate().fingerprint256
            : undefined;
        if (!presented || normalizeFingerprint(presented) !== wanted) {
          this.emit(
            "error",
            new Error(
              `gateway TLS certificate fingerprint ${presented ?? "(none)"} does not match --tls-fingerprint`,
            ),
          );
          this.terminate();
        }
      });
    }
  }
  return PinnedWebSocket as unknown as WebSocketConstructor;
}
