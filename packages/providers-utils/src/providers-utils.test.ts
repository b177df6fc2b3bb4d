import { getBuiltinProvider, ProviderError, parseRetryAfter, resolveConfigApiKey } from "@openclaw/protocol";
import { describe, expect, it } from "vitest";
import { loadApiKey } from "./api-key.js";
import { checkToolInput } from "./part-stream.js";

const headers = (values: Record<string, string>) => new Headers(values);

describe("parseRetryAfter", () => {
  it("reads seconds, HTTP dates, retry-after-ms, and ignores garbage", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter(headers({ "retry-after": "12" }), now)).toBe(12_000);
    expect(parseRetryAfter(headers({ "retry-after": "Thu, 01 Jan 2026 00:00:30 GMT" }), now)).toBe(30_000);
    expect(parseRetryAfter(headers({ "retry-after": "Wed, 31 Dec 2025 00:00:00 GMT" }), now)).toBe(0);
    expect(parseRetryAfter(headers({ "retry-after-ms": "250", "retry-after": "9" }), now)).toBe(250);
    expect(parseRetryAfter(headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(parseRetryAfter(headers({}), now)).toBeUndefined();
  });
});

describe("loadApiKey", () => {
  it("prefers the explicit key, then env vars in order", () => {
    expect(loadApiKey({ provider: "x", apiKey: " k1 ", envVars: ["A"], env: { A: "k2" } })).toBe("k1");
    expect(loadApiKey({ provider: "x", envVars: ["A", "B"], env: { B: "k3" } })).toBe("k3");
  });

  it("throws an auth ProviderError naming the variables and the CLI command", () => {
    const error = (() => {
      try {
        loadApiKey({ provider: "groq", envVars: ["GROQ_API_KEY"], env: {} });
      } catch (e) {
        return e;
      }
    })();
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ kind: "auth", isRetryable: false, code: "FORBIDDEN" });
    expect((error as Error).message).toContain("GROQ_API_KEY");
    expect((error as Error).message).toContain("openclaw models auth paste-token --provider groq");
  });
});

describe("checkToolInput", () => {
  it("accepts JSON, treats empty as {}, rejects broken JSON with the tool name", () => {
    const tool = { toolName: "read", toolCallId: "c1", provider: "p" };
    expect(checkToolInput('{"a":1}', tool)).toEqual({ ok: true, input: '{"a":1}' });
    expect(checkToolInput("", tool)).toEqual({ ok: true, input: "{}" });
    const bad = checkToolInput('{"a":', tool);
    expect(bad).toMatchObject({ ok: false, input: '{"a":' });
    if (!bad.ok) {
      expect(bad.error.kind).toBe("invalid_response");
      expect(bad.error.details).toMatchObject({ toolCallId: "c1", toolName: "read", rawInput: '{"a":' });
    }
  });
});

describe("built-in providers and config keys", () => {
  it("resolves ids and aliases", () => {
    expect(getBuiltinProvider("gemini")?.api).toBe("google-generative-ai");
    expect(getBuiltinProvider("openrouter")).toMatchObject({
      baseUrl: "https://openrouter.ai/api/v1",
      envKeys: ["OPENROUTER_API_KEY"],
    });
    expect(getBuiltinProvider("my-proxy")).toBeUndefined();
    expect(getBuiltinProvider("toString")).toBeUndefined();
  });

  it("resolves ${VAR} and env:VAR api keys", () => {
    const env = { KEY: "secret" };
    expect(resolveConfigApiKey("${KEY}", env)).toBe("secret");
    expect(resolveConfigApiKey("env:KEY", env)).toBe("secret");
    expect(resolveConfigApiKey("env:MISSING", env)).toBeUndefined();
    expect(resolveConfigApiKey("sk-literal", env)).toBe("sk-literal");
  });

  it("ProviderError keeps the protocol error shape and its own marker", () => {
    const error = new ProviderError("rate_limit", "slow down", {
      status: 429,
      retryAfterMs: 5000,
      provider: "openai",
    });
    expect(error.toErrorShape()).toMatchObject({
      code: "UNAVAILABLE",
      message: "slow down",
      retryAfterMs: 5000,
    });
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(ProviderError.isInstance(new Error("x"))).toBe(false);
  });
});

describe("toProviderError", () => {
  it("tells a timeout signal from a user abort and a socket failure", async () => {
    const { toProviderError } = await import("./http.js");
    const timedOut = AbortSignal.abort(new DOMException("timed out", "TimeoutError"));
    expect(toProviderError(new DOMException("x", "AbortError"), "p", timedOut).kind).toBe("timeout");
    const aborted = AbortSignal.abort();
    expect(toProviderError(new DOMException("x", "AbortError"), "p", aborted).kind).toBe("aborted");
    const refused = new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
    const network = toProviderError(refused, "p");
    expect(network).toMatchObject({ kind: "network", isRetryable: true });
    expect(network.message).toContain("ECONNREFUSED");
  });
});
