import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import {
  CONNECT_METHOD,
  CONNECT_TIMEOUT_MS,
  type ConnectParams,
  ConnectParamsSchema,
  deviceAuthErrorShape,
  type ErrorShape,
  EVENT_NAMES,
  eventAllowed,
  formatZodIssues,
  frameErrorShape,
  idempotencyKeyOf,
  isEventName,
  isMethodName,
  MAX_BUFFERED_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_PRECONNECT_PAYLOAD_BYTES,
  negotiateProtocol,
  OPERATOR_SCOPES,
  parseFrame,
  type RequestFrame,
  unknownMethodError,
  validateRequest,
  verifyDeviceProof,
} from "@openclaw/protocol";
import type { WebSocket } from "ws";
import { fingerprint, safeEqual } from "./auth.js";
import { canGrantScopes } from "./authority.js";
import { getPath } from "./config-path.js";
import { checkFrameDepth, frameTooDeepError, MAX_FRAME_DEPTH } from "./frame-limits.js";
import type { Connection, GatewayRuntime } from "./gateway.js";
import type { MethodTable } from "./handlers.js";
import { isLoopbackAddress, isLoopbackHost, normalizeAddress } from "./net.js";
import { cutOff, guardPreconnectBytes } from "./preconnect-limit.js";
import type { JsonObject } from "./types.js";
import { GatewayMethodError } from "./types.js";

/**
 * The WebSocket side of the gateway: the handshake, request dispatch, event fan-out and the
 * per-connection bookkeeping. It needs the protocol's zod schemas and registries, so gateway.ts
 * loads this module (with `ws`) on the first WebSocket upgrade; an idle gateway, or one that
 * only ever answers HTTP, never loads zod.
 */
/** Presence changes within this window go out as one `presence` event. */
export const PRESENCE_COALESCE_MS = 250;

export interface ConnectionLayer {
  /** Take over a socket `ws` just upgraded: send the challenge, then run the handshake. */
  onConnection(ws: WebSocket, request: IncomingMessage): void;
  /** Send an event to every authenticated client allowed to see it. */
  broadcast(event: string, payload: unknown): void;
  /** Close every open connection whose credential is no longer valid (config edit, revocation). */
  revalidateAll(): void;
  /** Close the open connections `predicate` selects (policy violation, 1008). */
  closeWhere(predicate: (conn: Connection) => boolean, reason: string): void;
  /** Close every connection with `code` (shutdown / restart). */
  closeAll(code: number, reason: string): void;
}

export interface ConnectionLayerSettings {
  /** The `tick` interval announced in hello-ok's policy. */
  tickIntervalMs: number;
  /** The dispatch table requests go to. */
  methods: MethodTable;
}

export function createConnectionLayer(
  runtime: GatewayRuntime,
  settings: ConnectionLayerSettings,
): ConnectionLayer {
  const { options, logger, connections, devices, counters, stateVersion, rateLimiter, version } = runtime;
  const { currentAuth, config, presence } = runtime;
  const { tickIntervalMs, methods } = settings;
  /** Who a request runs as: the server's record of the connection, never what the client claims. */
  const callerOf = (conn: Connection) => ({
    connId: conn.id,
    role: conn.role ?? "operator",
    scopes: conn.scopes,
    ...(conn.deviceId ? { deviceId: conn.deviceId } : {}),
    ...(conn.client ? { clientId: conn.client.id } : {}),
  });
  const idempotency = new Map<string, { at: number; result: Promise<unknown> }>();

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

  /** Is the credential this connection authenticated with still valid right now? */
  function credentialValid(conn: Connection): boolean {
    const auth = currentAuth();
    switch (conn.authKind) {
      case "token":
        return (
          auth.mode === "token" && auth.token !== undefined && fingerprint(auth.token) === conn.credential
        );
      case "password":
        return (
          auth.mode === "password" &&
          auth.password !== undefined &&
          fingerprint(auth.password) === conn.credential
        );
      case "none":
        return auth.mode === "none";
      case "device-token": {
        if (!conn.credential || !conn.deviceId) return false;
        const found = devices.get(conn.deviceId);
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

  function connectError(conn: Connection, id: string, error: ErrorShape, closeCode = 1008): void {
    send(conn, { type: "res", id, ok: false, error });
    closeConn(conn, closeCode, error.message);
  }

  function authFailure(
    conn: Connection,
    id: string,
    error: ErrorShape,
    scope: "shared" | "device" = "shared",
  ): void {
    counters.authFailures += 1;
    rateLimiter.recordFailure(conn.address, Date.now(), scope);
    logger.warn(
      { connId: conn.id, remote: conn.address, code: (error.details as JsonObject | undefined)?.code },
      error.message,
    );
    connectError(conn, id, error);
  }

  function originAllowed(conn: Connection): boolean {
    if (!conn.origin) return true;
    const allowed = (getPath(config(), "gateway.controlUi.allowedOrigins") as string[] | undefined) ?? [];
    if (allowed.includes("*") || allowed.includes(conn.origin)) return true;
    try {
      const origin = new URL(conn.origin);
      return conn.loopback && isLoopbackHost(origin.hostname.replace(/^\[|\]$/g, ""));
    } catch {
      return false;
    }
  }

  /** The credential a connect presented, once checked: who it is and what it grants. */
  interface Authenticated {
    authKind: NonNullable<Connection["authKind"]>;
    credential?: string;
    granted: string[];
    deviceId?: string;
  }

  function rateLimited(conn: Connection, id: string, retryAfterMs: number): void {
    connectError(conn, id, {
      code: "UNAVAILABLE",
      message: "unauthorized: too many failed authentication attempts; retry later",
      details: { code: "AUTH_RATE_LIMITED", recommendedNextStep: "wait_then_retry" },
      retryable: true,
      retryAfterMs,
    });
  }

  /**
   * Step 1 of a connect: the shared secret or a device token. A valid device token is accepted
   * even while shared-secret guesses from the client's address range are locked out (so a local
   * process cannot lock the operator's paired devices out); failed device tokens have their own
   * budget. Sends the error and returns undefined when the connect is refused.
   */
  function authenticate(
    conn: Connection,
    id: string,
    params: ConnectParams,
    role: string,
  ): Authenticated | undefined {
    const auth = currentAuth();
    const presented = params.auth ?? {};
    const deviceTokenValue = presented.deviceToken ?? (auth.mode === "token" ? presented.token : undefined);
    const match = deviceTokenValue ? devices.findToken(deviceTokenValue) : undefined;
    if (
      match &&
      match.record.role === role &&
      (!params.device || params.device.id === match.device.deviceId)
    ) {
      rateLimiter.recordSuccess(conn.address, "device");
      return {
        authKind: "device-token",
        credential: fingerprint(match.record.token),
        granted: match.record.scopes,
        deviceId: match.device.deviceId,
      };
    }
    const scope = presented.deviceToken !== undefined ? "device" : "shared";
    const retryAfterMs = auth.mode === "none" ? 0 : rateLimiter.retryAfter(conn.address, Date.now(), scope);
    if (retryAfterMs > 0) {
      rateLimited(conn, id, retryAfterMs);
      return undefined;
    }
    const granted = role === "operator" ? [...OPERATOR_SCOPES] : [];
    if (auth.mode === "none") return { authKind: "none", granted };
    if (
      auth.mode === "token" &&
      presented.token !== undefined &&
      auth.token &&
      safeEqual(presented.token, auth.token)
    ) {
      rateLimiter.recordSuccess(conn.address);
      return { authKind: "token", credential: fingerprint(auth.token), granted };
    }
    if (
      auth.mode === "password" &&
      presented.password !== undefined &&
      auth.password &&
      safeEqual(presented.password, auth.password)
    ) {
      rateLimiter.recordSuccess(conn.address);
      return { authKind: "password", credential: fingerprint(auth.password), granted };
    }
    refuseCredential(conn, id, params);
    return undefined;
  }

  /** The error for a connect whose credential matched nothing (and the failure it records). */
  function refuseCredential(conn: Connection, id: string, params: ConnectParams): void {
    const auth = currentAuth();
    const presented = params.auth ?? {};
    const label = auth.mode === "password" ? "password" : "token";
    const suffix = `(use this gateway's gateway.auth.${label} or pair the device)`;
    if (presented.deviceToken !== undefined) {
      authFailure(
        conn,
        id,
        {
          code: "INVALID_REQUEST",
          message: `unauthorized: device token mismatch ${suffix}`,
          details: {
            code: "AUTH_DEVICE_TOKEN_MISMATCH",
            authReason: "device_token_mismatch",
            canRetryWithDeviceToken: false,
            recommendedNextStep: "update_auth_credentials",
          },
        },
        "device",
      );
      return;
    }
    const given = auth.mode === "password" ? presented.password : presented.token;
    if (given === undefined && !params.device) {
      connectError(conn, id, {
        code: "NOT_PAIRED",
        message: "device identity required",
        details: { code: "DEVICE_IDENTITY_REQUIRED" },
      });
      return;
    }
    const configured = auth.mode === "password" ? auth.password : auth.token;
    const reason = configured === undefined ? "not_configured" : given === undefined ? "missing" : "mismatch";
    const text = reason === "not_configured" ? "not configured" : reason;
    const error: ErrorShape = {
      code: "INVALID_REQUEST",
      message: `unauthorized: gateway ${label} ${text} ${suffix}`,
      details: {
        code: `AUTH_${label.toUpperCase()}_${reason.toUpperCase()}`,
        authReason: `${label}_${reason}`,
        canRetryWithDeviceToken: false,
        recommendedNextStep: reason === "mismatch" ? "update_auth_credentials" : "update_auth_configuration",
      },
    };
    if (reason === "mismatch") authFailure(conn, id, error);
    else connectError(conn, id, error);
  }

  /**
   * Step 2 of a connect that carries a device proof: verify it, pair the device (loopback
   * auto-approval only within what the credential already grants; anything else is a pairing
   * request an admin approves) and issue its token. Returns undefined when the connect is refused.
   */
  async function pairConnectingDevice(
    conn: Connection,
    id: string,
    params: ConnectParams,
    role: string,
    authenticated: Authenticated,
  ): Promise<
    { deviceId: string; issued?: { token: string; issuedAtMs: number }; granted: string[] } | undefined
  > {
    const device = params.device!;
    const verified = await verifyDeviceProof(device, {
      client: params.client,
      role,
      scopes: params.scopes ?? [],
      ...(params.auth ? { auth: params.auth } : {}),
      expectedNonce: conn.nonce,
    });
    if (!verified.ok) {
      authFailure(conn, id, deviceAuthErrorShape(verified.code, verified.message));
      return undefined;
    }
    const deviceId = device.id.toLowerCase();
    const paired = devices.get(deviceId);
    const wanted = params.scopes ?? (role === "operator" ? ["operator.read", "operator.write"] : []);
    const upgrade =
      paired && (!paired.roles.includes(role) || wanted.some((scope) => !paired.scopes.includes(scope)));
    if (!paired || upgrade) {
      const request = {
        deviceId,
        publicKey: device.publicKey,
        role,
        scopes: wanted,
        remoteIp: conn.address,
        clientId: params.client.id,
        clientMode: params.client.mode,
        platform: params.client.platform,
        ...(params.client.displayName ? { displayName: params.client.displayName } : {}),
      };
      // loopback auto-approval is self-approval: only within what the credential already grants
      // (a device token asking for more is a scope upgrade an admin approves)
      const selfApproved =
        conn.loopback &&
        options.autoApproveLoopback !== false &&
        canGrantScopes(authenticated.granted, wanted).ok;
      if (selfApproved) {
        devices.approve(request);
        logger.info({ deviceId, role }, "device auto-approved (loopback)");
      } else {
        const pending = devices.request({ ...request, ...(upgrade ? { isRepair: true } : {}) });
        broadcast("device.pair.requested", pending);
        logger.info(
          { deviceId, requestId: pending.requestId, remote: conn.address },
          "device pairing requested",
        );
        connectError(conn, id, {
          code: "NOT_PAIRED",
          message: `pairing required: approve this device with \`openclaw devices approve ${pending.requestId}\``,
          details: {
            code: "PAIRING_REQUIRED",
            reason: !paired ? "not-paired" : !paired.roles.includes(role) ? "role-upgrade" : "scope-upgrade",
            requestId: pending.requestId,
            remediationHint: `openclaw devices approve ${pending.requestId}`,
            requestedRole: role,
            requestedScopes: wanted,
          },
        });
        return undefined;
      }
    }
    const record = devices.ensureToken(deviceId, role, devices.get(deviceId)?.scopes ?? wanted);
    return {
      deviceId,
      ...(record
        ? { issued: { token: record.token, issuedAtMs: record.rotatedAtMs ?? record.createdAtMs } }
        : {}),
      granted:
        authenticated.authKind === "device-token"
          ? (record?.scopes ?? authenticated.granted)
          : authenticated.granted,
    };
  }

  async function handleConnect(conn: Connection, frame: RequestFrame): Promise<void> {
    conn.state = "connecting";
    const parsed = ConnectParamsSchema.safeParse(frame.params);
    if (!parsed.success) {
      connectError(conn, frame.id, {
        code: "INVALID_REQUEST",
        message: `invalid connect params: ${formatZodIssues(parsed.error.issues, ["params"])}`,
        details: { code: "INVALID_PARAMS" },
      });
      return;
    }
    const params: ConnectParams = parsed.data;
    const negotiated = negotiateProtocol(params.minProtocol, params.maxProtocol);
    if (!negotiated.ok) {
      connectError(conn, frame.id, negotiated.error, 1002);
      return;
    }
    if (!originAllowed(conn)) {
      connectError(conn, frame.id, {
        code: "INVALID_REQUEST",
        message: `origin not allowed: ${conn.origin} (add it to gateway.controlUi.allowedOrigins)`,
        details: { code: "CONTROL_UI_ORIGIN_NOT_ALLOWED", origin: conn.origin },
      });
      return;
    }
    const role = params.role ?? "operator";
    const authenticated = authenticate(conn, frame.id, params, role);
    if (!authenticated) return;
    let granted = authenticated.granted;
    let deviceId = authenticated.deviceId;
    let issued: { token: string; issuedAtMs: number } | undefined;
    if (params.device) {
      const pairedDevice = await pairConnectingDevice(conn, frame.id, params, role, authenticated);
      if (!pairedDevice) return;
      ({ deviceId, issued, granted } = pairedDevice);
    }
    // 3. scopes: the grant, narrowed by what the client declared
    const requestedScopes = params.scopes;
    const scopes = requestedScopes ? granted.filter((scope) => requestedScopes.includes(scope)) : granted;
    clearTimeout(conn.timer);
    conn.state = "open";
    conn.protocol = negotiated.protocol;
    conn.client = params.client;
    conn.role = role;
    conn.scopes = new Set(role === "node" ? ["node"] : scopes);
    conn.authKind = authenticated.authKind;
    if (authenticated.credential) conn.credential = authenticated.credential;
    if (deviceId) conn.deviceId = deviceId;
    conn.releasePreconnect?.(); // from here the server-wide maxPayload (policy.maxPayload) applies
    presenceChanged();
    const hello = await helloOk(conn, negotiated.protocol, issued);
    send(conn, { type: "res", id: frame.id, ok: true, payload: hello });
    logger.info(
      {
        connId: conn.id,
        remote: conn.address,
        client: params.client.id,
        mode: params.client.mode,
        role,
        authKind: authenticated.authKind,
        protocol: negotiated.protocol,
      },
      "client connected",
    );
  }

  /** The hello-ok payload for a connection that just authenticated. */
  async function helloOk(
    conn: Connection,
    protocol: number,
    issuedDeviceToken: { token: string; issuedAtMs: number } | undefined,
  ): Promise<JsonObject> {
    const auth = currentAuth();
    return {
      type: "hello-ok",
      protocol,
      server: { version, connId: conn.id },
      features: {
        methods: [...methods.names],
        events: EVENT_NAMES.filter(
          (name) => !name.startsWith("node.") && !name.startsWith("exec.") && name !== "cron",
        ),
      },
      snapshot: {
        presence: presence(),
        health: await methods.call("health", {}, callerOf(conn)),
        stateVersion: { ...stateVersion },
        uptimeMs: Date.now() - runtime.startedAt,
        configPath: options.config.path,
        stateDir: options.stateDir,
        sessionDefaults: {
          defaultAgentId: "main",
          mainKey: "main",
          mainSessionKey: "agent:main:main",
          scope: "per-sender",
        },
        authMode: auth.mode,
      },
      auth: {
        role: conn.role,
        scopes: [...conn.scopes],
        ...(issuedDeviceToken
          ? { deviceToken: issuedDeviceToken.token, issuedAtMs: issuedDeviceToken.issuedAtMs }
          : {}),
      },
      policy: { maxPayload: MAX_PAYLOAD_BYTES, maxBufferedBytes: MAX_BUFFERED_BYTES, tickIntervalMs },
    };
  }

  async function dispatch(conn: Connection, frame: RequestFrame): Promise<void> {
    const reply = (payload: unknown) => send(conn, { type: "res", id: frame.id, ok: true, payload });
    const fail = (error: ErrorShape) => send(conn, { type: "res", id: frame.id, ok: false, error });
    if (frame.method === CONNECT_METHOD) {
      fail({
        code: "INVALID_REQUEST",
        message: "already connected",
        details: { code: "HANDSHAKE_REQUIRED" },
      });
      return;
    }
    if (!isMethodName(frame.method) || !methods.has(frame.method)) {
      fail(
        isMethodName(frame.method)
          ? {
              code: "UNAVAILABLE",
              message: `${frame.method} is not available on this gateway yet`,
              retryable: false,
            }
          : unknownMethodError(frame.method),
      );
      return;
    }
    if (!credentialValid(conn)) {
      fail({
        code: "INVALID_REQUEST",
        message: "unauthorized: credential rotated or revoked",
        details: { code: "AUTH_UNAUTHORIZED" },
      });
      closeConn(conn, 1008, "unauthorized: credential rotated or revoked");
      return;
    }
    // the one policy gate: known method → scope (from the METHODS registry) → params (its zod schema)
    const checked = validateRequest(frame.method, frame.params, conn.scopes);
    if (!checked.ok) {
      fail(checked.error);
      return;
    }
    const { spec, method, params } = checked;
    const run = () => methods.call(method, params, callerOf(conn));
    counters.requests.set(frame.method, (counters.requests.get(frame.method) ?? 0) + 1);
    try {
      const idempotencyKey = idempotencyKeyOf(params);
      const key = idempotencyKey && spec.sideEffect ? `${frame.method}\u0000${idempotencyKey}` : undefined;
      let result: unknown;
      if (key) {
        pruneIdempotency();
        const cached = idempotency.get(key);
        if (cached) result = await cached.result;
        else {
          const promise = run();
          idempotency.set(key, { at: Date.now(), result: promise });
          promise.catch(() => idempotency.delete(key));
          result = await promise;
        }
      } else result = await run();
      reply(result);
    } catch (error) {
      if (error instanceof GatewayMethodError) fail(error.shape);
      else {
        logger.error(
          { method: frame.method, err: error instanceof Error ? error.message : String(error) },
          "method failed",
        );
        fail({
          code: "UNAVAILABLE",
          message: `${frame.method} failed: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
  }

  function pruneIdempotency(): void {
    const cutoff = Date.now() - 5 * 60_000;
    for (const [key, entry] of idempotency) {
      if (entry.at >= cutoff && idempotency.size <= 5000) break;
      idempotency.delete(key);
    }
  }

  /** Refuse a frame nested beyond MAX_FRAME_DEPTH before it is parsed (any client, any scopes). */
  function frameDepthOk(conn: Connection, text: string): boolean {
    const depth = checkFrameDepth(text);
    if (depth.ok) return true;
    logger.warn(
      { connId: conn.id, remote: conn.address, bytes: text.length, maxDepth: MAX_FRAME_DEPTH },
      "refused a frame nested too deeply",
    );
    const error = frameTooDeepError();
    if (conn.state !== "open") {
      if (depth.id) connectError(conn, depth.id, error);
      else closeConn(conn, 1008, "invalid handshake: frame nested too deeply");
    } else if (depth.id) send(conn, { type: "res", id: depth.id, ok: false, error });
    return false;
  }

  function onMessage(conn: Connection, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (conn.state === "closed") return;
    const text = isBinary
      ? data
      : Buffer.isBuffer(data)
        ? data.toString("utf8")
        : Array.isArray(data)
          ? Buffer.concat(data).toString("utf8")
          : Buffer.from(data).toString("utf8");
    if (conn.state === "connecting") return; // one connect at a time
    if (!isBinary && !frameDepthOk(conn, text as string)) return;
    if (conn.state !== "open") {
      const parsed = parseFrame(text, { binary: isBinary, maxBytes: MAX_PRECONNECT_PAYLOAD_BYTES });
      if (!parsed.ok) {
        if (parsed.error.reason === "binary") closeConn(conn, 1003, "binary frames are not supported");
        else if (parsed.error.reason === "too-large") closeConn(conn, 1009, "frame too large before connect");
        else if (parsed.error.id) connectError(conn, parsed.error.id, frameErrorShape(parsed.error));
        else
          closeConn(
            conn,
            parsed.error.reason === "invalid-json" ? 1000 : 1008,
            parsed.error.reason === "invalid-json" ? "" : "invalid handshake",
          );
        return;
      }
      const frame = parsed.frame;
      if (frame.type !== "req" || frame.method !== CONNECT_METHOD) {
        const message = "invalid handshake: first request must be connect";
        if (frame.type === "req") connectError(conn, frame.id, { code: "INVALID_REQUEST", message });
        else closeConn(conn, 1008, message);
        return;
      }
      handleConnect(conn, frame).catch((error) => {
        logger.error({ err: error instanceof Error ? error.message : String(error) }, "connect failed");
        connectError(conn, frame.id, { code: "UNAVAILABLE", message: "connect failed" }, 1011);
      });
      return;
    }
    const parsed = parseFrame(text, { binary: isBinary });
    if (!parsed.ok && parsed.error.reason === "binary") {
      closeConn(conn, 1003, "binary frames are not supported");
      return;
    }
    if (!parsed.ok) {
      if (parsed.error.id)
        send(conn, { type: "res", id: parsed.error.id, ok: false, error: frameErrorShape(parsed.error) });
      else logger.debug({ connId: conn.id, reason: parsed.error.reason }, "dropped invalid frame");
      return;
    }
    if (parsed.frame.type !== "req") return; // clients only send requests
    dispatch(conn, parsed.frame).catch((error) => logger.error({ err: String(error) }, "dispatch failed"));
  }

  function onConnection(ws: WebSocket, request: IncomingMessage): void {
    const remote = normalizeAddress(request.socket.remoteAddress);
    const origin = typeof request.headers.origin === "string" ? request.headers.origin : undefined;
    const conn: Connection = {
      id: randomUUID(),
      ws,
      address: remote,
      loopback: isLoopbackAddress(remote),
      origin,
      nonce: randomUUID(),
      state: "challenged",
      scopes: new Set(),
      seq: 0,
      connectedAt: Date.now(),
    };
    conn.releasePreconnect = guardPreconnectBytes(request.socket, MAX_PRECONNECT_PAYLOAD_BYTES, () => {
      closeConn(conn, 1009, "frame too large before connect");
      cutOff(request.socket);
    });
    connections.set(conn.id, conn);
    conn.timer = setTimeout(() => {
      if (conn.state === "challenged" || conn.state === "connecting") closeConn(conn, 1000, "");
    }, options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
    conn.timer.unref();
    ws.on("message", (data, isBinary) => {
      try {
        onMessage(conn, data as Buffer, isBinary);
      } catch (error) {
        logger.error({ err: String(error) }, "message handling failed");
      }
    });
    ws.on("error", (error) => logger.debug({ connId: conn.id, err: error.message }, "socket error"));
    ws.on("close", () => {
      const wasOpen = conn.state === "open" || (conn.state === "closed" && conn.client !== undefined);
      conn.state = "closed";
      clearTimeout(conn.timer);
      connections.delete(conn.id);
      if (wasOpen && !runtime.closing()) presenceChanged();
    });
    send(conn, { type: "event", event: "connect.challenge", payload: { nonce: conn.nonce, ts: Date.now() } });
  }

  function closeAll(code: number, reason: string): void {
    clearTimeout(presenceTimer);
    for (const conn of connections.values()) closeConn(conn, code, reason);
  }

  return { onConnection, broadcast, revalidateAll, closeWhere, closeAll };
}
