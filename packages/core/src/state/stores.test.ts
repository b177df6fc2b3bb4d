import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AuthProfileStore } from "./auth-profile-store.js";
import { DevicePairingStore } from "./device-pairing-store.js";
import { DM_PAIRING_TTL_MS, DmPairingStore } from "./dm-pairing-store.js";
import { createFileStateStore, createMemoryStateStore } from "./state-store.js";

describe("DM pairing store", () => {
  it("8-character codes, at most 3 pending per account, 1 h expiry, approve allows the sender", async () => {
    let now = Date.parse("2026-04-01T12:00:00Z");
    const dir = mkdtempSync(join(tmpdir(), "openclaw-pairing-"));
    const store = new DmPairingStore({ state: createFileStateStore(dir), now: () => now });
    const first = await store.challenge("telegram", "default", { id: "111", username: "ada" });
    expect(first?.created).toBe(true);
    expect(first?.request.code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    const again = await store.challenge("telegram", "default", { id: "111" });
    expect(again).toMatchObject({ created: false, request: { code: first?.request.code } });
    await store.challenge("telegram", "default", { id: "222" });
    await store.challenge("telegram", "default", { id: "333" });
    expect(await store.challenge("telegram", "default", { id: "444" })).toBeUndefined();
    expect(await store.challenge("telegram", "work", { id: "444" })).toMatchObject({ created: true });
    await expect(store.challengeOrThrow("telegram", "default", { id: "555" })).rejects.toMatchObject({
      code: "STATE_PAIRING_LIMIT",
    });

    const approved = await store.approve("telegram", first!.request.code.toLowerCase());
    expect(approved?.id).toBe("111");
    expect(await store.allowFrom("telegram")).toEqual(["111"]);
    expect(await store.approve("telegram", first!.request.code)).toBeUndefined();
    expect(statSync(join(dir, "credentials/telegram-pairing.json")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "credentials/telegram-allowFrom.json")).mode & 0o777).toBe(0o600);

    now += DM_PAIRING_TTL_MS;
    expect(await store.list("telegram")).toEqual([]);
    expect(await store.challenge("telegram", "default", { id: "444" })).toMatchObject({ created: true });
  });

  it("per-account allowFrom files and removal", async () => {
    const state = createMemoryStateStore();
    const store = new DmPairingStore({ state });
    await store.addAllowFrom("whatsapp", "+1555", "biz");
    expect(await store.allowFrom("whatsapp", "biz")).toEqual(["+1555"]);
    expect(await store.allowFrom("whatsapp")).toEqual([]);
    expect([...state.files.keys()]).toContain("credentials/whatsapp-biz-allowFrom.json");
    expect(await store.removeAllowFrom("whatsapp", "+1555", "biz")).toBe(true);
  });
});

describe("auth profiles", () => {
  it("stores credentials 0600 and keeps unknown fields", async () => {
    const dir = mkdtempSync(join(tmpdir(), "openclaw-auth-"));
    const state = createFileStateStore(dir);
    await state.writeText(
      "agents/main/agent/auth-profiles.json",
      JSON.stringify({ version: 1, profiles: {}, futureField: 1 }),
    );
    const store = new AuthProfileStore(state, "main");
    await store.upsert("anthropic:default", { type: "api_key", provider: "anthropic", key: "sk-ant-1" });
    await store.upsert("openai:work", { type: "api_key", provider: "openai", key: "sk-2" });
    await store.recordUsage("anthropic:default", { ok: true }, 42);
    expect((await store.list("anthropic")).map((p) => p.id)).toEqual(["anthropic:default"]);
    const file = await store.read();
    expect(file.futureField).toBe(1);
    expect(file.lastGood).toEqual({ anthropic: "anthropic:default" });
    expect(file.usageStats?.["anthropic:default"]).toMatchObject({ lastUsed: 42, errorCount: 0 });
    expect(statSync(join(dir, "agents/main/agent/auth-profiles.json")).mode & 0o777).toBe(0o600);
    expect(await store.remove("openai:work")).toBe(true);
  });
});

describe("device pairing store", () => {
  it("@openclaw/core/state/devices (loaded by the idle gateway) reaches neither zod nor json5", async () => {
    const { staticGraph } = await import("../../../../scripts/import-graph.js");
    const { packages, files } = staticGraph(join(import.meta.dirname, "device-pairing-store.ts"));
    expect([...packages]).not.toContain("zod");
    expect([...packages]).not.toContain("json5");
    expect([...files].filter((file) => file.includes("/core/src/") && !/\/(state|fs)\//.test(file))).toEqual(
      [],
    );
  });

  it("request → approve issues a token; rotate and remove", async () => {
    let now = 1_000;
    const store = new DevicePairingStore(createMemoryStateStore(), { now: () => now });
    const request = await store.request({
      deviceId: "dev1",
      publicKey: "pk",
      role: "operator",
      scopes: ["operator.read"],
    });
    const again = await store.request({
      deviceId: "dev1",
      publicKey: "pk",
      role: "operator",
      scopes: ["operator.read"],
    });
    expect(again.requestId).toBe(request.requestId);
    expect(Object.keys(await store.pending())).toEqual([request.requestId]);
    const device = await store.approve(request.requestId);
    expect(device?.tokens.operator?.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await store.pending()).toEqual({});
    const rotated = await store.rotateToken("dev1", "operator");
    expect(rotated?.token).not.toBe(device?.tokens.operator?.token);
    expect((await store.paired()).dev1?.tokens.operator?.token).toBe(rotated?.token);
    now += 10 * 60_000;
    const late = await store.request({ deviceId: "dev2", publicKey: "pk2", role: "node", scopes: [] });
    now += 10 * 60_000;
    expect(await store.approve(late.requestId)).toBeUndefined();
    expect(await store.remove("dev1")).toMatchObject({ deviceId: "dev1" });
    expect(await store.remove("dev1")).toBeUndefined();
  });

  it("on disk (OpenClaw's devices/paired.json): another process's approval is seen at once, unknown fields kept, 0600", async () => {
    const dir = mkdtempSync(join(tmpdir(), "openclaw-devices-"));
    const gateway = new DevicePairingStore(dir);
    const cli = new DevicePairingStore(createFileStateStore(dir));
    const request = await gateway.request({
      deviceId: "d1",
      publicKey: "pk",
      role: "operator",
      scopes: ["operator.read"],
    });
    // the CLI (another store on the same dir) approves; the gateway's next read has it
    const approved = await cli.approve(request.requestId);
    expect(approved?.roles).toEqual(["operator"]);
    const found = await gateway.findToken(approved!.tokens.operator!.token);
    expect(found?.device.deviceId).toBe("d1");
    expect(gateway.getSync("d1")?.deviceId).toBe("d1");
    expect(gateway.findTokenSync(approved!.tokens.operator!.token)?.device.deviceId).toBe("d1");
    const file = join(dir, "devices/paired.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // a field OpenClaw writes that this store does not know survives an update
    const raw = JSON.parse(readFileSync(file, "utf8"));
    raw.d1.futureField = "kept";
    writeFileSync(file, JSON.stringify(raw));
    await gateway.revokeToken("d1", "operator");
    expect(JSON.parse(readFileSync(file, "utf8")).d1).toMatchObject({ futureField: "kept" });
    expect(await gateway.findToken(approved!.tokens.operator!.token)).toBeUndefined();
    // the synchronous cache sees a change made by another store (process) on the same dir
    await cli.remove("d1");
    expect(gateway.getSync("d1")).toBeUndefined();
    await cli.approve({ deviceId: "d1", publicKey: "pk", role: "operator", scopes: ["operator.read"] });
    await gateway.revokeToken("d1", "operator");
    // a revoked role gets a fresh token on the next ensure; scopes from the argument
    const fresh = await gateway.ensureToken("d1", "operator", ["operator.read"]);
    expect(fresh?.token).not.toBe(approved!.tokens.operator!.token);
    expect(await gateway.ensureToken("d1", "operator", ["operator.admin"])).toEqual(fresh);
  });

  it("a direct approval (loopback) pairs at once, drops the device's pending requests and adds roles and scopes", async () => {
    const store = new DevicePairingStore(createMemoryStateStore());
    await store.request({ deviceId: "d2", publicKey: "pk", role: "operator", scopes: ["operator.read"] });
    const first = await store.approve({
      deviceId: "d2",
      publicKey: "pk",
      role: "operator",
      scopes: ["operator.read"],
    });
    expect(await store.pending()).toEqual({});
    const second = await store.approve({ deviceId: "d2", publicKey: "pk", role: "node", scopes: [] });
    expect(second?.roles).toEqual(["operator", "node"]);
    expect(second?.scopes).toEqual(["operator.read"]);
    expect(second?.tokens.operator?.token).toBe(first?.tokens.operator?.token);
    expect(Object.keys(second?.tokens ?? {})).toEqual(["operator", "node"]);
  });
});

describe("channel credentials", () => {
  it("JSON per channel account, 0600, listable and removable", async () => {
    const { ChannelCredentialStore } = await import("./channel-credential-store.js");
    const dir = mkdtempSync(join(tmpdir(), "openclaw-creds-"));
    const store = new ChannelCredentialStore(createFileStateStore(dir));
    await store.set("whatsapp", "biz", "creds", { me: { id: "1555" } });
    expect(await store.get("whatsapp", "biz", "creds")).toEqual({ me: { id: "1555" } });
    expect(statSync(join(dir, "credentials/whatsapp/biz/creds.json")).mode & 0o777).toBe(0o600);
    expect(await store.accounts("whatsapp")).toEqual(["biz"]);
    await store.delete("whatsapp", "biz");
    expect(await store.get("whatsapp", "biz", "creds")).toBeUndefined();
  });
});
