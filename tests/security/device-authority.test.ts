import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  connectWithDeviceToken,
  createDevice,
  handshake,
  pairDevice,
  type Started,
  startGateway,
  TOKEN,
} from "./helpers.js";

// Issue 12, points 1 and 2: nobody grants or approves scopes they do not hold themselves, admin is
// granted only by an admin, and a scope upgrade is a pairing request an admin approves (loopback too).

let gw: Started | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

async function storedScopes(stateDir: string, deviceId: string): Promise<string[]> {
  const paired = JSON.parse(await readFile(join(stateDir, "devices", "paired.json"), "utf8"));
  return paired[deviceId].scopes as string[];
}

describe("a pairing-scoped operator cannot make itself admin", () => {
  it("device.token.rotate refuses scopes the caller does not hold, for another device or itself", async () => {
    gw = await startGateway();
    const url = gw.address.url;
    const attacker = createDevice();
    const victim = createDevice();
    const attackerToken = await pairDevice(url, attacker, ["operator.pairing"]);
    await pairDevice(url, victim, ["operator.read"]);
    const { peer, res } = await connectWithDeviceToken(url, attackerToken, ["operator.pairing"]);
    expect(res.ok).toBe(true);
    expect(res.payload.auth.scopes).toEqual(["operator.pairing"]);

    const escalate = await peer.request("device.token.rotate", {
      deviceId: victim.id,
      role: "operator",
      scopes: ["operator.admin"],
    });
    expect(escalate.ok).toBe(false);
    expect(escalate.error).toMatchObject({
      code: "FORBIDDEN",
      details: { code: "MISSING_SCOPE", missingScope: "operator.admin" },
    });
    expect(escalate.error?.message).toMatch(/operator\.admin/);
    expect(JSON.stringify(escalate)).not.toContain('"token"');

    // without explicit scopes the victim's own (read) scopes would be handed over: also refused
    const steal = await peer.request("device.token.rotate", { deviceId: victim.id, role: "operator" });
    expect(steal.error).toMatchObject({ code: "FORBIDDEN", details: { missingScope: "operator.read" } });

    const self = await peer.request("device.token.rotate", {
      deviceId: attacker.id,
      role: "operator",
      scopes: ["operator.pairing", "operator.admin"],
    });
    expect(self.error).toMatchObject({ code: "FORBIDDEN", details: { missingScope: "operator.admin" } });

    // nothing changed on disk: the victim's token still carries read only
    const paired = JSON.parse(await readFile(join(gw.stateDir, "devices", "paired.json"), "utf8"));
    expect(paired[victim.id].tokens.operator.scopes).toEqual(["operator.read"]);
    expect(paired[attacker.id].tokens.operator.scopes).toEqual(["operator.pairing"]);
    peer.close();
  });

  it("device.pair.approve refuses a request for scopes the approver does not hold; an admin approves it", async () => {
    gw = await startGateway(undefined, { autoApproveLoopback: false });
    const url = gw.address.url;
    const admin = (await handshake(url)).peer;
    // the pairing operator: paired by the admin
    const operator = createDevice();
    const first = await handshake(url, { scopes: ["operator.pairing"] }, (nonce) =>
      operator.proof(nonce, { scopes: ["operator.pairing"], token: TOKEN }),
    );
    await admin.request("device.pair.approve", { requestId: first.res.error?.details.requestId });
    const paired = await handshake(url, { scopes: ["operator.pairing"] }, (nonce) =>
      operator.proof(nonce, { scopes: ["operator.pairing"], token: TOKEN }),
    );
    const { peer } = await connectWithDeviceToken(url, paired.res.payload.auth.deviceToken, [
      "operator.pairing",
    ]);

    // a newcomer asks for admin
    const newcomer = createDevice();
    const asking = await handshake(url, { scopes: ["operator.admin"] }, (nonce) =>
      newcomer.proof(nonce, { scopes: ["operator.admin"], token: TOKEN }),
    );
    const requestId = asking.res.error?.details.requestId as string;
    expect(requestId).toBeTruthy();

    const refused = await peer.request("device.pair.approve", { requestId });
    expect(refused.error).toMatchObject({
      code: "FORBIDDEN",
      details: { code: "MISSING_SCOPE", missingScope: "operator.admin" },
    });
    const list = await admin.request("device.pair.list");
    expect(list.payload.pending.map((entry: { requestId: string }) => entry.requestId)).toContain(requestId);
    expect(list.payload.paired.map((entry: { deviceId: string }) => entry.deviceId)).not.toContain(
      newcomer.id,
    );

    // a request within the operator's own scopes is approvable by it
    const modest = createDevice();
    const small = await handshake(url, { scopes: ["operator.pairing"] }, (nonce) =>
      modest.proof(nonce, { scopes: ["operator.pairing"], token: TOKEN }),
    );
    const approvedSmall = await peer.request("device.pair.approve", {
      requestId: small.res.error?.details.requestId,
    });
    expect(approvedSmall.ok).toBe(true);

    // the admin can approve the admin request
    const approved = await admin.request("device.pair.approve", { requestId });
    expect(approved.ok).toBe(true);
    expect(await storedScopes(gw.stateDir, newcomer.id)).toEqual(["operator.admin"]);
    peer.close();
    admin.close();
  });
});

describe("a scope upgrade is a pairing request, on loopback too", () => {
  it("a read-only device declaring operator.admin does not widen its stored record", async () => {
    gw = await startGateway();
    const url = gw.address.url;
    const device = createDevice();
    const deviceToken = await pairDevice(url, device, ["operator.read"]);
    expect(await storedScopes(gw.stateDir, device.id)).toEqual(["operator.read"]);

    const upgrade = await handshake(
      url,
      { scopes: ["operator.read", "operator.admin"], auth: { deviceToken } },
      (nonce) => device.proof(nonce, { scopes: ["operator.read", "operator.admin"], token: deviceToken }),
    );
    expect(upgrade.res.ok).toBe(false);
    expect(upgrade.res.error).toMatchObject({
      code: "NOT_PAIRED",
      details: { code: "PAIRING_REQUIRED", reason: "scope-upgrade" },
    });
    expect((await upgrade.peer.closed).code).toBe(1008);
    expect(await storedScopes(gw.stateDir, device.id)).toEqual(["operator.read"]);

    // the request waits for an admin; a token issued meanwhile still carries read only
    const admin = (await handshake(url)).peer;
    const list = await admin.request("device.pair.list");
    const pending = list.payload.pending.find((entry: { deviceId: string }) => entry.deviceId === device.id);
    expect(pending.scopes).toContain("operator.admin");
    await admin.request("device.token.revoke", { deviceId: device.id, role: "operator" });
    const again = await handshake(url, { scopes: ["operator.read"] }, (nonce) =>
      device.proof(nonce, { scopes: ["operator.read"], token: TOKEN }),
    );
    expect(again.res.ok).toBe(true);
    const paired = JSON.parse(await readFile(join(gw.stateDir, "devices", "paired.json"), "utf8"));
    expect(paired[device.id].tokens.operator.scopes).toEqual(["operator.read"]);

    // once the admin approves, the device has admin
    const approved = await admin.request("device.pair.approve", { requestId: pending.requestId });
    expect(approved.ok).toBe(true);
    expect(await storedScopes(gw.stateDir, device.id)).toEqual(["operator.read", "operator.admin"]);
    again.peer.close();
    admin.close();
  });

  it("the shared-secret holder still pairs a loopback device for any scope at once", async () => {
    gw = await startGateway();
    const device = createDevice();
    await pairDevice(gw.address.url, device, ["operator.read"]);
    await pairDevice(gw.address.url, device, ["operator.read", "operator.admin"]);
    expect(await storedScopes(gw.stateDir, device.id)).toEqual(["operator.read", "operator.admin"]);
  });
});
