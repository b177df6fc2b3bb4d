import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayClient } from "@openclaw/client";
import { createAssistant } from "@openclaw/core";
import { NodeCommandError, NodeHost, runBindingHash, whichSync } from "@openclaw/node-host";
import { generateDeviceIdentity, OpenClawError } from "@openclaw/protocol";
import {
  createMockProvider,
  MockLanguageModelV1,
  mockTextResponse,
  mockToolCallResponse,
} from "@openclaw/testkit";
import { afterEach, describe, expect, it } from "vitest";
import {
  createDevice,
  handshake,
  type Started,
  startGateway,
  TOKEN,
} from "../../../../packages/gateway/src/__tests__/helpers.js";

// node.* and exec.approval.* through a real gateway on 127.0.0.1 with NodeHost nodes (the package
// a third party embeds) and an operator client.

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

async function gateway(nodes: Record<string, unknown> = {}, tickIntervalMs?: number): Promise<Started> {
  const started = await startGateway(
    { gateway: { auth: { mode: "token", token: TOKEN }, nodes } },
    tickIntervalMs ? { tickIntervalMs } : {},
  );
  cleanup.push(() => started.stop());
  return started;
}

async function operator(started: Started): Promise<GatewayClient> {
  const client = new GatewayClient({
    url: started.address.url,
    auth: { token: TOKEN },
    client: { id: "test", mode: "test" },
    reconnect: false,
  });
  await client.connect();
  cleanup.push(() => client.close());
  return client;
}

async function startNode(
  started: Started,
  options: Partial<ConstructorParameters<typeof NodeHost>[0]> = {},
): Promise<{ host: NodeHost; dir: string }> {
  const dir = options.stateDir ?? (await mkdtemp(join(tmpdir(), "openclaw-node-")));
  const host = new NodeHost({
    url: started.address.url,
    auth: { token: TOKEN },
    stateDir: dir,
    displayName: "laptop",
    log: () => undefined,
    approvalTimeoutMs: 5000,
    ...options,
  });
  await host.start();
  cleanup.push(() => host.stop());
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return { host, dir };
}

/** Start a node and approve its pairing request as the operator. */
async function pairedNode(
  started: Started,
  client: GatewayClient,
  options: Partial<ConstructorParameters<typeof NodeHost>[0]> = {},
) {
  const node = await startNode(started, options);
  const request = await until(async () =>
    (await client.request("node.pair.list", {})).pending.find((r) => r.nodeId === node.host.nodeId),
  );
  await client.request("node.pair.approve", { requestId: request.requestId });
  return node;
}

async function until<T>(probe: () => Promise<T | undefined>, what = "condition"): Promise<T> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function rejection(promise: Promise<unknown>): Promise<OpenClawError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!OpenClawError.isInstance(error)) throw new Error(`expected an OpenClawError, got ${String(error)}`);
  return error;
}

const invoke = (
  client: GatewayClient,
  nodeId: string,
  command: string,
  params: unknown = {},
  extra: { timeoutMs?: number; idempotencyKey?: string } = {},
) => client.request("node.invoke", { nodeId, command, params, ...extra });

describe("nodes: pairing, status, invoke", () => {
  it("a node asks to be paired; once approved it is online with its commands and answers invokes", async () => {
    const started = await gateway();
    const client = await operator(started);
    const requested = new Promise((resolve) => client.on("node.pair.requested", resolve));
    const { host } = await startNode(started);
    const listed = await client.request("node.list", {});
    expect(listed.nodes).toEqual([
      expect.objectContaining({ nodeId: host.nodeId, connected: true, paired: false, displayName: "laptop" }),
    ]);
    await requested;
    const { pending } = await client.request("node.pair.list", {});
    await expect(invoke(client, host.nodeId!, "system.which", { bins: ["sh"] })).rejects.toMatchObject({
      code: "NOT_PAIRED",
    });
    await client.request("node.pair.approve", { requestId: pending[0]!.requestId });
    const described = await client.request("node.describe", { nodeId: "laptop" });
    expect(described).toMatchObject({ paired: true, connected: true });
    expect(described.commands).toEqual(
      expect.arrayContaining(["system.run", "system.which", "system.notify", "system.execApprovals.get"]),
    );
    const which = await invoke(client, host.nodeId!, "system.which", { bins: ["sh", "no-such-binary-here"] });
    expect(which).toMatchObject({ ok: true, payload: { bins: { sh: whichSync("sh") } } });
  });

  it("unknown node, offline node and a restarted node re-pairing silently", async () => {
    const started = await gateway();
    const client = await operator(started);
    await expect(invoke(client, "nope", "system.which")).rejects.toMatchObject({
      code: "INVALID_REQUEST",
      message: expect.stringMatching(/unknown node: nope/),
    });
    const { host, dir } = await pairedNode(started, client);
    const nodeId = host.nodeId!;
    await host.stop();
    await until(
      async () =>
        (await client.request("node.list", {})).nodes.find((n) => n.nodeId === nodeId && !n.connected),
      "offline",
    );
    const offline = await rejection(invoke(client, nodeId, "system.which", { bins: ["sh"] }));
    expect(offline.code).toBe("UNAVAILABLE");
    expect(offline.details).toMatchObject({ code: "NODE_OFFLINE" });
    // same state dir: same identity and device token; no new pairing request
    const again = new NodeHost({ url: started.address.url, stateDir: dir, log: () => undefined });
    await again.start();
    cleanup.push(() => again.stop());
    expect(again.nodeId).toBe(nodeId);
    await until(async () => again.pairing === "paired", "silent re-pair");
    expect((await client.request("node.pair.list", {})).pending).toEqual([]);
    expect((await invoke(client, nodeId, "system.which", { bins: ["sh"] })).ok).toBe(true);
  });

  it("the gateway's denyCommands win over what the node declares; custom commands need allowCommands", async () => {
    const started = await gateway({ denyCommands: ["system.run"], allowCommands: ["acme.deploy"] });
    const client = await operator(started);
    const { host } = await pairedNode(started, client, {
      commands: {
        "acme.deploy": async (params) => ({ deployed: (params as { app: string }).app }),
        "acme.secret": async () => "leak",
      },
    });
    const node = await client.request("node.describe", { nodeId: host.nodeId! });
    expect(node.deniedCommands).toEqual(expect.arrayContaining(["system.run", "acme.secret"]));
    expect(node.commands).toContain("acme.deploy");
    const denied = await rejection(invoke(client, host.nodeId!, "system.run", { command: ["echo", "hi"] }));
    expect(denied).toMatchObject({ code: "FORBIDDEN", details: { code: "NODE_COMMAND_DENIED" } });
    await expect(invoke(client, host.nodeId!, "acme.secret")).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await invoke(client, host.nodeId!, "acme.deploy", { app: "web" })).toMatchObject({
      ok: true,
      payload: { deployed: "web" },
    });
  });

  it("invoke timeout, idempotent retries, node errors and capped output", async () => {
    const started = await gateway({ allowCommands: ["test.hang", "test.count", "test.fail"] });
    const client = await operator(started);
    let count = 0;
    const { host, dir } = await pairedNode(started, client, {
      maxOutputBytes: 1000,
      commands: {
        "test.hang": () => new Promise(() => undefined),
        "test.count": async () => ({ count: ++count }),
        "test.fail": async () => {
          throw new NodeCommandError("CAMERA_PERMISSION_REQUIRED", "camera permission missing");
        },
      },
    });
    const nodeId = host.nodeId!;
    const timedOut = await rejection(invoke(client, nodeId, "test.hang", {}, { timeoutMs: 200 }));
    expect(timedOut.details).toMatchObject({ code: "NODE_INVOKE_TIMEOUT" });
    const first = await invoke(client, nodeId, "test.count", {}, { idempotencyKey: "retry-1" });
    const retry = await invoke(client, nodeId, "test.count", {}, { idempotencyKey: "retry-1" });
    expect([first.payload, retry.payload, count]).toEqual([{ count: 1 }, { count: 1 }, 1]);
    expect(await invoke(client, nodeId, "test.fail")).toMatchObject({
      ok: false,
      error: { code: "CAMERA_PERMISSION_REQUIRED" },
    });
    await writeFile(
      join(dir, "exec-approvals.json"),
      JSON.stringify({ version: 1, defaults: { security: "full", ask: "off" } }),
    );
    const big = await invoke(client, nodeId, "system.run", {
      command: ["sh", "-c", "head -c 5000 /dev/zero | tr '\\0' x"],
    });
    const payload = big.payload as { stdout: string; truncated: boolean };
    expect(payload.truncated).toBe(true);
    expect(payload.stdout).toMatch(
      /\[output truncated: 4000 more bytes of stdout dropped \(cap 1000 bytes\)\]$/,
    );
  });
});

/** A raw node: a device identity, role node, answering node.invoke.request by hand. */
async function rawNode(started: Started, client: GatewayClient) {
  const device = await generateDeviceIdentity();
  const node = new GatewayClient({
    url: started.address.url,
    auth: { token: TOKEN },
    client: { id: "node-host", mode: "node" },
    role: "node",
    scopes: [],
    commands: ["system.which"],
    device,
    reconnect: false,
  });
  await node.connect();
  cleanup.push(() => node.close());
  const pending = await node.request("node.pair.request", {
    nodeId: device.deviceId,
    commands: ["system.which"],
  });
  await client.request("node.pair.approve", { requestId: pending.request!.requestId });
  return { node, nodeId: device.deviceId };
}

describe("nodes: results and events from misbehaving nodes", () => {
  it("a replayed or foreign node.invoke.result is refused; a malformed one fails the invoke clearly", async () => {
    const started = await gateway();
    const client = await operator(started);
    const a = await rawNode(started, client);
    const b = await rawNode(started, client);
    const seen: string[] = [];
    a.node.on("node.invoke.request", (payload) => {
      seen.push((payload as { id: string }).id);
    });
    const waiting = invoke(client, a.nodeId, "system.which", { bins: ["sh"] }, { timeoutMs: 10_000 });
    const id = await until(async () => seen[0], "invoke request");
    // node B answers A's request: refused, A's invoke still waits
    await expect(
      b.node.request("node.invoke.result", { id, nodeId: b.nodeId, ok: true, payload: "forged" }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(
      b.node.request("node.invoke.result", { id, nodeId: a.nodeId, ok: true, payload: "forged" }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await a.node.request("node.invoke.result", { id, nodeId: a.nodeId, ok: true, payload: { bins: {} } });
    expect(await waiting).toMatchObject({ ok: true, payload: { bins: {} } });
    // the same result again (a replay): refused
    await expect(
      a.node.request("node.invoke.result", { id, nodeId: a.nodeId, ok: true, payload: "again" }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    const malformed = invoke(client, a.nodeId, "system.which", { bins: ["sh"] });
    const second = await until(async () => seen[1], "second request");
    await a.node.request("node.invoke.result", {
      id: second,
      nodeId: a.nodeId,
      ok: true,
      payloadJSON: "{not json",
    });
    expect(await malformed).toMatchObject({
      ok: false,
      error: { code: "INVALID_RESULT", message: expect.stringMatching(/malformed/) },
    });
  });

  it("a node flooding node.event is cut off with RATE_LIMITED and the gateway keeps serving", async () => {
    const started = await gateway();
    const client = await operator(started);
    const { node } = await rawNode(started, client);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 160 }, (_, i) =>
        node.request("node.event", { event: "test.tick", payload: { i } }),
      ),
    );
    const refused = outcomes.filter((outcome) => outcome.status === "rejected");
    expect(refused.length).toBeGreaterThan(0);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({
      code: "UNAVAILABLE",
      details: { code: "RATE_LIMITED" },
    });
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled").length).toBeGreaterThanOrEqual(100);
    expect((await client.request("health", {})).ok).toBe(true);
  });
});

describe("exec approvals on a node", () => {
  async function approvalsSetup(file: unknown) {
    const started = await gateway();
    const client = await operator(started);
    const dir = await mkdtemp(join(tmpdir(), "openclaw-node-"));
    await writeFile(join(dir, "exec-approvals.json"), JSON.stringify(file));
    const { host } = await pairedNode(started, client, { stateDir: dir });
    return { client, nodeId: host.nodeId!, dir, started };
  }
  const run = (client: GatewayClient, nodeId: string, command: string, extra: Record<string, unknown> = {}) =>
    invoke(
      client,
      nodeId,
      "system.run",
      { command: ["/bin/sh", "-c", command], ...extra },
      { timeoutMs: 20_000 },
    );

  it("allowlist hit runs; a miss without ask is `SYSTEM_RUN_DENIED: allowlist miss`; smuggling is refused", async () => {
    const echo = whichSync("echo")!;
    const { client, nodeId } = await approvalsSetup({
      version: 1,
      defaults: { security: "allowlist", ask: "off" },
      agents: { main: { allowlist: [{ pattern: echo }] } },
    });
    expect(await run(client, nodeId, "echo hi")).toMatchObject({
      ok: true,
      payload: { stdout: "hi\n", exitCode: 0 },
    });
    expect(await run(client, nodeId, "id")).toMatchObject({
      ok: false,
      error: {
        code: "SYSTEM_RUN_DENIED",
        message: expect.stringMatching(/^SYSTEM_RUN_DENIED: allowlist miss/),
      },
    });
    for (const smuggled of ["echo $(id)", "echo hi > /tmp/x-oc", "echo hi; id", "echo `id`"])
      expect(await run(client, nodeId, smuggled)).toMatchObject({
        ok: false,
        error: { code: "SYSTEM_RUN_DENIED" },
      });
  });

  it("a miss asks operators: allow-once runs once, allow-always persists, deny refuses", async () => {
    const { client, nodeId, dir } = await approvalsSetup({
      version: 1,
      defaults: { security: "allowlist", ask: "on-miss", askFallback: "deny" },
    });
    const requested: { id: string; request: { command: string; nodeId?: string } }[] = [];
    client.on("exec.approval.requested", (payload) => requested.push(payload as (typeof requested)[number]));
    const decide = async (index: number, decision: "allow-once" | "allow-always" | "deny") => {
      const entry = await until(async () => requested[index], `approval ${index}`);
      expect(entry.request).toMatchObject({ command: "echo approved", nodeId });
      expect((await client.request("exec.approval.list", {})).approvals.map((a) => a.id)).toContain(entry.id);
      await client.request("exec.approval.resolve", { id: entry.id, decision });
    };
    const once = run(client, nodeId, "echo approved");
    await decide(0, "allow-once");
    expect(await once).toMatchObject({ ok: true, payload: { stdout: "approved\n" } });
    const denied = run(client, nodeId, "echo approved");
    await decide(1, "deny");
    expect(await denied).toMatchObject({
      ok: false,
      error: { message: "SYSTEM_RUN_DENIED: approval denied by an operator" },
    });
    const always = run(client, nodeId, "echo approved");
    await decide(2, "allow-always");
    expect(await always).toMatchObject({ ok: true });
    const file = JSON.parse(await readFile(join(dir, "exec-approvals.json"), "utf8"));
    expect(file.agents.main.allowlist).toEqual([expect.objectContaining({ pattern: whichSync("echo") })]);
    expect(await run(client, nodeId, "echo approved")).toMatchObject({ ok: true });
    expect(requested).toHaveLength(3);
  });

  it("an approval is bound to the exact argv + cwd + env it was given for, and used once", async () => {
    const { client, nodeId, started } = await approvalsSetup({
      version: 1,
      defaults: { security: "allowlist", ask: "on-miss" },
    });
    const shownArgv = ["/bin/sh", "-c", "echo shown"];
    const asked = await started.gateway.call("exec.approval.request", {
      command: "echo shown",
      nodeId,
      twoPhase: true,
      bindingHash: runBindingHash(shownArgv, undefined, undefined),
    });
    await client.request("exec.approval.resolve", { id: asked.id, decision: "allow-once" });
    // the approval presented for another command, another cwd, another env: refused (and not used up)
    for (const extra of [{}, { cwd: "/" }, { env: { FOO: "1" } }]) {
      const command = Object.keys(extra).length ? "echo shown" : "echo changed";
      expect(await run(client, nodeId, command, { ...extra, approvalId: asked.id })).toMatchObject({
        ok: false,
        error: { message: expect.stringMatching(/given for a different command, cwd or environment/) },
      });
    }
    expect(await run(client, nodeId, "echo shown", { approvalId: asked.id })).toMatchObject({
      ok: true,
      payload: { stdout: "shown\n" },
    });
    // replayed: the allow-once grant is used
    expect(await run(client, nodeId, "echo shown", { approvalId: asked.id })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/is not granted/) },
    });
  });

  it("an invalid approvals file denies every command and says why; approvals get --node shows it", async () => {
    const { client, nodeId } = await approvalsSetup({ version: 2, defaults: { security: "full" } });
    expect(await run(client, nodeId, "echo hi")).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/exec approvals file is invalid.*version must be 1/) },
    });
    const snapshot = await client.request("exec.approvals.node.get", { nodeId });
    expect(snapshot.invalid).toMatch(/version must be 1/);
  });
});

describe("pairing ranges and per-session routing", () => {
  it("gateway.nodes.pairing.autoApproveCidrs approves a node from that range without an operator", async () => {
    const started = await gateway({ pairing: { autoApproveCidrs: ["127.0.0.0/8"] } });
    const client = await operator(started);
    const { host } = await startNode(started);
    await until(async () => host.pairing === "paired", "auto-approval");
    expect((await client.request("node.pair.list", {})).pending).toEqual([]);
    expect((await invoke(client, host.nodeId!, "system.which", { bins: ["sh"] })).ok).toBe(true);
  });

  it("/exec host=node node=<id> sends this session's exec to that node (and says so when it is unknown)", async () => {
    const started = await gateway();
    const client = await operator(started);
    const dir = await mkdtemp(join(tmpdir(), "openclaw-node-"));
    await writeFile(
      join(dir, "exec-approvals.json"),
      JSON.stringify({ version: 1, defaults: { security: "full", ask: "off" } }),
    );
    const { host } = await pairedNode(started, client, { stateDir: dir, displayName: "desk" });
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [
        mockToolCallResponse([{ toolName: "exec", input: { command: "echo from-the-node" } }]),
        mockTextResponse("ran it"),
        mockToolCallResponse([{ toolName: "exec", input: { command: "echo again" } }]),
        mockTextResponse("tried"),
      ],
    });
    const assistant = createAssistant({
      providers: [createMockProvider({ id: "mock", models: { a: model } })],
      stateDir: join(dir, "gateway-side"),
      env: {},
      config: { agents: { defaults: { workspace: join(dir, "ws"), model: "mock/a" } } } as never,
      gateway: { call: (method, params) => started.gateway.call(method as never, params as never) },
    });
    cleanup.push(() => assistant.close());
    expect((await assistant.enqueue({ text: "/exec host=node node=desk" })).text).toMatch(
      /execHost=node execNode=desk/,
    );
    expect((await assistant.enqueue({ text: "/exec" })).text).toBe("Exec: host node · node desk.");
    await assistant.enqueue({ text: "run it" });
    expect(JSON.stringify(model.calls[1]?.messages.at(-1))).toMatch(
      /from-the-node\\n\[exit code 0 · node desk\]/,
    );
    await host.stop();
    await assistant.enqueue({ text: "again" });
    expect(JSON.stringify(model.calls[3]?.messages.at(-1))).toMatch(/NODE_OFFLINE.*node desk is offline/);
  });
});

describe("a node that stops answering", () => {
  it("shows offline within the tick interval (heartbeat), not only when TCP notices", async () => {
    const started = await gateway({}, 200);
    const client = await operator(started);
    const device = createDevice();
    const { peer, res } = await handshake(
      started.address.url,
      { role: "node", scopes: [], client: { id: "test", version: "1.0.0", platform: "linux", mode: "test" } },
      (nonce) => device.proof(nonce, { role: "node", token: TOKEN }),
    );
    cleanup.push(async () => peer.close());
    expect(res.ok).toBe(true);
    const asked = await peer.request("node.pair.request", { nodeId: device.id });
    expect(asked.ok).toBe(true);
    expect((await client.request("node.list", {})).nodes).toEqual([
      expect.objectContaining({ nodeId: device.id, connected: true }),
    ]);
    // the node's process hangs: it stops reading its socket (no pong to the gateway's pings)
    peer.ws.pause();
    // (not paired yet: once its connection is gone it is no longer listed at all)
    await until(
      async () => !(await client.request("node.list", {})).nodes.some((node) => node.nodeId === device.id),
      "offline",
    );
  });
});
