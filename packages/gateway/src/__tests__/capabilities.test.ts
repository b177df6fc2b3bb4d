import { OpenClawError } from "@openclaw/protocol";
import { afterEach, describe, expect, it } from "vitest";
import type { GatewayMethods } from "../index.js";
import { handshake, type Started, startGateway } from "./helpers.js";

// A capability adds handlers to the gateway's one dispatch table without touching the gateway:
// `createGateway({ capabilities })`, each typed from protocol's registry (GatewayMethods).
let gw: Started | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

describe("capabilities", () => {
  it("a registered handler answers its method, with the caller in its context", async () => {
    const seen: { connId: string; scopes: string[] }[] = [];
    const cron = {
      "cron.status": async (_params, ctx) => {
        seen.push({ connId: ctx.caller.connId, scopes: [...ctx.caller.scopes] });
        return { enabled: true, jobs: 2, nextWakeAtMs: null, stateDir: ctx.stateDir };
      },
      "cron.add": async () => {
        throw new Error("not reached: the caller lacks operator.admin");
      },
    } satisfies GatewayMethods;
    gw = await startGateway(undefined, { capabilities: [cron] });
    const { peer, res } = await handshake(gw.address.url, { scopes: ["operator.read"] });
    expect(res.payload.features.methods).toContain("cron.status");
    const status = await peer.request("cron.status", {});
    expect(status.payload).toEqual({ enabled: true, jobs: 2, nextWakeAtMs: null, stateDir: gw.stateDir });
    expect(seen).toEqual([{ connId: res.payload.server.connId, scopes: ["operator.read"] }]);
    // the registry's scope still gates it: cron.add needs operator.admin whoever answers it
    const add = await peer.request("cron.add", { name: "x" });
    expect(add.error).toMatchObject({ code: "FORBIDDEN", details: { missingScope: "operator.admin" } });
    peer.close();
  });

  it("a loader runs once, on the first client, and a later capability wins for the same method", async () => {
    let loads = 0;
    const first = {
      "cron.status": async () => ({ enabled: false, jobs: 0 }),
    } satisfies GatewayMethods;
    const later = async (): Promise<GatewayMethods> => {
      loads += 1;
      return { "cron.status": async () => ({ enabled: true, jobs: 7 }) };
    };
    gw = await startGateway(undefined, { capabilities: [first, later] });
    expect(loads).toBe(0); // nothing loaded while idle
    const a = await handshake(gw.address.url);
    const b = await handshake(gw.address.url);
    expect((await a.peer.request("cron.status", {})).payload).toEqual({ enabled: true, jobs: 7 });
    expect((await b.peer.request("cron.status", {})).payload).toEqual({ enabled: true, jobs: 7 });
    expect(loads).toBe(1);
    a.peer.close();
    b.peer.close();
  });

  it("a protocol error thrown by a handler is the answer; a registry method nobody answers is UNAVAILABLE", async () => {
    const failing = {
      "cron.run": async () => {
        throw new OpenClawError("INVALID_REQUEST", "no such job: nightly", {
          details: { code: "INVALID_PARAMS" },
        });
      },
      "cron.runs": async () => {
        throw new Error("disk on fire");
      },
    } satisfies GatewayMethods;
    gw = await startGateway(undefined, { capabilities: [failing] });
    const { peer } = await handshake(gw.address.url);
    const run = await peer.request("cron.run", { id: "nightly" });
    expect(run.error).toEqual({
      code: "INVALID_REQUEST",
      message: "no such job: nightly",
      details: { code: "INVALID_PARAMS" },
    });
    const runs = await peer.request("cron.runs", { id: "nightly" });
    expect(runs.error).toMatchObject({ code: "UNAVAILABLE", message: "cron.runs failed: disk on fire" });
    const list = await peer.request("cron.list", {});
    expect(list.error).toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringContaining("not available"),
    });
    const unknown = await peer.request("cron.teleport", {});
    expect(unknown.error).toMatchObject({
      code: "INVALID_REQUEST",
      message: "unknown method: cron.teleport",
    });
    peer.close();
  });

  it("gateway.call runs a method in-process through the same table", async () => {
    gw = await startGateway();
    const health = await gw.gateway.call("health", {});
    expect(health.ok).toBe(true);
    const sent = await gw.gateway.call("chat.send", {
      sessionKey: "main",
      message: "hi",
      idempotencyKey: "k1",
    });
    expect(sent.status).toBe("started");
    await gw.gateway.call("agent.wait", { runId: sent.runId });
    const history = await gw.gateway.call("chat.history", { sessionKey: "main" });
    expect(history.sessionKey).toBe("agent:main:main");
    expect(history.messages).toHaveLength(2);
  });
});
