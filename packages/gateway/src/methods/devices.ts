import type { DeviceTokenRecord, PairedDevice, PendingDeviceRequest } from "@openclaw/core/state/devices";
import type { MethodResult } from "@openclaw/protocol";
import { assertCanGrant, withGrantCheck } from "../authority.js";
import { GatewayMethodError } from "../types.js";
import type { GatewayMethods } from "./context.js";

type PendingRow = MethodResult<"device.pair.list">["pending"][number];

/** A paired device without its token values (what leaves the process). */
function publicDevice(device: PairedDevice): Omit<PairedDevice, "tokens"> & {
  tokens: Omit<DeviceTokenRecord, "token">[];
} {
  const { tokens, ...rest } = device;
  return { ...rest, tokens: Object.values(tokens ?? {}).map(({ token: _token, ...meta }) => meta) };
}

/** A pending request as the protocol lists it (`role` is one the protocol knows, or absent). */
function pendingRow({ role, ...request }: PendingDeviceRequest): PendingRow {
  return { ...request, ...(role === "operator" || role === "node" ? { role } : {}) };
}

function notFound(message: string): GatewayMethodError {
  return new GatewayMethodError({ code: "INVALID_REQUEST", message, details: { code: "INVALID_PARAMS" } });
}

/** device.pair.* and device.token.*: the operator's view of the device pairing records. */
export const devicesMethods = {
  "device.pair.list": async (_params, ctx) => ({
    pending: Object.values(await ctx.gateway.devices.pending()).map(pendingRow),
    paired: Object.values(await ctx.gateway.devices.paired()).map(publicDevice),
  }),

  "device.pair.approve": async (params, ctx) => {
    const asked = (await ctx.gateway.devices.pending())[params.requestId];
    if (asked) assertCanGrant(ctx.caller.scopes, asked.scopes, "approve a pairing request");
    // checked again inside the locked write: the device may have widened its request since
    const device = await withGrantCheck("approve a pairing request", () =>
      ctx.gateway.devices.approve(params.requestId, { callerScopes: ctx.caller.scopes }),
    );
    if (!device) throw notFound(`unknown pairing request: ${params.requestId}`);
    ctx.broadcast("device.pair.resolved", {
      requestId: params.requestId,
      deviceId: device.deviceId,
      decision: "approved",
      ts: Date.now(),
    });
    return { requestId: params.requestId, device: publicDevice(device) };
  },

  "device.pair.reject": async (params, ctx) => {
    const request = await ctx.gateway.devices.reject(params.requestId);
    if (!request) throw notFound(`unknown pairing request: ${params.requestId}`);
    ctx.broadcast("device.pair.resolved", {
      requestId: params.requestId,
      deviceId: request.deviceId,
      decision: "rejected",
      ts: Date.now(),
    });
    return { requestId: params.requestId, deviceId: request.deviceId };
  },

  "device.pair.remove": async (params, ctx) => {
    const device = await ctx.gateway.devices.remove(params.deviceId);
    if (!device) throw notFound(`unknown device: ${params.deviceId}`);
    ctx.gateway.closeWhere((conn) => conn.deviceId === device.deviceId, "unauthorized: device removed");
    return { deviceId: device.deviceId, removed: true, removedAtMs: Date.now() };
  },

  "device.token.rotate": async (params, ctx) => {
    // the token handed back carries these scopes: the caller must hold them (admin only from an admin)
    const target = await ctx.gateway.devices.get(params.deviceId);
    const scopes = params.scopes ?? target?.tokens?.[params.role]?.scopes ?? target?.scopes ?? [];
    assertCanGrant(ctx.caller.scopes, scopes, "issue a device token");
    const record = await withGrantCheck("issue a device token", () =>
      ctx.gateway.devices.rotateToken(params.deviceId, params.role, params.scopes, {
        callerScopes: ctx.caller.scopes,
      }),
    );
    if (!record) throw notFound(`unknown device: ${params.deviceId}`);
    ctx.gateway.revalidateAll();
    return {
      deviceId: params.deviceId,
      role: record.role,
      token: record.token,
      scopes: record.scopes,
      rotatedAtMs: record.rotatedAtMs ?? record.createdAtMs,
    };
  },

  "device.token.revoke": async (params, ctx) => {
    const record = await ctx.gateway.devices.revokeToken(params.deviceId, params.role);
    if (!record) throw notFound(`no ${params.role} token for device ${params.deviceId}`);
    ctx.gateway.revalidateAll();
    return { deviceId: params.deviceId, role: record.role, revokedAtMs: record.revokedAtMs ?? Date.now() };
  },
} satisfies GatewayMethods;
