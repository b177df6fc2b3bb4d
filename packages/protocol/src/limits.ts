/** Protocol versions this implementation speaks (same frame shapes in both). */
export const PROTOCOL_VERSIONS = [3, 4] as const;
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];
/** The newest version; what a server answers when a client's range allows it. */
export const PROTOCOL_VERSION = 4 as const;
/** The oldest version still accepted. */
export const MIN_PROTOCOL_VERSION = 3 as const;

/** Inbound frames before `hello-ok` are capped at 64 KiB. */
export const MAX_PRECONNECT_PAYLOAD_BYTES = 64 * 1024;
/** Server frame cap after the handshake (OpenClaw `MAX_PAYLOAD_BYTES`, advertised in `policy.maxPayload`). */
export const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;
/** Advertised `policy.maxBufferedBytes`. */
export const MAX_BUFFERED_BYTES = 50 * 1024 * 1024;
/** Tick interval a client assumes before `hello-ok` tells it otherwise. */
export const DEFAULT_TICK_INTERVAL_MS = 30_000;
/** A socket that has not sent `connect` within this window is closed. */
export const CONNECT_TIMEOUT_MS = 15_000;
/** Default per-request timeout of the reference client. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Reconnect backoff bounds of the reference client. */
export const RECONNECT_MIN_DELAY_MS = 1_000;
export const RECONNECT_MAX_DELAY_MS = 30_000;
/** Default port of the gateway (HTTP + WS). */
export const DEFAULT_GATEWAY_PORT = 18789;

/** Event name of the server's first frame. */
export const CONNECT_CHALLENGE_EVENT = "connect.challenge";
/** Method name of the client's first frame. */
export const CONNECT_METHOD = "connect";
