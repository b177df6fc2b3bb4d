import { describe, expect, it } from "vitest";
import { capturedFrames, captureFile, helloOkSample } from "./__fixtures__/load.js";
import {
  EVENT_NAMES,
  EVENTS,
  eventAllowed,
  HelloOkSchema,
  idempotencyKeyOf,
  isMethodName,
  METHOD_NAMES,
  METHODS,
  type MethodResult,
  missingScopeError,
  parseFrame,
  scopeAllows,
  unknownMethodError,
  validateRequest,
} from "./index.js";

const ADMIN = ["operator.admin"];

describe("method registry", () => {
  it("covers every method the gateway issue lists", () => {
    const required = [
      "health",
      "status",
      "logs.tail",
      "system-presence",
      "config.get",
      "config.set",
      "config.patch",
      "config.apply",
      "config.schema",
      "sessions.list",
      "sessions.preview",
      "sessions.patch",
      "sessions.reset",
      "sessions.delete",
      "sessions.compact",
      "chat.send",
      "chat.history",
      "chat.abort",
      "chat.inject",
      "agent",
      "agent.wait",
      "send",
      "models.list",
      "channels.status",
      "channels.logout",
      "wake",
      "last-heartbeat",
      "device.pair.list",
      "device.pair.approve",
      "device.pair.reject",
      "device.pair.remove",
      "device.token.rotate",
      "device.token.revoke",
      "node.invoke",
      "node.invoke.result",
      "exec.approval.resolve",
      "cron.add",
    ];
    for (const name of required) expect(isMethodName(name), name).toBe(true);
  });

  it("every method of ours is a method real OpenClaw 2026.9.6 advertises", () => {
    const hello = HelloOkSchema.parse((helloOkSample() as { payload: unknown }).payload);
    const real = new Set(hello.features.methods);
    // Early-2026 methods (server-methods-list.ts) that the 2026.9.6 build no longer advertises.
    // web.login.* (spec: QR login of WhatsApp-web style channels) come with the WhatsApp plugin,
    // which the captured gateway did not load.
    const earlyOnly = new Set([
      "chat.inject",
      "node.pair.request",
      "node.pair.verify",
      "web.login.start",
      "web.login.wait",
    ]);
    for (const name of METHOD_NAMES) if (!earlyOnly.has(name)) expect(real.has(name), name).toBe(true);
  });

  it("every event of ours is an event real OpenClaw advertises", () => {
    const hello = HelloOkSchema.parse((helloOkSample() as { payload: unknown }).payload);
    const real = new Set(hello.features.events);
    for (const name of EVENT_NAMES) expect(real.has(name), name).toBe(true);
  });

  it("side-effecting chat/agent/send/node.invoke require an idempotencyKey", () => {
    for (const name of ["chat.send", "agent", "send", "node.invoke"] as const) {
      expect(METHODS[name].sideEffect).toBe(true);
      const result = validateRequest(name, {}, ADMIN);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.message).toMatch(/params\.idempotencyKey/);
    }
    expect(idempotencyKeyOf({ idempotencyKey: "k1" })).toBe("k1");
    expect(idempotencyKeyOf({})).toBeUndefined();
  });
});

describe("validateRequest", () => {
  it("accepts every request real OpenClaw clients sent (other than connect)", () => {
    let checked = 0;
    for (const { file, dir, text } of capturedFrames()) {
      const result = parseFrame(text);
      if (!result.ok || dir !== "c2s" || result.frame.type !== "req" || result.frame.method === "connect")
        continue;
      if (result.frame.method === "nosuch.method") continue;
      const validated = validateRequest(result.frame.method, result.frame.params, ADMIN);
      if (!validated.ok) throw new Error(`${file}: ${validated.error.message}`);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  it("answers an unknown method exactly like OpenClaw", () => {
    const { frames } = captureFile("probe-unknown.jsonl");
    const real = frames.find((frame) => frame.text.includes("unknown method"))!;
    expect(validateRequest("nosuch.method", undefined, ADMIN)).toEqual({
      ok: false,
      error: (JSON.parse(real.text) as { error: unknown }).error,
    });
    expect(unknownMethodError("x").code).toBe("INVALID_REQUEST");
  });

  it("answers a missing scope exactly like OpenClaw", () => {
    const { frames } = captureFile("frames-cli-status.jsonl");
    const real = frames.find((frame) => frame.text.includes("MISSING_SCOPE"))!;
    const ours = validateRequest("system-presence", undefined, []);
    expect(ours).toEqual({ ok: false, error: (JSON.parse(real.text) as { error: unknown }).error });
    expect(validateRequest("config.set", { raw: "{}" }, ["operator.write"])).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN", details: { code: "MISSING_SCOPE", missingScope: "operator.admin" } },
    });
    expect(validateRequest("node.invoke.result", { id: "1", nodeId: "n", ok: true }, ADMIN)).toEqual({
      ok: false,
      error: missingScopeError("node"),
    });
  });

  it("names the zod path of failing params", () => {
    const result = validateRequest("chat.send", { sessionKey: "", message: 3, idempotencyKey: "k" }, ADMIN);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("INVALID_REQUEST");
    expect(result.error.message).toMatch(
      /^invalid chat\.send params: params\.sessionKey: .*; params\.message: /,
    );
    expect(result.error.details).toMatchObject({
      code: "INVALID_PARAMS",
      issues: [{ path: "params.sessionKey" }, { path: "params.message" }],
    });
    const nested = validateRequest(
      "cron.add",
      {
        name: "n",
        schedule: { kind: "every", everyMs: 0 },
        sessionTarget: "main",
        wakeMode: "now",
        payload: { kind: "systemEvent", text: "x" },
      },
      ADMIN,
    );
    expect(!nested.ok && nested.error.message).toMatch(/params\.schedule\.everyMs/);
    const extra = validateRequest("wake", { mode: "now", text: "x", bogus: true }, ADMIN);
    expect(!extra.ok && extra.error.message).toMatch(/bogus/);
  });

  it("returns parsed params for a valid call and treats absent params as {}", () => {
    const result = validateRequest("logs.tail", undefined, ["operator.read"]);
    expect(result).toMatchObject({ ok: true, method: "logs.tail", params: {} });
    const health = validateRequest("health", { bogus: 1 }, ["operator.read"]);
    expect(health.ok).toBe(true);
  });
});

describe("results and events against captures", () => {
  it("every captured successful result validates against its method's result schema", () => {
    const requests = new Map<string, string>();
    let checked = 0;
    for (const { file, dir, text } of capturedFrames()) {
      const parsed = parseFrame(text);
      if (!parsed.ok) continue;
      const frame = parsed.frame;
      if (dir === "c2s" && frame.type === "req") requests.set(`${file}:${frame.id}`, frame.method);
      if (dir === "s2c" && frame.type === "res" && frame.ok) {
        const name = requests.get(`${file}:${frame.id}`);
        if (!name || !isMethodName(name)) continue;
        const result = METHODS[name].result.safeParse(frame.payload);
        if (!result.success) throw new Error(`${file} ${name}: ${result.error.message}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(14);
  });

  it("every captured event validates against its event schema", () => {
    let checked = 0;
    for (const { file, text } of capturedFrames()) {
      const parsed = parseFrame(text);
      if (!parsed.ok || parsed.frame.type !== "event") continue;
      const spec = EVENTS[parsed.frame.event as keyof typeof EVENTS];
      expect(spec, parsed.frame.event).toBeDefined();
      const result = spec.payload.safeParse(parsed.frame.payload);
      if (!result.success) throw new Error(`${file} ${parsed.frame.event}: ${result.error.message}`);
      checked++;
    }
    expect(checked).toBe(17);
  });

  it("types results by method name", () => {
    const result: MethodResult<"logs.tail"> = METHODS["logs.tail"].result.parse({
      file: "/tmp/x.log",
      cursor: 10,
      size: 10,
      lines: ["a"],
    });
    expect(result.lines).toEqual(["a"]);
  });

  it("validates chat event states and agent streams", () => {
    const base = { runId: "r", sessionKey: "agent:main:main", seq: 1 };
    const chat = EVENTS.chat.payload;
    expect(chat.safeParse({ ...base, state: "delta", deltaText: "he" }).success).toBe(true);
    expect(chat.safeParse({ ...base, state: "final", stopReason: "stop" }).success).toBe(true);
    expect(chat.safeParse({ ...base, state: "aborted" }).success).toBe(true);
    expect(chat.safeParse({ ...base, state: "error", errorKind: "timeout" }).success).toBe(true);
    expect(chat.safeParse({ ...base, state: "bogus" }).success).toBe(false);
    expect(
      EVENTS.agent.payload.safeParse({ runId: "r", seq: 0, stream: "item", ts: 1, data: {} }).success,
    ).toBe(true);
  });
});

describe("scopes", () => {
  it("admin implies every operator scope; write implies read; node only by node", () => {
    expect(scopeAllows(["operator.admin"], "operator.pairing")).toBe(true);
    expect(scopeAllows(["operator.admin"], "operator.approvals")).toBe(true);
    expect(scopeAllows(["operator.write"], "operator.read")).toBe(true);
    expect(scopeAllows(["operator.read"], "operator.write")).toBe(false);
    expect(scopeAllows(["operator.write"], "operator.admin")).toBe(false);
    expect(scopeAllows(["operator.admin"], "node")).toBe(false);
    expect(scopeAllows(["node"], "node")).toBe(true);
    expect(scopeAllows(new Set(["operator.pairing"]), "operator.pairing")).toBe(true);
  });

  it("filters events by audience and fails closed on unknown events", () => {
    expect(eventAllowed([], "tick")).toBe(true);
    expect(eventAllowed([], "chat")).toBe(false);
    expect(eventAllowed(["operator.read"], "chat")).toBe(true);
    expect(eventAllowed(["operator.read"], "device.pair.requested")).toBe(false);
    expect(eventAllowed(["operator.admin"], "exec.approval.requested")).toBe(true);
    expect(eventAllowed(["operator.admin"], "node.invoke.request")).toBe(false);
    expect(eventAllowed(["operator.admin"], "made.up")).toBe(false);
  });
});
