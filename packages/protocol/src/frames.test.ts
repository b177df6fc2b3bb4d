import { describe, expect, it } from "vitest";
import { capturedFrames, captureFile, helloOkSample } from "./__fixtures__/load.js";
import {
  CLOSE_CODES,
  ConnectChallengePayloadSchema,
  ConnectParamsSchema,
  ErrorShapeSchema,
  GatewayFrameSchema,
  HelloOkSchema,
  MAX_PRECONNECT_PAYLOAD_BYTES,
  negotiateProtocol,
  OpenClawError,
  parseFrame,
  utf8ByteLength,
} from "./index.js";

describe("frames against real OpenClaw captures", () => {
  const frames = capturedFrames();

  it("has captures to replay", () => {
    expect(frames.length).toBeGreaterThan(60);
  });

  it("parses every captured JSON frame and re-serializes it unchanged", () => {
    let parsed = 0;
    for (const { file, text } of frames) {
      if (file === "probe-garbage.jsonl" && text === "not json") continue;
      const result = parseFrame(text);
      if (!result.ok) throw new Error(`${file}: ${result.error.message}`);
      expect(JSON.parse(JSON.stringify(result.frame))).toEqual(JSON.parse(text));
      parsed++;
    }
    expect(parsed).toBe(frames.length - 1);
  });

  it("validates every connect request's params, every challenge and every hello-ok", () => {
    let connects = 0;
    let hellos = 0;
    let challenges = 0;
    for (const { file, text } of frames) {
      const result = parseFrame(text);
      if (!result.ok) continue;
      const frame = result.frame;
      if (frame.type === "req" && frame.method === "connect") {
        const params = ConnectParamsSchema.safeParse(frame.params);
        if (!params.success) throw new Error(`${file}: ${params.error.message}`);
        connects++;
      }
      if (frame.type === "event" && frame.event === "connect.challenge") {
        expect(ConnectChallengePayloadSchema.safeParse(frame.payload).success).toBe(true);
        challenges++;
      }
      if (frame.type === "res" && (frame.payload as { type?: string } | undefined)?.type === "hello-ok") {
        const hello = HelloOkSchema.safeParse(frame.payload);
        if (!hello.success) throw new Error(`${file}: ${hello.error.message}`);
        hellos++;
      }
    }
    expect(connects).toBe(12);
    expect(challenges).toBe(15);
    expect(hellos).toBeGreaterThanOrEqual(8);
  });

  it("validates hello-ok.sample.json and keeps the fields newer servers add", () => {
    const sample = GatewayFrameSchema.parse(helloOkSample());
    expect(sample.type).toBe("res");
    const hello = HelloOkSchema.parse((sample as { payload: unknown }).payload);
    expect(hello.protocol).toBe(4);
    expect(hello.policy.tickIntervalMs).toBe(30_000);
    expect(hello.features.methods).toContain("chat.send");
    expect(hello.features.events).toContain("tick");
    expect((hello.server as Record<string, unknown>).buildId).toMatch(/^2026\.9\.6/);
    expect(hello.snapshot.presence[0]?.mode).toBe("gateway");
  });

  it("parses every captured error into an OpenClawError with the documented codes", () => {
    const seen: string[] = [];
    for (const { text } of frames) {
      const result = parseFrame(text);
      if (!result.ok || result.frame.type !== "res" || result.frame.ok) continue;
      const shape = ErrorShapeSchema.parse(result.frame.error);
      const error = OpenClawError.fromErrorShape(shape);
      expect(OpenClawError.isInstance(error)).toBe(true);
      expect(error.remoteCode).toBeUndefined();
      seen.push(`${error.code}/${error.detailCode ?? "-"}`);
    }
    expect(new Set(seen)).toEqual(
      new Set([
        "INVALID_REQUEST/-",
        "INVALID_REQUEST/PROTOCOL_MISMATCH",
        "INVALID_REQUEST/AUTH_TOKEN_MISMATCH",
        "INVALID_REQUEST/AUTH_TOKEN_MISSING",
        "NOT_PAIRED/DEVICE_IDENTITY_REQUIRED",
        "FORBIDDEN/MISSING_SCOPE",
      ]),
    );
  });
});

describe("parseFrame bad input", () => {
  it("rejects non-JSON text", () => {
    const result = parseFrame("not json");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.reason).toBe("invalid-json");
    expect(result.error.detailCode).toBe("FRAME_INVALID_JSON");
    expect(result.error.message).toMatch(/not JSON/);
  });

  it("rejects binary frames", () => {
    const result = parseFrame(new Uint8Array([123, 125]));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.reason).toBe("binary");
      expect(result.error.bytes).toBe(2);
    }
    const flagged = parseFrame("{}", { binary: true });
    expect(!flagged.ok && flagged.error.detailCode).toBe("FRAME_BINARY");
  });

  it("rejects oversized frames by UTF-8 size, not string length", () => {
    const ascii = JSON.stringify({
      type: "req",
      id: "1",
      method: "health",
      params: { pad: "x".repeat(70_000) },
    });
    const tooBig = parseFrame(ascii, { maxBytes: MAX_PRECONNECT_PAYLOAD_BYTES });
    expect(!tooBig.ok && tooBig.error.reason).toBe("too-large");
    // 30k euro signs: 30k UTF-16 units but 90k UTF-8 bytes.
    const wide = JSON.stringify({
      type: "req",
      id: "1",
      method: "health",
      params: { pad: "€".repeat(30_000) },
    });
    expect(wide.length).toBeLessThan(MAX_PRECONNECT_PAYLOAD_BYTES);
    const wideResult = parseFrame(wide, { maxBytes: MAX_PRECONNECT_PAYLOAD_BYTES });
    expect(!wideResult.ok && wideResult.error.reason).toBe("too-large");
    expect(!wideResult.ok && wideResult.error.bytes).toBe(utf8ByteLength(wide));
    expect(utf8ByteLength("a€😀")).toBe(new TextEncoder().encode("a€😀").byteLength);
  });

  it("names the zod path of a wrong shape and keeps the request id", () => {
    const result = parseFrame(JSON.stringify({ type: "req", id: "7", method: "" }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.reason).toBe("invalid-frame");
    expect(result.error.id).toBe("7");
    expect(result.error.message).toMatch(/^invalid frame: method: /);
    expect(result.error.issues?.[0]?.path).toEqual(["method"]);
  });

  it("rejects extra keys on frames (closed objects) and unknown frame types", () => {
    const extra = parseFrame(JSON.stringify({ type: "req", id: "1", method: "health", extra: 1 }));
    expect(!extra.ok && extra.error.message).toMatch(/extra/);
    const unknown = parseFrame(JSON.stringify({ type: "hello", id: "1" }));
    expect(!unknown.ok && unknown.error.message).toMatch(/type/);
    const notObject = parseFrame("[1,2]");
    expect(!notObject.ok && notObject.error.reason).toBe("invalid-frame");
    const nullFrame = parseFrame("null");
    expect(!nullFrame.ok && nullFrame.error.reason).toBe("invalid-frame");
  });

  it("names the nested path in connect params", () => {
    const result = ConnectParamsSchema.safeParse({
      minProtocol: 4,
      maxProtocol: 4,
      client: { id: "nope", version: "1", platform: "linux", mode: "cli" },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["client", "id"]);
  });
});

describe("negotiateProtocol", () => {
  it("answers the highest version in both ranges", () => {
    expect(negotiateProtocol(4, 4)).toEqual({ ok: true, protocol: 4 });
    expect(negotiateProtocol(3, 3)).toEqual({ ok: true, protocol: 3 });
    expect(negotiateProtocol(3, 4)).toEqual({ ok: true, protocol: 4 });
    expect(negotiateProtocol(1, 10)).toEqual({ ok: true, protocol: 4 });
  });

  it("rejects a range it does not meet with the same error the real gateway sends", () => {
    const { frames, closes } = captureFile("probe-bad-protocol.jsonl");
    const real = JSON.parse(frames.at(-1)!.text) as { error: unknown };
    const ours = negotiateProtocol(99, 99);
    expect(ours.ok).toBe(false);
    if (!ours.ok) expect(ours.error).toEqual(real.error);
    expect(closes[0]?.code).toBe(CLOSE_CODES.protocolError);
    expect(negotiateProtocol(1, 2).ok).toBe(false);
  });
});

describe("OpenClawError", () => {
  it("is recognised across copies by its Symbol.for marker", () => {
    const error = new OpenClawError("UNAVAILABLE", "starting", { retryAfterMs: 500 });
    expect(error.isRetryable).toBe(true);
    expect(OpenClawError.isInstance(error)).toBe(true);
    expect(OpenClawError.isInstance(new Error("x"))).toBe(false);
    expect(OpenClawError.isInstance({ [Symbol.for("openclaw.error")]: true })).toBe(true);
    expect(error.toErrorShape()).toEqual({ code: "UNAVAILABLE", message: "starting", retryAfterMs: 500 });
  });

  it("keeps an unknown remote code instead of losing it", () => {
    const error = OpenClawError.fromErrorShape({ code: "SOMETHING_NEW", message: "m", retryable: false });
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.remoteCode).toBe("SOMETHING_NEW");
    expect(error.isRetryable).toBe(false);
    expect(error.toErrorShape().code).toBe("SOMETHING_NEW");
  });
});
