import { appendFile, readFile, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handshake, type RawPeer, type Started, startGateway, TOKEN } from "./helpers.js";

let gw: Started;
let admin: RawPeer;
let reader: RawPeer;

beforeAll(async () => {
  gw = await startGateway();
  admin = (await handshake(gw.address.url)).peer;
  reader = (await handshake(gw.address.url, { scopes: ["operator.read"] })).peer;
});
afterAll(async () => {
  admin.close();
  reader.close();
  await gw.stop();
});

async function ok(peer: RawPeer, method: string, params?: unknown) {
  const res = await peer.request(method, params);
  expect(res.error).toBeUndefined();
  expect(res.ok).toBe(true);
  return res.payload;
}

async function denied(method: string, params: unknown, scope: string) {
  const res = await reader.request(method, params);
  expect(res.error?.code).toBe("FORBIDDEN");
  expect(res.error?.details).toMatchObject({ code: "MISSING_SCOPE", missingScope: scope });
}

describe("methods", () => {
  it("health and status", async () => {
    const health = await ok(reader, "health", { bogus: 1 });
    expect(health).toMatchObject({ ok: true, defaultAgentId: "main" });
    expect(health.eventLoop).toHaveProperty("delayP99Ms");
    const status = await ok(reader, "status");
    expect(status.gateway).toMatchObject({
      port: gw.address.port,
      authMode: "token",
      configPath: gw.configPath,
    });
  });

  it("system-presence lists the gateway and connected clients", async () => {
    const presence = await ok(reader, "system-presence");
    expect(presence[0]).toMatchObject({ mode: "gateway", reason: "self" });
    expect(presence.length).toBeGreaterThanOrEqual(3);
  });

  it("logs.tail pages through the log file with a cursor", async () => {
    await appendFile(gw.logFile, `${JSON.stringify({ level: 30, msg: "line-a" })}\n`);
    const first = await ok(reader, "logs.tail", { limit: 1000 });
    expect(first.file).toBe(gw.logFile);
    expect(first.lines.some((line: string) => line.includes("line-a"))).toBe(true);
    await appendFile(gw.logFile, `${JSON.stringify({ level: 30, msg: "line-b" })}\n`);
    const next = await ok(reader, "logs.tail", { cursor: first.cursor });
    expect(next.lines.map((line: string) => JSON.parse(line).msg)).toContain("line-b");
    expect(next.lines.join("")).not.toContain("line-a");
    const reset = await ok(reader, "logs.tail", { cursor: next.size + 10_000 });
    expect(reset.reset).toBe(true);
    const bad = await reader.request("logs.tail", { limit: 0 });
    expect(bad.error?.code).toBe("INVALID_REQUEST");
    expect(bad.error?.message).toMatch(/params\.limit/);
  });

  it("config.get / set / patch / apply / schema with baseHash, admin only", async () => {
    const current = await ok(admin, "config.get");
    expect(current.path).toBe(gw.configPath);
    expect(current.config.gateway.auth.mode).toBe("token");
    // the token survives as-is in the file (the gateway reads it)
    const patched = await ok(admin, "config.patch", {
      raw: JSON.stringify({ logging: { level: "debug" } }),
      baseHash: current.hash,
    });
    expect(patched.config.logging.level).toBe("debug");
    const stale = await admin.request("config.patch", {
      raw: JSON.stringify({ logging: { level: "info" } }),
      baseHash: current.hash,
    });
    expect(stale.error?.message).toMatch(/openclaw\.json changed since it was read .*reload and retry/);
    const raw = JSON.stringify({ ...JSON.parse(patched.raw), agents: { defaults: {} } });
    const set = await ok(admin, "config.set", { raw, baseHash: patched.hash });
    // `raw` is the file as written; `config` the effective config (core's defaults filled in)
    expect(JSON.parse(set.raw).agents).toEqual({ defaults: {} });
    expect(set.config.agents.defaults).toMatchObject({ timeoutSeconds: expect.any(Number) });
    const applied = await ok(admin, "config.apply", { raw, baseHash: set.hash });
    expect(applied.restart.delayMs).toBe(2000);
    const onDisk = JSON.parse(await readFile(gw.configPath, "utf8"));
    expect(onDisk.logging.level).toBe("debug");
    expect(await ok(admin, "config.schema")).toHaveProperty("schema");
    const broken = await admin.request("config.set", { raw: "{ nope", baseHash: applied.hash });
    expect(broken.error?.code).toBe("INVALID_REQUEST");
    expect(broken.error?.message).toMatch(/openclaw\.json:1:\d+: JSON5 syntax error/);
    const redacted = await ok(reader, "config.get");
    expect(JSON.stringify(redacted)).not.toContain(TOKEN);
    expect(redacted.config.gateway.auth.token).toMatch(/redacted/i);
    await denied("config.set", { raw: "{}" }, "operator.admin");
  });

  it("chat.send streams chat events and chat.history returns the transcript", async () => {
    const final = admin.next(
      (frame) => frame.type === "event" && frame.event === "chat" && frame.payload.state === "final",
    );
    const sent = await ok(admin, "chat.send", {
      sessionKey: "agent:main:test",
      message: "hello",
      idempotencyKey: "k1",
    });
    expect(sent.status).toBe("started");
    expect((await final).payload.message.content[0].text).toBe("echo: hello");
    const history = await ok(reader, "chat.history", { sessionKey: "agent:main:test" });
    expect(history.messages.map((message: { role: string }) => message.role)).toEqual(["user", "assistant"]);
    await denied(
      "chat.send",
      { sessionKey: "agent:main:test", message: "x", idempotencyKey: "k2" },
      "operator.write",
    );
  });

  it("side-effecting methods dedupe by idempotencyKey and require it", async () => {
    const one = await ok(admin, "chat.send", {
      sessionKey: "agent:main:dup",
      message: "a",
      idempotencyKey: "same",
    });
    const two = await ok(admin, "chat.send", {
      sessionKey: "agent:main:dup",
      message: "a",
      idempotencyKey: "same",
    });
    expect(two.runId).toBe(one.runId);
    const missing = await admin.request("chat.send", { sessionKey: "agent:main:dup", message: "a" });
    expect(missing.error?.code).toBe("INVALID_REQUEST");
    expect(missing.error?.message).toMatch(/params\.idempotencyKey/);
  });

  it("chat.inject and chat.abort", async () => {
    expect(await ok(admin, "chat.inject", { sessionKey: "agent:main:test", message: "note" })).toMatchObject({
      ok: true,
    });
    expect(await ok(admin, "chat.abort", { sessionKey: "agent:main:test" })).toMatchObject({ ok: true });
    await denied("chat.inject", { sessionKey: "agent:main:test", message: "x" }, "operator.admin");
    await denied("chat.abort", { sessionKey: "agent:main:test" }, "operator.write");
  });

  it("agent + agent.wait", async () => {
    const accepted = await ok(admin, "agent", {
      message: "run",
      idempotencyKey: "a1",
      sessionKey: "agent:main:run",
    });
    expect(accepted.status).toBe("accepted");
    const waited = await ok(admin, "agent.wait", { runId: accepted.runId, timeoutMs: 5000 });
    expect(waited.status).toBe("ok");
    await denied("agent", { message: "x", idempotencyKey: "a2" }, "operator.write");
    await denied("agent.wait", { runId: accepted.runId }, "operator.write");
  });

  it("sessions.list / preview / patch / reset / compact / delete", async () => {
    await ok(admin, "chat.send", { sessionKey: "agent:main:s1", message: "hi", idempotencyKey: "s1" });
    await ok(admin, "agent.wait", {
      runId: (await ok(admin, "agent", { message: "x", idempotencyKey: "s1b", sessionKey: "agent:main:s1" }))
        .runId,
    });
    const list = await ok(reader, "sessions.list");
    expect(list.sessions.map((row: { key: string }) => row.key)).toContain("agent:main:s1");
    const preview = await ok(reader, "sessions.preview", { keys: ["agent:main:s1"] });
    expect(preview.previews[0].items.length).toBeGreaterThan(0);
    expect((await ok(admin, "sessions.patch", { key: "agent:main:s1", label: "mine" })).entry.label).toBe(
      "mine",
    );
    expect(await ok(admin, "sessions.compact", { key: "agent:main:s1" })).toMatchObject({ ok: true });
    expect(await ok(admin, "sessions.reset", { key: "agent:main:s1" })).toMatchObject({ ok: true });
    expect(await ok(admin, "sessions.delete", { key: "agent:main:s1" })).toMatchObject({ deleted: true });
    const gone = await admin.request("sessions.delete", { key: "agent:main:s1" });
    expect(gone.error?.message).toMatch(/unknown session/);
    for (const method of ["sessions.patch", "sessions.reset", "sessions.delete", "sessions.compact"]) {
      await denied(method, { key: "agent:main:s1" }, "operator.admin");
    }
  });

  it("models.list, channels.status, last-heartbeat, wake", async () => {
    expect(await ok(reader, "models.list")).toEqual({ models: [] });
    expect(await ok(reader, "channels.status", { probe: true })).toHaveProperty("channels");
    expect(await ok(reader, "last-heartbeat")).toBeNull();
    expect(await ok(admin, "wake", { mode: "now", text: "ping" })).toMatchObject({ ok: true });
    await denied("wake", { mode: "now", text: "x" }, "operator.write");
    const bad = await admin.request("wake", { mode: "later", text: "x" });
    expect(bad.error?.message).toMatch(/params\.mode/);
  });

  it("send and channels.logout answer UNAVAILABLE without a channel manager; scope first", async () => {
    const send = await admin.request("send", { to: "123", message: "hi", idempotencyKey: "x1" });
    expect(send.error).toMatchObject({
      code: "UNAVAILABLE",
      message: "channel delivery is not available on this gateway",
    });
    await denied("send", { to: "1", message: "x", idempotencyKey: "x2" }, "operator.write");
    await denied("channels.logout", { channel: "telegram" }, "operator.admin");
    const login = await admin.request("web.login.start", {});
    expect(login.error).toMatchObject({
      code: "UNAVAILABLE",
      message: "QR login is not available on this gateway",
    });
    await denied("web.login.wait", {}, "operator.admin");
  });

  it("device.* need operator.pairing", async () => {
    expect(await ok(admin, "device.pair.list")).toEqual({ pending: [], paired: [] });
    await denied("device.pair.list", undefined, "operator.pairing");
    await denied("device.pair.approve", { requestId: "x" }, "operator.pairing");
    await denied("device.token.rotate", { deviceId: "x", role: "operator" }, "operator.pairing");
    const unknown = await admin.request("device.pair.approve", { requestId: "nope" });
    expect(unknown.error?.message).toMatch(/unknown pairing request/);
  });

  it("a hot-reloaded config edit is seen by the next request", async () => {
    const before = await ok(admin, "config.get");
    const config = JSON.parse(before.raw);
    config.logging = { level: "warn" };
    await writeFile(gw.configPath, JSON.stringify(config));
    await expect.poll(async () => (await ok(admin, "config.get")).config.logging.level).toBe("warn");
  });

  it("read methods are denied to a client that declared no scopes", async () => {
    const { peer, res } = await handshake(gw.address.url, { scopes: [] });
    expect(res.payload.auth.scopes).toEqual([]);
    for (const method of [
      "health",
      "status",
      "logs.tail",
      "system-presence",
      "last-heartbeat",
      "config.get",
      "config.schema",
      "sessions.list",
      "sessions.preview",
      "models.list",
      "channels.status",
    ]) {
      const denied = await peer.request(method);
      expect(denied.error?.details, method).toMatchObject({
        code: "MISSING_SCOPE",
        missingScope: "operator.read",
      });
    }
    const history = await peer.request("chat.history", { sessionKey: "agent:main:test" });
    expect(history.error?.code).toBe("FORBIDDEN");
    peer.close();
  });
});
