import { join } from "node:path";
import { METHODS, PROTOCOL_VERSION } from "@openclaw/protocol";
import { createGatewayFake, type GatewayFake } from "@openclaw/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { staticGraph } from "../../../scripts/import-graph.js";
import { fieldChecks, IDEMPOTENT_METHODS } from "./field-checks.js";
import { GatewayClient, type GatewayClientOptions, GatewayTransportError } from "./index.js";

// `validation: "fields"`: the client without zod (what a node runs). The schema path is the
// default and is covered by gateway-client.test.ts.

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

function client(url: string, options: Partial<GatewayClientOptions> = {}): GatewayClient {
  const instance = new GatewayClient({
    url,
    auth: { token: TOKEN },
    client: { id: "cli", mode: "cli" },
    reconnect: false,
    validation: "fields",
    ...options,
  });
  cleanups.push(() => instance.close());
  return instance;
}

describe("@openclaw/client without zod", () => {
  it("loads no zod when imported: the schemas are a dynamic import made on the first connect", () => {
    const here = import.meta.dirname;
    const graph = staticGraph(join(here, "index.ts"));
    expect([...graph.packages].filter((name) => name === "zod" || name.startsWith("zod/"))).toEqual([]);
    expect([...graph.files]).not.toContain(join(here, "schema-checks.ts"));
    expect(graph.dynamic.get(join(here, "gateway-client.ts"))).toEqual(["./schema-checks.js"]);
    // the same walk does find zod behind the schema checks (the check can fail)
    expect(staticGraph(join(here, "schema-checks.ts")).packages).toContain("zod");
  });

  it("knows the same idempotent methods as the protocol's registry", () => {
    const fromRegistry = Object.entries(METHODS as Record<string, { params: { shape?: object } }>)
      .filter(([, spec]) => spec.params.shape && "idempotencyKey" in spec.params.shape)
      .map(([name]) => name)
      .sort();
    expect([...IDEMPOTENT_METHODS].sort()).toEqual(fromRegistry);
  });

  it("connects, calls, fills in idempotency keys and passes event payloads on as they came", async () => {
    const gateway = await fake({
      handlers: {
        "chat.send": (params) => ({
          runId: (params as { idempotencyKey: string }).idempotencyKey,
          status: "started",
        }),
      },
    });
    const errors: Error[] = [];
    const gatewayClient = client(gateway.url, { onError: (error) => errors.push(error) });
    const hello = await gatewayClient.connect();
    expect(hello.protocol).toBe(PROTOCOL_VERSION);
    expect((await gatewayClient.request("health")).ok).toBe(true);
    const sent = await gatewayClient.request("chat.send", { sessionKey: "agent:main:main", message: "hi" });
    expect(sent.runId.length).toBeGreaterThan(8);
    await expect(gatewayClient.request("no.such.method")).rejects.toMatchObject({
      name: "OpenClawError",
      code: "INVALID_REQUEST",
    });
    const seen: unknown[] = [];
    const got = new Promise<void>((resolve) =>
      gatewayClient.on("chat", (payload) => {
        seen.push(payload);
        resolve();
      }),
    );
    // the schema path drops this one (gateway-client.test.ts); here the reader checks what it reads
    gateway.connections[0]!.socket.send(
      JSON.stringify({ type: "event", event: "chat", payload: { state: "bogus" } }),
    );
    await got;
    expect(seen).toEqual([{ state: "bogus" }]);
    expect(errors).toEqual([]);
  });

  it("reports frames it cannot use without dropping the connection", async () => {
    const gateway = await fake();
    const errors: Error[] = [];
    const gatewayClient = client(gateway.url, { onError: (error) => errors.push(error) });
    await gatewayClient.connect();
    const socket = gateway.connections[0]!.socket;
    socket.send("not json");
    socket.send(Buffer.from([1, 2, 3]), { binary: true });
    socket.send(JSON.stringify({ type: "res", ok: true }));
    socket.send(JSON.stringify({ type: "res", id: "x", ok: false, error: { code: 1 } }));
    socket.send(JSON.stringify({ type: "event", event: "tick", seq: -1 }));
    expect((await gatewayClient.request("health")).ok).toBe(true);
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringMatching(/not JSON/),
      expect.stringMatching(/binary/),
      expect.stringMatching(/id must be a non-empty string/),
      expect.stringMatching(/error must have a code and a message/),
      expect.stringMatching(/seq must be a non-negative integer/),
    ]);
    expect(gatewayClient.state).toBe("connected");
  });

  it("refuses a hello-ok without the policy it needs, and a challenge without a nonce", async () => {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    let challenge: unknown = { nonce: "n-1", ts: Date.now() };
    server.on("connection", (socket) => {
      socket.send(JSON.stringify({ type: "event", event: "connect.challenge", payload: challenge }));
      socket.on("message", (data) => {
        const request = JSON.parse(data.toString()) as { id: string };
        const hello = { type: "hello-ok", protocol: PROTOCOL_VERSION, policy: { maxPayload: 1000 } };
        socket.send(JSON.stringify({ type: "res", id: request.id, ok: true, payload: hello }));
      });
    });
    const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
    const refused = await client(url)
      .connect()
      .catch((error: unknown) => error);
    expect(GatewayTransportError.isInstance(refused)).toBe(true);
    expect((refused as Error).message).toMatch(/invalid hello-ok: policy/);
    challenge = { ts: 1 };
    const noNonce = await client(url)
      .connect()
      .catch((error: unknown) => error);
    expect((noNonce as Error).message).toMatch(/invalid connect.challenge/);
  });

  it("checks sizes before parsing", () => {
    expect(fieldChecks.frame(JSON.stringify({ type: "event", event: "x".repeat(200) }), 100)).toEqual({
      ok: false,
      message: "frame too large (limit 100 bytes)",
    });
    expect(fieldChecks.frame(JSON.stringify({ type: "req", id: "1", method: "x" }), 100)).toEqual({
      ok: true,
      frame: undefined,
    });
  });
});
