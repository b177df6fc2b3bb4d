import { eventAllowed, isEventName, MAX_BUFFERED_BYTES } from "@openclaw/protocol";
import { fingerprint } from "./auth.js";
import type { Connection, GatewayRuntime } from "./gateway.js";

/** Presence changes within this window go out as one `presence` event. */
export const PRESENCE_COALESCE_MS = 250;

/** Sending to, closing and revalidating the gateway's connections. */
export interface Fanout {
  send(conn: Connection, frame: unknown): void;
  sendText(conn: Connection, text: string): void;
  closeConn(conn: Connection, code: number, reason: string): void;
  /** Send an event to every authenticated client allowed to see it. */
  broadcast(event: string, payload: unknown): void;
  /** A client came or went: schedule the coalesced `presence` event. */
  presenceChanged(): void;
  closeWhere(predicate: (conn: Connection) => boolean, reason: string): void;
  /** Is the credential this connection authenticated with still valid right now? */
  credentialValid(conn: Connection): boolean;
  revalidateAll(): void;
  closeAll(code: number, reason: string): void;
}

export function createFanout(runtime: GatewayRuntime): Fanout {
  const { logger, connections, devices, stateVersion, currentAuth, presence } = runtime;

  function send(conn: Connection, frame: unknown): void {
    sendText(conn, JSON.stringify(frame));
  }

  function sendText(conn: Connection, text: string): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    if (conn.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      closeConn(conn, 1008, "slow consumer: send buffer exceeded");
      return;
    }
    conn.ws.send(text);
  }

  function closeConn(conn: Connection, code: number, reason: string): void {
    if (conn.state === "closed") return;
    conn.state = "closed";
    clearTimeout(conn.timer);
    try {
      // close reasons are capped at 123 bytes by the WebSocket protocol
      conn.ws.close(code, Buffer.byteLength(reason) > 123 ? reason.slice(0, 120) : reason);
    } catch {
      conn.ws.terminate();
    }
  }

  function canSee(conn: Connection, event: string): boolean {
    if (conn.state !== "open" || revoked.has(conn)) return false;
    // unknown event families fail closed
    return isEventName(event) && eventAllowed(conn.scopes, event);
  }

  function broadcast(event: string, payload: unknown): void {
    // the payload is serialized once, not once per client
    let head: string | undefined;
    let tail: string | undefined;
    for (const conn of connections.values()) {
      if (!canSee(conn, event)) continue;
      conn.seq += 1;
      head ??= `{"type":"event","event":${JSON.stringify(event)}${payload === undefined ? "" : `,"payload":${JSON.stringify(payload)}`},"seq":`;
      tail ??= `,"stateVersion":${JSON.stringify(stateVersion)}}`;
      sendText(conn, `${head}${conn.seq}${tail}`);
    }
  }

  let presenceTimer: NodeJS.Timeout | undefined;
  /**
   * A client came or went: one `presence` event (the whole current list, as OpenClaw clients
   * expect) per PRESENCE_COALESCE_MS window, not one per change, so N logins cost O(N) events
   * instead of O(N²).
   */
  function presenceChanged(): void {
    stateVersion.presence += 1;
    if (presenceTimer) return;
    presenceTimer = setTimeout(() => {
      presenceTimer = undefined;
      if (!runtime.closing()) broadcast("presence", { presence: presence() });
    }, PRESENCE_COALESCE_MS);
    presenceTimer.unref();
  }

  function closeWhere(predicate: (conn: Connection) => boolean, reason: string): void {
    for (const conn of connections.values())
      if (conn.state === "open" && predicate(conn)) closeConn(conn, 1008, reason);
  }

  /** The shared secret's fingerprint, hashed again only when the secret changes (checked per request). */
  let lastSecret: { value: string; fingerprint: string } | undefined;
  function secretFingerprint(value: string): string {
    if (lastSecret?.value !== value) lastSecret = { value, fingerprint: fingerprint(value) };
    return lastSecret.fingerprint;
  }

  /** Is the credential this connection authenticated with still valid right now? */
  function credentialValid(conn: Connection): boolean {
    const auth = currentAuth();
    switch (conn.authKind) {
      case "token":
        return (
          auth.mode === "token" &&
          auth.token !== undefined &&
          secretFingerprint(auth.token) === conn.credential
        );
      case "password":
        return (
          auth.mode === "password" &&
          auth.password !== undefined &&
          secretFingerprint(auth.password) === conn.credential
        );
      case "none":
        return auth.mode === "none";
      case "device-token": {
        if (!conn.credential || !conn.deviceId) return false;
        const found = devices.getSync(conn.deviceId);
        const record = found?.tokens?.[conn.role ?? "operator"];
        return Boolean(record && !record.revokedAtMs && fingerprint(record.token) === conn.credential);
      }
      default:
        return false;
    }
  }

  /** Connections whose credential went stale: they get no more events and close on the next turn. */
  const revoked = new WeakSet<Connection>();

  function revalidateAll(): void {
    for (const conn of connections.values()) {
      if (conn.state === "open" && !revoked.has(conn) && !credentialValid(conn)) {
        logger.info(
          { connId: conn.id, authKind: conn.authKind },
          "closing connection: credential rotated or revoked",
        );
        // answer first, then close: the request that rotated this very credential
        // (device.token.rotate on oneself) sends its reply before this runs; every other
        // request on the socket is refused by dispatch's credential check meanwhile
        revoked.add(conn);
        setImmediate(() => closeConn(conn, 1008, "unauthorized: credential rotated or revoked"));
      }
    }
  }

  function closeAll(code: number, reason: string): void {
    clearTimeout(presenceTimer);
    for (const conn of connections.values()) closeConn(conn, code, reason);
  }

  return {
    send,
    sendText,
    closeConn,
    broadcast,
    presenceChanged,
    closeWhere,
    credentialValid,
    revalidateAll,
    closeAll,
  };
}
