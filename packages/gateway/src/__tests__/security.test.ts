import { readFile, writeFile } from "node:fs/promises";
import { networkInterfaces } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import type { GatewayConfigStore } from "../types.js";
import {
  createDevice,
  handshake,
  RawPeer,
  type Started,
  startGateway,
  TOKEN,
  testConfigStore,
} from "./helpers.js";

let gw: Started | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

function lanAddress(): string | undefined {
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) if (entry.family === "IPv4" && !entry.internal) return entry.address;
  }
  return undefined;
}

describe("device pairing", () => {
  it("a non-loopback device gets PAIRING_REQUIRED with a request id until approved", async () => {
    const lan = lanAddress();
    gw = await startGateway(
      { gateway: { auth: { mode: "token", token: TOKEN } } },
      lan ? { bind: "custom", customBindHost: lan } : { autoApproveLoopback: false },
    );
    const admin = (await handshake(gw.address.url)).peer;
    const requested = admin.event("device.pair.requested");
    const device = createDevice();
    const first = await handshake(gw.address.url, { scopes: ["operator.read"] }, (nonce) =>
      device.proof(nonce, { scopes: ["operator.read"], token: TOKEN }),
    );
    expect(first.res.error?.code).toBe("NOT_PAIRED");
    expect(first.res.error?.details).toMatchObject({ code: "PAIRING_REQUIRED", reason: "not-paired" });
    const requestId = first.res.error?.details.requestId as string;
    expect(first.res.error?.message).toContain(`openclaw devices approve ${requestId}`);
    expect((await first.peer.closed).code).toBe(1008);
    expect((await requested).payload.requestId).toBe(requestId);

    const list = await admin.request("device.pair.list");
    expect(list.payload.pending.map((entry: { requestId: string }) => entry.requestId)).toEqual([requestId]);
    const approved = await admin.request("device.pair.approve", { requestId });
    expect(approved.payload.device.deviceId).toBe(device.id);
    expect(JSON.stringify(approved.payload)).not.toContain('"token"');

    const second = await handshake(gw.address.url, { scopes: ["operator.read"] }, (nonce) =>
      device.proof(nonce, { scopes: ["operator.read"], token: TOKEN }),
    );
    expect(second.res.ok).toBe(true);
    const deviceToken = second.res.payload.auth.deviceToken as string;
    expect(deviceToken).toBeTruthy();

    // revoking the device token closes the socket that used it
    const third = await handshake(
      gw.address.url,
      { scopes: ["operator.read"], auth: { deviceToken } },
      (nonce) => device.proof(nonce, { scopes: ["operator.read"], token: deviceToken }),
    );
    expect(third.res.ok).toBe(true);
    const revoked = await admin.request("device.token.revoke", { deviceId: device.id, role: "operator" });
    expect(revoked.ok).toBe(true);
    expect((await third.peer.closed).code).toBe(1008);
    second.peer.close();
    admin.close();
  });

  it("device.pair.reject drops the request and device.token.rotate issues a new token", async () => {
    gw = await startGateway(undefined, { autoApproveLoopback: false });
    const admin = (await handshake(gw.address.url)).peer;
    const device = createDevice();
    const first = await handshake(gw.address.url, {}, (nonce) => device.proof(nonce, { token: TOKEN }));
    const requestId = first.res.error?.details.requestId as string;
    expect((await admin.request("device.pair.reject", { requestId })).ok).toBe(true);
    expect((await admin.request("device.pair.list")).payload.pending).toEqual([]);
    const again = await handshake(gw.address.url, {}, (nonce) => device.proof(nonce, { token: TOKEN }));
    const secondId = again.res.error?.details.requestId as string;
    await admin.request("device.pair.approve", { requestId: secondId });
    const ok = await handshake(gw.address.url, {}, (nonce) => device.proof(nonce, { token: TOKEN }));
    const oldToken = ok.res.payload.auth.deviceToken;
    const rotated = await admin.request("device.token.rotate", { deviceId: device.id, role: "operator" });
    expect(rotated.payload.token).not.toBe(oldToken);
    const stale = await handshake(gw.address.url, { auth: { deviceToken: oldToken } });
    expect(stale.res.error?.details?.code).toBe("AUTH_DEVICE_TOKEN_MISMATCH");
    const removed = await admin.request("device.pair.remove", { deviceId: device.id });
    expect(removed.ok).toBe(true);
    admin.close();
    ok.peer.close();
  });
});

describe("auth", () => {
  it("rate-limits failed attempts per address with AUTH_RATE_LIMITED and retryAfterMs", async () => {
    gw = await startGateway({
      gateway: {
        auth: {
          mode: "token",
          token: TOKEN,
          rateLimit: { maxAttempts: 3, windowMs: 60000, lockoutMs: 60000 },
        },
      },
    });
    for (let attempt = 0; attempt < 3; attempt++) {
      const { res } = await handshake(gw.address.url, { auth: { token: "wrong" } });
      expect(res.error?.details?.code).toBe("AUTH_TOKEN_MISMATCH");
    }
    const limited = await handshake(gw.address.url, { auth: { token: TOKEN } });
    expect(limited.res.error).toMatchObject({ code: "UNAVAILABLE", details: { code: "AUTH_RATE_LIMITED" } });
    expect(limited.res.error?.retryAfterMs).toBeGreaterThan(50_000);
    expect((await limited.peer.closed).code).toBe(1008);
  });

  it("rotating gateway.auth.token closes live sockets that used the old one; the new one works", async () => {
    gw = await startGateway();
    const { peer } = await handshake(gw.address.url);
    const config = JSON.parse(await readFile(gw.configPath, "utf8"));
    config.gateway.auth.token = "rotated-token-abcdef";
    await writeFile(gw.configPath, JSON.stringify(config));
    const closed = await peer.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/^unauthorized/);
    const fresh = await handshake(gw.address.url, { auth: { token: "rotated-token-abcdef" } });
    expect(fresh.res.ok).toBe(true);
    fresh.peer.close();
  });

  // the per-request check resolves auth from a cache keyed on the config snapshot and the env
  // secrets: a change of either must still refuse the very next request
  it("a new OPENCLAW_GATEWAY_TOKEN refuses the next request on a socket that used the old one", async () => {
    const env: NodeJS.ProcessEnv = { OPENCLAW_GATEWAY_TOKEN: "env-token-before-0123" };
    gw = await startGateway({ gateway: { auth: { mode: "token" } } }, { env });
    const { peer, res } = await handshake(gw.address.url, { auth: { token: "env-token-before-0123" } });
    expect(res.ok).toBe(true);
    expect((await peer.request("health")).ok).toBe(true);
    env.OPENCLAW_GATEWAY_TOKEN = "env-token-after-456789";
    const refused = await peer.request("health");
    expect(refused.error?.details?.code).toBe("AUTH_UNAUTHORIZED");
    expect((await peer.closed).code).toBe(1008);
    const fresh = await handshake(gw.address.url, { auth: { token: "env-token-after-456789" } });
    expect(fresh.res.ok).toBe(true);
    expect((await fresh.peer.request("health")).ok).toBe(true);
    fresh.peer.close();
  });

  it("a token from an env SecretRef is read again on every request", async () => {
    // core's store resolves SecretRefs when it loads the file; a store that leaves them in the
    // config (as the GatewayConfigStore interface allows) has the gateway read the variable
    const env: NodeJS.ProcessEnv = { MY_GATEWAY_SECRET: "ref-token-before-0123" };
    const config = {
      gateway: { auth: { mode: "token", token: { source: "env", id: "MY_GATEWAY_SECRET" } } },
    };
    const snapshot = { path: "", exists: true, raw: null, config, hash: "sha256:", valid: true };
    const readOnly = () => Promise.reject(new Error("read-only"));
    const store: GatewayConfigStore = {
      path: "",
      snapshot: () => snapshot,
      set: readOnly,
      patch: readOnly,
      setPath: readOnly,
      schema: () => ({}),
      onChange: () => () => undefined,
    };
    gw = await startGateway(config, { env, config: store });
    const { peer, res } = await handshake(gw.address.url, { auth: { token: "ref-token-before-0123" } });
    expect(res.ok).toBe(true);
    expect((await peer.request("health")).ok).toBe(true);
    env.MY_GATEWAY_SECRET = "ref-token-after-456789";
    const refused = await peer.request("health");
    expect(refused.error?.details?.code).toBe("AUTH_UNAUTHORIZED");
    expect((await peer.closed).code).toBe(1008);
  });

  it("password mode compares the password", async () => {
    gw = await startGateway({ gateway: { auth: { mode: "password", password: "hunter2-hunter2" } } });
    const bad = await handshake(gw.address.url, { auth: { password: "nope" } });
    expect(bad.res.error?.details?.code).toBe("AUTH_PASSWORD_MISMATCH");
    const good = await handshake(gw.address.url, { auth: { password: "hunter2-hunter2" } });
    expect(good.res.ok).toBe(true);
    good.peer.close();
  });

  it("refuses a browser origin that is not allowed", async () => {
    gw = await startGateway();
    const peer = new RawPeer(gw.address.url, { Origin: "https://evil.example" });
    await peer.event("connect.challenge");
    const res = await peer.request("connect", {
      minProtocol: 3,
      maxProtocol: 4,
      client: { id: "openclaw-control-ui", version: "1", platform: "web", mode: "ui" },
      auth: { token: TOKEN },
    });
    expect(res.error?.details?.code).toBe("CONTROL_UI_ORIGIN_NOT_ALLOWED");
    expect((await peer.closed).code).toBe(1008);
  });

  it("allows at most 32 unauthenticated sockets per address (HTTP 503 beyond)", async () => {
    gw = await startGateway(undefined, { maxUnauthenticatedPerAddress: 4 });
    const peers = Array.from({ length: 4 }, () => new RawPeer(gw!.address.url));
    await Promise.all(peers.map((peer) => peer.event("connect.challenge")));
    const extra = new RawPeer(gw.address.url);
    await expect(extra.opened).rejects.toThrow(/503/);
    for (const peer of peers) peer.close();
    await Promise.all(peers.map((peer) => peer.closed));
    const later = await handshake(gw.address.url);
    expect(later.res.ok).toBe(true);
    later.peer.close();
  });

  it("closes a socket that never sends connect", async () => {
    gw = await startGateway(undefined, { connectTimeoutMs: 100 });
    const peer = new RawPeer(gw.address.url);
    await peer.event("connect.challenge");
    expect((await peer.closed).code).toBe(1000);
  });
});

describe("start-up safety", () => {
  it("refuses a non-loopback bind without auth", async () => {
    const { createGateway } = await import("../index.js");
    const { mkdtemp } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = await mkdtemp(join(tmpdir(), "openclaw-gw-"));
    const store = testConfigStore(join(dir, "openclaw.json"));
    const gateway = createGateway({
      config: store,
      stateDir: dir,
      port: 0,
      bind: "lan",
      logFile: join(dir, "log"),
    });
    await expect(gateway.listen()).rejects.toMatchObject({
      code: "BIND_WITHOUT_AUTH",
      message: expect.stringMatching(/^refusing to bind gateway to 0\.0\.0\.0:0 without auth/),
    });
    const none = createGateway({
      config: store,
      stateDir: dir,
      port: 0,
      bind: "lan",
      auth: { mode: "none" },
      logFile: join(dir, "log"),
    });
    await expect(none.listen()).rejects.toMatchObject({ code: "BIND_WITHOUT_AUTH" });
  });

  it("generates gateway.auth.token into the config on first loopback start", async () => {
    const { createGateway } = await import("../index.js");
    const { mkdtemp } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { stat } = await import("node:fs/promises");
    const JSON5 = (await import("json5")).default;
    const dir = await mkdtemp(join(tmpdir(), "openclaw-gw-"));
    const file = join(dir, "openclaw.json");
    // the user's own file (JSON5 with a comment): the token is added, nothing else is rewritten
    await writeFile(file, '{\n  // my settings\n  logging: { level: "info" },\n}\n');
    const store = testConfigStore(file);
    const gateway = createGateway({ config: store, stateDir: dir, port: 0, logFile: join(dir, "log") });
    await gateway.listen();
    const text = await readFile(file, "utf8");
    expect(text).toContain("// my settings");
    expect(JSON5.parse(text).gateway.auth.token).toBe(gateway.generatedToken);
    expect(JSON5.parse(text).logging).toEqual({ level: "info" });
    expect(gateway.generatedToken).toMatch(/^[0-9a-f]{48}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // the file as it was is kept as a backup
    expect(await readFile(`${file}.bak`, "utf8")).toContain("// my settings");
    await gateway.close();
  });

  it("a second gateway on the same state dir or port fails with the runbook's EADDRINUSE message", async () => {
    gw = await startGateway();
    const { createGateway } = await import("../index.js");
    const { join } = await import("node:path");
    const sameDir = createGateway({
      config: testConfigStore(gw.configPath),
      stateDir: gw.stateDir,
      port: 0,
      logFile: join(gw.stateDir, "log2"),
    });
    await expect(sameDir.listen()).rejects.toMatchObject({
      code: "EADDRINUSE",
      message: expect.stringContaining("another gateway instance is already listening on"),
    });
    const { mkdtemp } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const other = await mkdtemp(join(tmpdir(), "openclaw-gw-"));
    const samePort = createGateway({
      config: testConfigStore(gw.configPath),
      stateDir: other,
      port: gw.address.port,
      logFile: join(other, "log"),
    });
    const error = (await samePort.listen().catch((caught: unknown) => caught)) as Error & { code: string };
    expect(error.code).toBe("EADDRINUSE");
    expect(error.message).toContain(
      `another gateway instance is already listening on ${gw.address.url} (EADDRINUSE)`,
    );
  });
});

describe("invalid config", () => {
  it("refuses to start with a one-line CONFIG error naming the file and the problem", async () => {
    const { createGateway } = await import("../index.js");
    const { mkdtemp, writeFile: write } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = await mkdtemp(join(tmpdir(), "openclaw-gw-"));
    await write(join(dir, "openclaw.json"), "{ gateway: ");
    const store = testConfigStore(join(dir, "openclaw.json"));
    const gateway = createGateway({ config: store, stateDir: dir, port: 0, logFile: join(dir, "log") });
    const error = (await gateway.listen().catch((caught: unknown) => caught)) as Error & { code: string };
    expect(error.code).toBe("CONFIG");
    expect(error.message).toMatch(/^invalid config at .*openclaw\.json: /);
    expect(error.message).not.toContain("\n");
  });
});
