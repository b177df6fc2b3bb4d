import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type DevicePairingInput,
  DevicePairingStore,
  ScopeGrantDeniedError,
} from "../../packages/core/src/state/device-pairing-store.js";

// Between an operator reading a pending pairing request and approving it, the same device can
// reconnect and widen its request (same request id, more scopes); between reading a device's token
// scopes and rotating it without explicit scopes, an admin can widen that token. The store checks
// the caller's scopes on the record as it is inside the locked write, so neither gap hands out a
// scope the caller does not hold.

const PAIRING_OPERATOR = ["operator.pairing", "operator.read"];

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "openclaw-device-race-"));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

const device = (scopes: string[]): DevicePairingInput => ({
  deviceId: "dev-1",
  publicKey: "pk",
  role: "operator",
  scopes,
  clientId: "cli",
});

async function pairedOnDisk(): Promise<
  Record<string, { scopes: string[]; tokens: Record<string, { scopes: string[] }> }>
> {
  try {
    return JSON.parse(await readFile(join(stateDir, "devices", "paired.json"), "utf8"));
  } catch {
    return {};
  }
}

describe("device pairing approval checks the caller's scopes inside the locked write", () => {
  it("a request widened to operator.admin after the operator looked is refused and stays pending", async () => {
    const gateway = new DevicePairingStore(stateDir);
    const operator = new DevicePairingStore(stateDir); // another process (the CLI) on the same files
    const { requestId } = await gateway.request(device(["operator.read"]));
    const seen = (await operator.pending())[requestId];
    expect(seen?.scopes).toEqual(["operator.read"]); // what the operator decided on

    // the device reconnects asking for more: same device and role keep the request id
    const widened = await gateway.request(device(["operator.read", "operator.admin"]));
    expect(widened.requestId).toBe(requestId);

    const approval = operator.approve(requestId, { callerScopes: PAIRING_OPERATOR });
    await expect(approval).rejects.toBeInstanceOf(ScopeGrantDeniedError);
    await expect(approval).rejects.toMatchObject({ code: "MISSING_SCOPE", missing: ["operator.admin"] });
    expect(await pairedOnDisk()).toEqual({});
    expect((await gateway.pending())[requestId]?.scopes).toEqual(["operator.read", "operator.admin"]);

    // an admin may approve it
    const approved = await gateway.approve(requestId, { callerScopes: ["operator.admin"] });
    expect(approved?.scopes).toEqual(["operator.read", "operator.admin"]);
  });

  it("approvals racing re-requests never pair scopes the approving caller does not hold", async () => {
    for (let round = 0; round < 20; round++) {
      const dir = join(stateDir, `round-${round}`);
      const gateway = new DevicePairingStore(dir);
      const operator = new DevicePairingStore(dir);
      const { requestId } = await gateway.request(device(["operator.read"]));
      const outcomes = await Promise.allSettled([
        gateway.request(device(["operator.read", "operator.admin"])),
        operator.approve(requestId, { callerScopes: PAIRING_OPERATOR }),
      ]);
      const approval = outcomes[1];
      const paired = (await new DevicePairingStore(dir).paired())["dev-1"];
      if (approval.status === "fulfilled" && approval.value) {
        // approved before the widening landed: only what was asked then
        expect(paired?.scopes).toEqual(["operator.read"]);
        expect(paired?.tokens.operator?.scopes).toEqual(["operator.read"]);
      } else {
        expect(approval.status === "rejected" ? approval.reason : undefined).toBeInstanceOf(
          ScopeGrantDeniedError,
        );
        expect(paired).toBeUndefined();
      }
    }
  });

  it("rotating without scopes is checked on the token as it is when written, not as the caller read it", async () => {
    const gateway = new DevicePairingStore(stateDir);
    const operator = new DevicePairingStore(stateDir);
    await gateway.approve(device(["operator.read"]));
    const looked = await operator.get("dev-1");
    expect(looked?.tokens.operator?.scopes).toEqual(["operator.read"]); // grantable by the operator

    // meanwhile an admin widens the device's token
    await gateway.rotateToken("dev-1", "operator", ["operator.read", "operator.admin"], {
      callerScopes: ["operator.admin"],
    });
    const before = (await pairedOnDisk())["dev-1"]?.tokens.operator;

    const rotation = operator.rotateToken("dev-1", "operator", undefined, { callerScopes: PAIRING_OPERATOR });
    await expect(rotation).rejects.toMatchObject({ code: "MISSING_SCOPE", missing: ["operator.admin"] });
    // nothing written: the admin's token is unchanged and no new token leaked
    expect((await pairedOnDisk())["dev-1"]?.tokens.operator).toEqual(before);

    // within the caller's scopes it works
    const narrowed = await operator.rotateToken("dev-1", "operator", ["operator.read"], {
      callerScopes: PAIRING_OPERATOR,
    });
    expect(narrowed?.scopes).toEqual(["operator.read"]);
  });

  it("without a caller (the local CLI, which owns the files) approval and rotation are not restricted", async () => {
    const store = new DevicePairingStore(stateDir);
    const { requestId } = await store.request(device(["operator.admin"]));
    expect((await store.approve(requestId))?.scopes).toEqual(["operator.admin"]);
    expect((await store.rotateToken("dev-1", "operator"))?.scopes).toEqual(["operator.admin"]);
  });
});
