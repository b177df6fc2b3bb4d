import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROTOCOL_VERSION } from "@openclaw/protocol/base";
import { afterEach, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { staticGraph } from "../../../scripts/import-graph.js";
import { NodeHost } from "./node-host.js";

// The node's side of node.invoke against a small server speaking the gateway's wire format
// (challenge → connect → hello-ok, req/res, events). The full gateway is exercised by the CLI's
// nodes tests and tests/security/nodes.test.ts.

interface Frame {
  type: string;
  id?: string;
  method?: string;
  params?: Record<string, unknown>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeGateway(options: { perMessageDeflate?: boolean } = {}) {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0, ...options });
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const results: Record<string, unknown>[] = [];
  const resultWaiters: (() => void)[] = [];
  let socket: WebSocket | undefined;
  const extensions: string[] = [];
  server.on("headers", (_headers, request) =>
    extensions.push(request.headers["sec-websocket-extensions"] ?? ""),
  );
  const connected = new Promise<void>((resolve) => {
    server.on("connection", (ws) => {
      socket = ws;
      ws.send(
        JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce: "n-1", ts: 1 } }),
      );
      ws.on("message", (data) => {
        const frame = JSON.parse(data.toString()) as Frame;
        const answer = (payload: unknown) =>
          ws.send(JSON.stringify({ type: "res", id: frame.id, ok: true, payload }));
        if (frame.method === "connect") {
          answer({
            type: "hello-ok",
            protocol: PROTOCOL_VERSION,
            server: { version: "test", connId: "c-1" },
            features: { methods: [], events: [] },
            snapshot: {},
            policy: { maxPayload: 1_000_000, maxBufferedBytes: 1_000_000, tickIntervalMs: 30_000 },
          });
          resolve();
        } else if (frame.method === "node.pair.request") answer({ status: "paired" });
        else if (frame.method === "node.invoke.result") {
          results.push(frame.params ?? {});
          answer({ ok: true });
          for (const waiter of resultWaiters.splice(0)) waiter();
        }
      });
    });
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}`,
    connected,
    results,
    /** The Sec-WebSocket-Extensions header of each upgrade request ("" when none). */
    extensions,
    /** Send a `node.invoke.request` event as the gateway would. */
    invoke(payload: unknown): void {
      socket?.send(JSON.stringify({ type: "event", event: "node.invoke.request", payload }));
    },
    nextResult(): Promise<void> {
      return new Promise((resolve) => resultWaiters.push(resolve));
    },
  };
}

async function startNode(url: string, logs: string[]): Promise<NodeHost> {
  const stateDir = mkdtempSync(join(tmpdir(), "node-host-test-"));
  const host = new NodeHost({
    url,
    auth: { token: "t" },
    stateDir,
    builtins: false,
    commands: { "demo.echo": async (params) => ({ echoed: params }) },
    log: (line) => logs.push(line),
  });
  cleanups.push(async () => {
    await host.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });
  await host.start();
  return host;
}

describe("NodeHost invokes", () => {
  it("answers a node.invoke.request with the command's result", async () => {
    const gateway = await fakeGateway();
    const logs: string[] = [];
    const host = await startNode(gateway.url, logs);
    await gateway.connected;
    const answered = gateway.nextResult();
    gateway.invoke({ id: "r-1", nodeId: host.nodeId, command: "demo.echo", paramsJSON: '{"a":1}' });
    await answered;
    expect(gateway.results).toEqual([
      { id: "r-1", nodeId: host.nodeId, ok: true, payload: { echoed: { a: 1 } } },
    ]);
  });

  it("ignores a malformed request and says so, then keeps serving", async () => {
    const gateway = await fakeGateway();
    const logs: string[] = [];
    const host = await startNode(gateway.url, logs);
    await gateway.connected;
    gateway.invoke({ command: "demo.echo" });
    gateway.invoke({ id: "r-2", command: "demo.echo", paramsJSON: 42 });
    gateway.invoke("not an object");
    const answered = gateway.nextResult();
    gateway.invoke({ id: "r-3", nodeId: host.nodeId, command: "no.such" });
    await answered;
    // frames are handled in order: the three bad ones came first and got no answer
    expect(gateway.results).toEqual([
      {
        id: "r-3",
        nodeId: host.nodeId,
        ok: false,
        error: { code: "UNKNOWN_COMMAND", message: "this node does not serve no.such" },
      },
    ]);
    expect(logs.filter((line) => line.includes("malformed node.invoke.request"))).toHaveLength(3);
  });

  it("does not offer permessage-deflate, even to a gateway that would accept it", async () => {
    const gateway = await fakeGateway({ perMessageDeflate: true });
    await startNode(gateway.url, []);
    await gateway.connected;
    expect(gateway.extensions).toEqual([""]);
  });

  it("loads no zod: the node's client checks the fields it reads by hand", () => {
    const graph = staticGraph(join(import.meta.dirname, "index.ts"));
    expect([...graph.packages].filter((name) => name === "zod" || name.startsWith("zod/"))).toEqual([]);
  });
});
