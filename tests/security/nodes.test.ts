import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayClient } from "../../packages/client/src/index.js";
import { NodeHost, runBindingHash } from "../../packages/node-host/src/index.js";
import { generateDeviceIdentity } from "../../packages/protocol/src/index.js";
import { type Started, startGateway, TOKEN } from "./helpers.js";

// OpenClaw's node classes: a node declaring commands the gateway denies (server-side lists win,
// whatever the node claims), a node.invoke.result replayed or sent for another node's request, a
// node claiming another node's id, node-only methods called by operators and the reverse, and an
// approval reused for a command other than the one shown.

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

async function setup(nodes: Record<string, unknown> = {}) {
  const gw: Started = await startGateway({ gateway: { auth: { mode: "token", token: TOKEN }, nodes } });
  cleanup.push(() => gw.stop());
  const operator = new GatewayClient({
    url: gw.address.url,
    auth: { token: TOKEN },
    client: { id: "test", mode: "test" },
    reconnect: false,
  });
  await operator.connect();
  cleanup.push(() => operator.close());
  return { gw, operator };
}

async function rawNode(url: string, commands: string[]) {
  const device = await generateDeviceIdentity();
  const node = new GatewayClient({
    url,
    auth: { token: TOKEN },
    client: { id: "node-host", mode: "node" },
    role: "node",
    scopes: [],
    commands,
    device,
    reconnect: false,
  });
  await node.connect();
  cleanup.push(() => node.close());
  return { node, nodeId: device.deviceId };
}

async function pair(operator: GatewayClient, node: GatewayClient, nodeId: string, commands: string[]) {
  const asked = await node.request("node.pair.request", { nodeId, commands });
  await operator.request("node.pair.approve", { requestId: asked.request!.requestId });
}

describe("nodes", () => {
  it("a node declaring a command the gateway denies cannot be made to run it (declared or not)", async () => {
    const { gw, operator } = await setup({ denyCommands: ["system.run"] });
    const { node, nodeId } = await rawNode(gw.address.url, ["system.run", "evil.exfiltrate"]);
    await pair(operator, node, nodeId, ["system.run", "evil.exfiltrate"]);
    let received = 0;
    node.on("node.invoke.request", () => {
      received += 1;
    });
    await expect(
      operator.request("node.invoke", { nodeId, command: "system.run", params: { command: ["id"] } }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      operator.request("node.invoke", { nodeId, command: "evil.exfiltrate" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    const described = await operator.request("node.describe", { nodeId });
    expect(described.commands).toEqual([]);
    expect(received).toBe(0);
  });

  it("a node.invoke.result for another node's request, or replayed, does not settle anything", async () => {
    const { gw, operator } = await setup();
    const victim = await rawNode(gw.address.url, ["system.which"]);
    const attacker = await rawNode(gw.address.url, ["system.which"]);
    await pair(operator, victim.node, victim.nodeId, ["system.which"]);
    await pair(operator, attacker.node, attacker.nodeId, ["system.which"]);
    const ids: string[] = [];
    victim.node.on("node.invoke.request", (payload) => {
      ids.push((payload as { id: string }).id);
    });
    const invoked = operator.request("node.invoke", {
      nodeId: victim.nodeId,
      command: "system.which",
      params: { bins: ["sh"] },
    });
    for (let attempt = 0; attempt < 200 && !ids.length; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const id = ids[0]!;
    for (const claimed of [attacker.nodeId, victim.nodeId])
      await expect(
        attacker.node.request("node.invoke.result", {
          id,
          nodeId: claimed,
          ok: true,
          payload: { bins: { sh: "/tmp/evil" } },
        }),
      ).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await victim.node.request("node.invoke.result", {
      id,
      nodeId: victim.nodeId,
      ok: true,
      payload: { bins: { sh: "/bin/sh" } },
    });
    expect((await invoked).payload).toEqual({ bins: { sh: "/bin/sh" } });
    await expect(
      victim.node.request("node.invoke.result", { id, nodeId: victim.nodeId, ok: true, payload: "replay" }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST" });
  });

  it("a node cannot pair under another node's id; operators cannot answer as nodes, nodes cannot invoke", async () => {
    const { gw, operator } = await setup();
    const { node } = await rawNode(gw.address.url, []);
    const other = await generateDeviceIdentity();
    await expect(node.request("node.pair.request", { nodeId: other.deviceId })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(
      operator.request("node.invoke.result", { id: "x", nodeId: other.deviceId, ok: true }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(operator.request("exec.approval.request", { command: "id" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(
      node.request("node.invoke", { nodeId: other.deviceId, command: "system.run" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      node.request("exec.approval.resolve", { id: "x", decision: "allow-always" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("an approval is good for the argv + cwd + env it was shown with, once", async () => {
    const { gw, operator } = await setup();
    const dir = await mkdtemp(path.join(tmpdir(), "openclaw-node-sec-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(
      path.join(dir, "exec-approvals.json"),
      JSON.stringify({ version: 1, defaults: { security: "allowlist", ask: "on-miss" } }),
    );
    const host = new NodeHost({
      url: gw.address.url,
      auth: { token: TOKEN },
      stateDir: dir,
      log: () => undefined,
      approvalTimeoutMs: 2000,
    });
    await host.start();
    cleanup.push(() => host.stop());
    const nodeId = host.nodeId!;
    for (let attempt = 0; attempt < 200 && host.pairing !== "pending"; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const { pending } = await operator.request("node.pair.list", {});
    await operator.request("node.pair.approve", { requestId: pending[0]!.requestId });
    const shown = ["/bin/sh", "-c", "echo harmless"];
    const asked = await gw.gateway.call("exec.approval.request", {
      command: "echo harmless",
      nodeId,
      twoPhase: true,
      bindingHash: runBindingHash(shown, "/tmp", undefined),
    });
    await operator.request("exec.approval.resolve", { id: asked.id, decision: "allow-once" });
    const run = (command: string[], extra: Record<string, unknown>) =>
      operator.request("node.invoke", {
        nodeId,
        command: "system.run",
        params: { command, approvalId: asked.id, ...extra },
        timeoutMs: 10_000,
      });
    for (const [command, extra] of [
      [["/bin/sh", "-c", "echo harmless; id"], { cwd: "/tmp" }],
      [shown, { cwd: "/" }],
      [shown, { cwd: "/tmp", env: { LD_PRELOAD: "/tmp/x.so" } }],
    ] as const)
      expect(await run([...command], extra)).toMatchObject({
        ok: false,
        error: {
          code: "SYSTEM_RUN_DENIED",
          message: expect.stringMatching(/different command, cwd or environment/),
        },
      });
    expect(await run(shown, { cwd: "/tmp" })).toMatchObject({ ok: true, payload: { stdout: "harmless\n" } });
    expect(await run(shown, { cwd: "/tmp" })).toMatchObject({
      ok: false,
      error: { code: "SYSTEM_RUN_DENIED" },
    });
  });
});
