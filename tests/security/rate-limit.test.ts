import { afterEach, describe, expect, it } from "vitest";
import { AuthRateLimiter } from "../../packages/gateway/src/auth.js";
import {
  connectWithDeviceToken,
  createDevice,
  handshakeFrom,
  pairDevice,
  type Started,
  startGateway,
  TOKEN,
} from "./helpers.js";

// Issue 12, point 5 (the "unnormalized rate-limit keys" class): rotating the source address
// through 127.0.0.10–29 must not multiply the guesses; a paired device's own token keeps working
// while shared-secret guesses are locked out.

let gw: Started | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

const limited = { maxAttempts: 5, windowMs: 60_000, lockoutMs: 60_000 };

describe("failed-auth rate limit", () => {
  it("counts the whole loopback range as one source", async () => {
    gw = await startGateway({ gateway: { auth: { mode: "token", token: TOKEN, rateLimit: limited } } });
    const codes: string[] = [];
    for (let host = 10; host <= 29; host++) {
      const { peer, res } = await handshakeFrom(gw.address.url, `127.0.0.${host}`, {
        auth: { token: `guess-${host}` },
      });
      codes.push(res.error?.details?.code as string);
      await peer.closed;
    }
    expect(codes.slice(0, 5)).toEqual(Array(5).fill("AUTH_TOKEN_MISMATCH"));
    expect(codes.slice(5)).toEqual(Array(15).fill("AUTH_RATE_LIMITED"));
    // the right secret is locked out too while the lockout lasts, from any loopback address
    const right = await handshakeFrom(gw.address.url, "127.0.0.77", { auth: { token: TOKEN } });
    expect(right.res.error).toMatchObject({ code: "UNAVAILABLE", details: { code: "AUTH_RATE_LIMITED" } });
    expect(right.res.error?.retryAfterMs).toBeGreaterThan(0);
  });

  it("a paired device's own token still works during a shared-secret lockout", async () => {
    gw = await startGateway({ gateway: { auth: { mode: "token", token: TOKEN, rateLimit: limited } } });
    const device = createDevice();
    const deviceToken = await pairDevice(gw.address.url, device, ["operator.read"]);
    for (let guess = 0; guess < 6; guess++) {
      const { peer } = await handshakeFrom(gw.address.url, `127.0.0.${40 + guess}`, {
        auth: { token: `guess-${guess}` },
      });
      await peer.closed;
    }
    const shared = await handshakeFrom(gw.address.url, "127.0.0.1", { auth: { token: TOKEN } });
    expect(shared.res.error?.details?.code).toBe("AUTH_RATE_LIMITED");

    const own = await connectWithDeviceToken(gw.address.url, deviceToken, ["operator.read"]);
    expect(own.res.ok).toBe(true);
    expect((await own.peer.request("health")).ok).toBe(true);
    own.peer.close();

    // wrong device tokens have their own budget, and are limited too
    const wrong: string[] = [];
    for (let guess = 0; guess < 6; guess++) {
      const { peer, res } = await connectWithDeviceToken(gw.address.url, `forged-${guess}`, [
        "operator.read",
      ]);
      wrong.push(res.error?.details?.code as string);
      await peer.closed;
    }
    expect(wrong.slice(0, 5)).toEqual(Array(5).fill("AUTH_DEVICE_TOKEN_MISMATCH"));
    expect(wrong[5]).toBe("AUTH_RATE_LIMITED");
    // and the real one still works
    const again = await connectWithDeviceToken(gw.address.url, deviceToken, ["operator.read"]);
    expect(again.res.ok).toBe(true);
    again.peer.close();
  });

  it("counts an IPv6 /64 as one source and keeps other IPv4 addresses apart", () => {
    const limiter = new AuthRateLimiter(() => ({ ...limited, maxAttempts: 3, exemptLoopback: false }));
    limiter.recordFailure("2001:db8:1:2::1", 1000);
    limiter.recordFailure("2001:db8:1:2:ffff::9", 1001);
    limiter.recordFailure("2001:0db8:0001:0002:0:0:0:77", 1002);
    expect(limiter.retryAfter("2001:db8:1:2::abcd", 1003)).toBeGreaterThan(0);
    expect(limiter.retryAfter("2001:db8:1:3::1", 1003)).toBe(0);
    limiter.recordFailure("192.0.2.1", 1000);
    limiter.recordFailure("192.0.2.2", 1000);
    limiter.recordFailure("192.0.2.3", 1000);
    expect(limiter.retryAfter("192.0.2.4", 1003)).toBe(0);
    // loopback in any spelling is one source
    limiter.recordFailure("127.0.0.9", 1000);
    limiter.recordFailure("::1", 1000);
    limiter.recordFailure("::ffff:127.3.2.1", 1000);
    expect(limiter.retryAfter("127.0.0.1", 1003)).toBeGreaterThan(0);
  });
});
