import { describe, expect, it } from "vitest";
import { AuthRateLimiter, resolveAuth, safeEqual } from "../auth.js";
import { isLoopbackAddress, normalizeAddress } from "../net.js";

describe("client addresses", () => {
  it("folds IPv4-mapped IPv6 and zone ids", () => {
    expect(normalizeAddress("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(normalizeAddress("FE80::1%eth0")).toBe("fe80::1");
    expect(isLoopbackAddress("::ffff:127.0.0.1")).toBe(true);
    expect(isLoopbackAddress("192.0.2.7")).toBe(false);
  });

  it("rate-limits one client whether it arrives as IPv4 or IPv4-mapped IPv6", () => {
    const limiter = new AuthRateLimiter(() => ({
      maxAttempts: 2,
      windowMs: 60_000,
      lockoutMs: 30_000,
      exemptLoopback: false,
    }));
    limiter.recordFailure("::ffff:192.0.2.7", 1000);
    limiter.recordFailure("192.0.2.7", 1001);
    expect(limiter.retryAfter("192.0.2.7", 1002)).toBe(29_999);
    expect(limiter.retryAfter("::ffff:192.0.2.7", 1002)).toBe(29_999);
    expect(limiter.retryAfter("192.0.2.8", 1002)).toBe(0);
    expect(limiter.retryAfter("192.0.2.7", 40_000)).toBe(0);
  });

  it("exempts loopback only when configured", () => {
    const limiter = new AuthRateLimiter(() => ({
      maxAttempts: 1,
      windowMs: 60_000,
      lockoutMs: 30_000,
      exemptLoopback: true,
    }));
    limiter.recordFailure("127.0.0.1", 1000);
    expect(limiter.retryAfter("127.0.0.1", 1001)).toBe(0);
  });
});

describe("auth resolution", () => {
  it("CLI overrides > env > config, and mode follows the secret given", () => {
    const config = { gateway: { auth: { token: "from-config" } } };
    expect(resolveAuth(config, {}, {})).toEqual({ mode: "token", token: "from-config" });
    expect(resolveAuth(config, {}, { OPENCLAW_GATEWAY_TOKEN: "from-env" }).token).toBe("from-env");
    expect(resolveAuth(config, { token: "from-flag" }, { OPENCLAW_GATEWAY_TOKEN: "from-env" }).token).toBe(
      "from-flag",
    );
    expect(resolveAuth({ gateway: { auth: { password: "pw" } } }, {}, {}).mode).toBe("password");
    expect(
      resolveAuth({ gateway: { auth: { token: { source: "env", id: "MY_TOKEN" } } } }, {}, { MY_TOKEN: "t" })
        .token,
    ).toBe("t");
  });

  it("compares secrets without leaking length through an early exit", () => {
    expect(safeEqual("abc", "abc")).toBe(true);
    expect(safeEqual("abc", "abd")).toBe(false);
    expect(safeEqual("abc", "abcd")).toBe(false);
  });
});
