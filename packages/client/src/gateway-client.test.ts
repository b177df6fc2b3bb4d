import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import {
  type ChatEventPayload,
  generateDeviceIdentity,
  type HelloOk,
  OpenClawError,
  PROTOCOL_VERSION,
} from "@openclaw/protocol";
import { createGatewayFake, type GatewayFake } from "@openclaw/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, WebSocket as WsWebSocket } from "ws";
import { backoffDelay, GatewayClient, type GatewayClientOptions, GatewayTransportError } from "./index.js";

const TOKEN = "test-token-0123456789";
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(options: Parameters<typeof createGatewayFake>[0] = {}): Promise<GatewayFake> {
  const gateway = await createGatewayFake({ token: TOKEN, ...options });
  cleanups.push(() => gateway.close());
  return gateway;
}

function client(gateway: GatewayFake, options: Partial<GatewayClientOptions> = {}): GatewayClient {
  const instance = new GatewayClient({
    url: gateway.url,
    auth: { token: TOKEN },
    client: { id: "cli", mode: "cli" },
    reconnect: { minDelayMs: 10, maxDelayMs: 50 },
    ...options,
  });
  cleanups.push(() => instance.close());
  return instance;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("GatewayClient handshake", () => {
  it("answers the challenge, gets hello-ok and makes typed calls", async () => {
    const gateway = await fake();
    const gatewayClient = client(gateway, { scopes: ["operator.read"] });
    const hello = await gatewayClient.connect();
    expect(hello.protocol).toBe(PROTOCOL_VERSION);
    expect(hello.features.methods).toContain("chat.send");
    expect(gatewayClient.state).toBe("connected");
    const health = await gatewayClient.request("health");
    expect(health.ok).toBe(true);
    const presence = await gatewayClient.request("system-presence");
    expect(presence[0]?.mode).toBe("gateway");
    const connect = gateway.received.find((entry) => entry.frame.type === "req")!.frame;
    expect(connect).toMatchObject({
      method: "connect",
      params: {
        minProtocol: 3,
        maxProtocol: 4,
        role: "operator",
        scopes: ["operator.read"],
        auth: { token: TOKEN },
      },
    });
  });

  it("works with the `ws` package's WebSocket as well as the global one", async () => {
    const gateway = await fake();
    const gatewayClient = client(gateway, { WebSocket: WsWebSocket as never });
    await gatewayClient.connect();
    expect((await gatewayClient.request("health")).ok).toBe(true);
  });

  it("signs with the device key and stores the issued device token", async () => {
    const gateway = await fake({ deviceToken: "device-token-1" });
    const identity = await generateDeviceIdentity();
    const stored = deferred<string>();
    const first = client(gateway, {
      device: identity,
      client: { id: "cli", mode: "cli", platform: "linux", deviceFamily: "Linux" },
      onDeviceToken: (token) => stored.resolve(token),
    });
    await first.connect();
    expect(await stored.promise).toBe("device-token-1");
    expect(gateway.connections[0]?.deviceId).toBe(identity.deviceId);
    // A later client with only the stored device token (no shared secret) gets in.
    const second = client(gateway, { auth: { deviceToken: "device-token-1" }, device: identity });
    await second.connect();
    const connect = gateway.received.filter((entry) => entry.frame.type === "req").at(-1)!.frame;
    expect(connect).toMatchObject({ params: { auth: { deviceToken: "device-token-1" } } });
  });

  it("rejects a refused connect with the server's OpenClawError and does not reconnect", async () => {
    const gateway = await fake();
    const gatewayClient = client(gateway, { auth: { token: "wrong" } });
    const error = await gatewayClient.connect().catch((caught: unknown) => caught);
    expect(OpenClawError.isInstance(error)).toBe(true);
    const openClawError = error as OpenClawError;
    expect(openClawError.code).toBe("INVALID_REQUEST");
    expect(openClawError.detailCode).toBe("AUTH_TOKEN_MISMATCH");
    expect(openClawError.isRetryable).toBe(false);
    expect(gatewayClient.state).toBe("idle");
    await expect(gatewayClient.request("health")).rejects.toMatchObject({ reason: "not-connected" });
  });

  it("reports a protocol range the gateway does not meet", async () => {
    const gateway = await fake();
    const gatewayClient = client(gateway, { minProtocol: 99, maxProtocol: 99 });
    const error = (await gatewayClient.connect().catch((caught: unknown) => caught)) as OpenClawError;
    expect(error.detailCode).toBe("PROTOCOL_MISMATCH");
    expect(error.details).toMatchObject({ expectedProtocol: 4, minimumProbeProtocol: 3 });
    expect((await gateway.nextClose()).closed?.code).toBe(1002);
  });

  it("fails with a transport error when nothing listens", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const gatewayClient = new GatewayClient({ url: `ws://127.0.0.1:${port}`, auth: { token: TOKEN } });
    cleanups.push(() => gatewayClient.close());
    const error = await gatewayClient.connect().catch((caught: unknown) => caught);
    expect(GatewayTransportError.isInstance(error)).toBe(true);
    expect((error as GatewayTransportError).reason).toBe("connect-failed");
    expect((error as Error).message).toMatch(/^gateway connection failed/);
  });
});

describe("GatewayClient against OpenClaw 2026.9.6's recorded frames", () => {
  it("connects to a server replaying the real challenge, hello-ok and health answer", async () => {
    const fixtures = join(import.meta.dirname, "..", "..", "protocol", "src", "__fixtures__");
    const recorded = readFileSync(join(fixtures, "probe-ok.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { dir: string; frame: string })
      .filter((record) => record.dir === "s2c")
      .map((record) => JSON.parse(record.frame) as { type: string; id?: string; event?: string });
    const challenge = recorded.find((frame) => frame.event === "connect.challenge")!;
    const byRecordedId = new Map(
      recorded.filter((frame) => frame.type === "res").map((frame) => [frame.id, frame]),
    );
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const methodsSeen: string[] = [];
    server.on("connection", (socket) => {
      socket.send(JSON.stringify(challenge));
      socket.on("message", (data) => {
        const request = JSON.parse(data.toString()) as { id: string; method: string };
        methodsSeen.push(request.method);
        // probe-ok.jsonl answered connect as id "1" and health as id "2".
        const answer = byRecordedId.get(
          request.method === "connect" ? "1" : request.method === "health" ? "2" : "",
        );
        socket.send(JSON.stringify({ ...answer, id: request.id }));
      });
    });
    const { port } = server.address() as { port: number };
    const gatewayClient = new GatewayClient({
      url: `ws://127.0.0.1:${port}`,
      auth: { token: TOKEN },
      reconnect: false,
    });
    cleanups.push(() => gatewayClient.close());
    const hello = await gatewayClient.connect();
    expect(hello.server.version).toBe("2026.9.6");
    expect(hello.policy.tickIntervalMs).toBe(30_000);
    expect((hello.features as { capabilities?: string[] }).capabilities).toContain("model-catalog-snapshot");
    const health = await gatewayClient.request("health");
    expect(health.ok).toBe(true);
    expect(health.defaultAgentId).toBe("main");
    expect(methodsSeen).toEqual(["connect", "health"]);
  });
});

describe("GatewayClient calls", () => {
  it("surfaces the gateway's errors: unknown method, bad params (zod path), missing scope", async () => {
    const gateway = await fake();
    const gatewayClient = client(gateway, { scopes: ["operator.read"] });
    await gatewayClient.connect();
    await expect(gatewayClient.request("nosuch.method")).rejects.toMatchObject({
      code: "INVALID_REQUEST",
      message: "unknown method: nosuch.method",
    });
    await expect(gatewayClient.request("logs.tail", { limit: 0 })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
      message: expect.stringMatching(/params\.limit/),
    });
    await expect(gatewayClient.request("wake", { mode: "now", text: "hi" })).rejects.toMatchObject({
      code: "FORBIDDEN",
      detailCode: "MISSING_SCOPE",
    });
  });

  it("adds an idempotencyKey to side-effecting calls that need one", async () => {
    const gateway = await fake({
      handlers: {
        "chat.send": (params) => ({
          runId: (params as { idempotencyKey: string }).idempotencyKey,
          status: "started",
        }),
      },
    });
    const gatewayClient = client(gateway);
    await gatewayClient.connect();
    const result = await gatewayClient.request("chat.send", { sessionKey: "agent:main:main", message: "hi" });
    expect(result.status).toBe("started");
    expect(result.runId.length).toBeGreaterThan(8);
    const mine = await gatewayClient.request("chat.send", {
      sessionKey: "agent:main:main",
      message: "hi",
      idempotencyKey: "mine",
    });
    expect(mine.runId).toBe("mine");
  });

  it("waits past the `accepted` ack of a two-phase call with expectFinal", async () => {
    const gateway = await fake({
      handlers: {
        agent: (_params, _connection, respond) => {
          respond({ runId: "run-1", status: "accepted", acceptedAt: 1 });
          return { runId: "run-1", status: "ok", summary: "done" };
        },
      },
    });
    const gatewayClient = client(gateway);
    await gatewayClient.connect();
    const ack = await gatewayClient.request("agent", { message: "hi" });
    expect(ack.status).toBe("accepted");
    const final = await gatewayClient.request("agent", { message: "hi" }, { expectFinal: true });
    expect(final).toMatchObject({ status: "ok", summary: "done" });
  });

  it("times out, aborts, and rejects pending calls on close()", async () => {
    const never = new Promise<never>(() => {});
    const gateway = await fake({ handlers: { status: () => never } });
    const gatewayClient = client(gateway);
    await gatewayClient.connect();
    await expect(gatewayClient.request("status", {}, { timeoutMs: 30 })).rejects.toMatchObject({
      reason: "timeout",
    });
    const controller = new AbortController();
    const aborted = gatewayClient.request("status", {}, { signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ reason: "aborted" });
    const pending = gatewayClient.request("status").catch((error: unknown) => error);
    const closing = gateway.nextClose();
    await gatewayClient.close();
    expect(await pending).toMatchObject({ reason: "closed" });
    expect((await closing).closed?.code).toBe(1000);
    expect(gatewayClient.state).toBe("closed");
  });

  it("ignores garbage and binary frames from the server without dropping the connection", async () => {
    const gateway = await fake();
    const errors: Error[] = [];
    const gatewayClient = client(gateway, { onError: (error) => errors.push(error) });
    await gatewayClient.connect();
    gateway.connections[0]!.socket.send("not json");
    gateway.connections[0]!.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    gateway.connections[0]!.socket.send(
      JSON.stringify({ type: "event", event: "chat", payload: { state: "bogus" } }),
    );
    expect((await gatewayClient.request("health")).ok).toBe(true);
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringMatching(/not JSON/),
      expect.stringMatching(/binary/),
      expect.stringMatching(/malformed chat event/),
    ]);
    expect(gatewayClient.state).toBe("connected");
  });
});

describe("GatewayClient events and reconnect", () => {
  it("delivers events it may see, validated and typed", async () => {
    const gateway = await fake();
    const reader = client(gateway, { scopes: ["operator.read"] });
    await reader.connect();
    const received: ChatEventPayload[] = [];
    const got = deferred<void>();
    const unsubscribe = reader.on("chat", (payload) => {
      received.push(payload);
      if (payload.state === "final") got.resolve();
    });
    const pairing: unknown[] = [];
    reader.on("device.pair.requested", (payload) => pairing.push(payload));
    gateway.broadcast("device.pair.requested", { requestId: "r", deviceId: "d", publicKey: "k", ts: 1 });
    gateway.broadcast("chat", {
      runId: "r1",
      sessionKey: "agent:main:main",
      seq: 1,
      state: "delta",
      deltaText: "he",
    });
    gateway.broadcast("chat", { runId: "r1", sessionKey: "agent:main:main", seq: 2, state: "final" });
    await got.promise;
    expect(received.map((payload) => payload.state)).toEqual(["delta", "final"]);
    expect(pairing).toEqual([]);
    unsubscribe();
  });

  it("reconnects with backoff after the socket drops, re-runs onConnected and keeps subscriptions", async () => {
    const gateway = await fake();
    const disconnects: { willReconnect: boolean }[] = [];
    const disconnected = deferred<void>();
    const gatewayClient = client(gateway, {
      onDisconnected: (info) => {
        disconnects.push(info);
        disconnected.resolve();
      },
    });
    const hellos: HelloOk[] = [];
    gatewayClient.onConnected((hello) => {
      hellos.push(hello);
    });
    await gatewayClient.connect();
    const ticks = deferred<void>();
    gatewayClient.on("heartbeat", () => ticks.resolve());

    gateway.refuseConnections = true;
    gateway.dropAll();
    await disconnected.promise;
    expect(gatewayClient.state).toBe("reconnecting");
    // A call made while reconnecting waits for the new connection.
    const during = gatewayClient.request("health", {}, { timeoutMs: 5_000 });
    await gateway.waitForRefused(2);
    gateway.refuseConnections = false;
    await gateway.waitForHandshakes(2);
    expect((await during).ok).toBe(true);
    expect(disconnects[0]).toMatchObject({ willReconnect: true });
    expect(hellos).toHaveLength(2);
    gateway.broadcast("heartbeat", { ts: 1, status: "sent" });
    await ticks.promise;
    expect(gatewayClient.state).toBe("connected");
  });

  it("closes with 4000 after two missed ticks and reconnects", async () => {
    const gateway = await fake({ tickIntervalMs: 60, ticks: false });
    const gatewayClient = client(gateway);
    await gatewayClient.connect();
    const closed = await gateway.nextClose();
    expect(closed.closed).toEqual({ code: 4000, reason: "tick timeout" });
    await gateway.waitForHandshakes(2);
    gateway.setTicks(true);
    expect((await gatewayClient.request("health")).ok).toBe(true);
  });

  it("computes backoff 1 s → 30 s with bounded jitter", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, {}, () => 0))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
    expect(backoffDelay(0, {}, () => 1)).toBe(1_250);
    expect(backoffDelay(10, {}, () => 1)).toBe(30_000);
    expect(backoffDelay(100, {}, () => 0.5)).toBe(30_000);
  });
});
