import { describe, expect, it } from "vitest";
import { captureFile } from "./__fixtures__/load.js";
import {
  base64UrlDecode,
  base64UrlEncode,
  buildDeviceAuthPayloadV2,
  buildDeviceAuthPayloadV3,
  ConnectChallengePayloadSchema,
  type ConnectParams,
  ConnectParamsSchema,
  createDeviceProof,
  DEVICE_SIGNATURE_MAX_SKEW_MS,
  decodePublicKey,
  deviceAuthErrorShape,
  deviceIdFromPublicKey,
  exportDeviceIdentity,
  generateDeviceIdentity,
  importDeviceIdentity,
  parseFrame,
  verifyDeviceProof,
} from "./index.js";

function handshake(file: string): { nonce: string; connect: ConnectParams } {
  const { frames } = captureFile(file);
  let nonce = "";
  let connect: ConnectParams | undefined;
  for (const { text } of frames) {
    const result = parseFrame(text);
    if (!result.ok) continue;
    if (result.frame.type === "event" && result.frame.event === "connect.challenge") {
      nonce = ConnectChallengePayloadSchema.parse(result.frame.payload).nonce;
    }
    if (result.frame.type === "req" && result.frame.method === "connect") {
      connect = ConnectParamsSchema.parse(result.frame.params);
    }
  }
  return { nonce, connect: connect! };
}

function contextOf(connect: ConnectParams, nonce: string) {
  return {
    client: connect.client,
    role: connect.role ?? "operator",
    scopes: connect.scopes ?? [],
    auth: connect.auth,
    expectedNonce: nonce,
    nowMs: connect.device!.signedAt + 1_000,
  };
}

describe("device identity against the real OpenClaw capture", () => {
  it("verifies the real v3 signature of probe-device-notoken.jsonl", async () => {
    const { nonce, connect } = handshake("probe-device-notoken.jsonl");
    const result = await verifyDeviceProof(connect.device!, contextOf(connect, nonce));
    expect(result).toMatchObject({ ok: true, payloadVersion: "v3", deviceId: connect.device!.id });
  });

  it("rebuilds the exact signed string (deviceFamily lower-cased, empty token)", () => {
    const { nonce, connect } = handshake("probe-device-notoken.jsonl");
    const payload = buildDeviceAuthPayloadV3({
      deviceId: connect.device!.id,
      clientId: connect.client.id,
      clientMode: connect.client.mode,
      role: "operator",
      scopes: connect.scopes!,
      signedAtMs: connect.device!.signedAt,
      token: "",
      nonce,
      platform: connect.client.platform,
      deviceFamily: connect.client.deviceFamily,
    });
    expect(payload).toBe(
      `v3|${connect.device!.id}|cli|cli|operator|operator.read|1795259768002||059bc539-c302-47da-b415-a2b07a4fad64|linux|linux`,
    );
  });

  it("matches device id = sha256(raw public key) for both captures", async () => {
    for (const file of ["probe-device.jsonl", "probe-device-notoken.jsonl"]) {
      const { connect } = handshake(file);
      expect(await deviceIdFromPublicKey(connect.device!.publicKey)).toBe(connect.device!.id);
    }
  });

  it("rejects the redacted-token capture's signature (token is part of the payload)", async () => {
    const { nonce, connect } = handshake("probe-device.jsonl");
    const result = await verifyDeviceProof(connect.device!, contextOf(connect, nonce));
    expect(result).toMatchObject({ ok: false, code: "DEVICE_AUTH_SIGNATURE_INVALID" });
  });
});

describe("device identity round trip", () => {
  const client = { id: "cli", mode: "cli", platform: " Linux ", deviceFamily: "Linux" };

  it("signs with a fresh key pair, persists and reloads it", async () => {
    const identity = await generateDeviceIdentity();
    expect(identity.deviceId).toMatch(/^[0-9a-f]{64}$/);
    expect(base64UrlDecode(identity.publicKey)).toHaveLength(32);
    const stored = await exportDeviceIdentity(identity, 1);
    const reloaded = await importDeviceIdentity(JSON.parse(JSON.stringify(stored)));
    const proof = await createDeviceProof({
      identity: reloaded,
      client,
      role: "operator",
      scopes: ["operator.admin"],
      auth: { token: "secret" },
      nonce: "n-1",
      signedAtMs: 1_000_000,
    });
    const context = {
      client,
      role: "operator",
      scopes: ["operator.admin"],
      auth: { token: "secret" },
      expectedNonce: "n-1",
      nowMs: 1_000_000,
    };
    expect(await verifyDeviceProof(proof, context)).toMatchObject({ ok: true, payloadVersion: "v3" });
    const v2 = await createDeviceProof({
      ...context,
      identity,
      nonce: "n-1",
      signedAtMs: 1_000_000,
      version: "v2",
    });
    expect(await verifyDeviceProof(v2, context)).toMatchObject({ ok: true, payloadVersion: "v2" });
    expect(await verifyDeviceProof(v2, { ...context, allowV2: false })).toMatchObject({
      ok: false,
      code: "DEVICE_AUTH_SIGNATURE_INVALID",
    });
  });

  it("returns a precise code for each bad proof", async () => {
    const identity = await generateDeviceIdentity();
    const other = await generateDeviceIdentity();
    const now = 5_000_000;
    const context = {
      client,
      role: "operator",
      scopes: ["operator.read"],
      expectedNonce: "nonce",
      nowMs: now,
    };
    const good = await createDeviceProof({ ...context, identity, nonce: "nonce", signedAtMs: now });
    const cases: [
      string,
      Parameters<typeof verifyDeviceProof>[0],
      Partial<typeof context> & object,
      string,
    ][] = [
      ["wrong device id", { ...good, id: other.deviceId }, {}, "DEVICE_AUTH_DEVICE_ID_MISMATCH"],
      ["garbage public key", { ...good, publicKey: "!!" }, {}, "DEVICE_AUTH_PUBLIC_KEY_INVALID"],
      [
        "short public key",
        { ...good, publicKey: base64UrlEncode(new Uint8Array(16)) },
        {},
        "DEVICE_AUTH_PUBLIC_KEY_INVALID",
      ],
      [
        "stale signedAt",
        good,
        { nowMs: now + DEVICE_SIGNATURE_MAX_SKEW_MS + 1 },
        "DEVICE_AUTH_SIGNATURE_EXPIRED",
      ],
      [
        "future signedAt",
        good,
        { nowMs: now - DEVICE_SIGNATURE_MAX_SKEW_MS - 1 },
        "DEVICE_AUTH_SIGNATURE_EXPIRED",
      ],
      ["missing nonce", { ...good, nonce: undefined }, {}, "DEVICE_AUTH_NONCE_REQUIRED"],
      ["other nonce", good, { expectedNonce: "other" }, "DEVICE_AUTH_NONCE_MISMATCH"],
      [
        "bad signature",
        { ...good, signature: base64UrlEncode(new Uint8Array(64)) },
        {},
        "DEVICE_AUTH_SIGNATURE_INVALID",
      ],
      ["non-base64 signature", { ...good, signature: "*" }, {}, "DEVICE_AUTH_SIGNATURE_INVALID"],
      [
        "other key signed",
        { ...good, id: other.deviceId, publicKey: other.publicKey },
        {},
        "DEVICE_AUTH_SIGNATURE_INVALID",
      ],
      ["scopes widened after signing", good, { scopes: ["operator.admin"] }, "DEVICE_AUTH_SIGNATURE_INVALID"],
    ];
    for (const [name, proof, override, code] of cases) {
      const result = await verifyDeviceProof(proof, { ...context, ...override });
      expect(result.ok, name).toBe(false);
      if (!result.ok) expect(result.code, name).toBe(code);
    }
    expect(deviceAuthErrorShape("DEVICE_AUTH_NONCE_MISMATCH", "m")).toEqual({
      code: "INVALID_REQUEST",
      message: "m",
      details: { code: "DEVICE_AUTH_NONCE_MISMATCH" },
    });
  });

  it("accepts an SPKI PEM public key", async () => {
    const identity = await generateDeviceIdentity();
    const raw = base64UrlDecode(identity.publicKey);
    const der = new Uint8Array([
      0x30,
      0x2a,
      0x30,
      0x05,
      0x06,
      0x03,
      0x2b,
      0x65,
      0x70,
      0x03,
      0x21,
      0x00,
      ...raw,
    ]);
    const pem = `-----BEGIN PUBLIC KEY-----\n${btoa(String.fromCharCode(...der))}\n-----END PUBLIC KEY-----\n`;
    expect(decodePublicKey(pem)).toEqual(raw);
    expect(await deviceIdFromPublicKey(pem)).toBe(identity.deviceId);
  });

  it("builds v2 exactly as documented", () => {
    expect(
      buildDeviceAuthPayloadV2({
        deviceId: "d",
        clientId: "cli",
        clientMode: "cli",
        role: "operator",
        scopes: ["operator.read", "operator.write"],
        signedAtMs: 42,
        token: "t",
        nonce: "n",
      }),
    ).toBe("v2|d|cli|cli|operator|operator.read,operator.write|42|t|n");
  });
});
