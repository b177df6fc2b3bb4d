import { describe, expect, it } from "vitest";
import { captureFile } from "./__fixtures__/load.js";
import {
  authFailureError,
  deviceIdentityRequiredError,
  handshakeRequiredError,
  OpenClawError,
  pairingRequiredError,
  startupUnavailableError,
} from "./index.js";

function capturedError(file: string): unknown {
  const { frames } = captureFile(file);
  const refused = frames.find((frame) => frame.text.includes('"ok":false'))!;
  return (JSON.parse(refused.text) as { error: unknown }).error;
}

describe("connect errors match OpenClaw's captures", () => {
  it("first frame not connect", () => {
    expect(handshakeRequiredError()).toEqual(capturedError("probe-bad-first-frame.jsonl"));
    expect(captureFile("probe-bad-first-frame.jsonl").closes[0]?.code).toBe(1008);
  });

  it("token mismatch and token missing", () => {
    expect(authFailureError("token_mismatch")).toEqual(capturedError("probe-bad-token.jsonl"));
    expect(authFailureError("token_missing")).toEqual(capturedError("probe-device-notoken.jsonl"));
  });

  it("device identity required", () => {
    expect(deviceIdentityRequiredError()).toEqual(capturedError("probe-no-token.jsonl"));
  });

  it("rate limiting and startup are retryable, pairing is not", () => {
    const limited = OpenClawError.fromErrorShape(authFailureError("rate_limited", { retryAfterMs: 60_000 }));
    expect(limited.isRetryable).toBe(true);
    expect(limited.retryAfterMs).toBe(60_000);
    expect(limited.detailCode).toBe("AUTH_RATE_LIMITED");
    expect(OpenClawError.fromErrorShape(startupUnavailableError(500)).isRetryable).toBe(true);
    const pairing = OpenClawError.fromErrorShape(pairingRequiredError({ requestId: "req-1" }));
    expect(pairing.isRetryable).toBe(false);
    expect(pairing.details).toMatchObject({
      code: "PAIRING_REQUIRED",
      requestId: "req-1",
      reason: "not-paired",
    });
    expect(authFailureError("password_mismatch").message).toMatch(/gateway\.auth\.password/);
  });
});
