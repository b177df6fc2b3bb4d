import { type ClientFlags, localPaths, print, resolveTarget } from "./gateway-local.js";
import { CliError, openRpc, runClient } from "./gateway-rpc.js";

interface Listing {
  pending: {
    requestId: string;
    deviceId: string;
    role: string;
    scopes: string[];
    remoteIp?: string;
    platform?: string;
    ts: number;
  }[];
  paired: {
    deviceId: string;
    displayName?: string;
    platform?: string;
    roles: string[];
    scopes: string[];
    approvedAtMs: number;
  }[];
}

/** Through the gateway when it runs; on the local pairing store when it does not. */
export async function devicesCommand(
  action: "list" | "approve" | "reject" | "remove",
  id: string | undefined,
  flags: ClientFlags,
): Promise<void> {
  await runClient(async () => {
    let call: (method: string, params?: unknown) => Promise<unknown>;
    let close: () => Promise<void> = async () => undefined;
    try {
      const session = await openRpc(resolveTarget(flags), ["operator.pairing", "operator.read"]);
      call = (method, params) => session.call(method, params);
      close = () => session.close();
    } catch (error) {
      if (flags.url || !(error instanceof CliError) || !error.message.startsWith("gateway connection failed"))
        throw error;
      const { DevicePairingStore } = await import("@openclaw/core/state/devices");
      const store = new DevicePairingStore(localPaths().stateDir);
      call = async (method, params) => {
        const p = (params ?? {}) as { requestId?: string; deviceId?: string };
        switch (method) {
          case "device.pair.list":
            return {
              pending: Object.values(await store.pending()),
              paired: Object.values(await store.paired()).map(({ tokens: _t, ...rest }) => rest),
            };
          case "device.pair.approve":
            return (
              (await store.approve(p.requestId!)) ??
              Promise.reject(new CliError(`unknown pairing request: ${p.requestId}`))
            );
          case "device.pair.reject":
            return (
              (await store.reject(p.requestId!)) ??
              Promise.reject(new CliError(`unknown pairing request: ${p.requestId}`))
            );
          default:
            return (
              (await store.remove(p.deviceId!)) ??
              Promise.reject(new CliError(`unknown device: ${p.deviceId}`))
            );
        }
      };
    }
    try {
      if (action === "list") {
        const listing = (await call("device.pair.list")) as Listing;
        if (flags.json) return print(JSON.stringify(listing, null, 2));
        const lines = [`Pending (${listing.pending.length}):`];
        for (const request of listing.pending) {
          lines.push(
            `  ${request.requestId}  device ${request.deviceId.slice(0, 12)}…  ${request.role} [${request.scopes.join(", ")}]  from ${request.remoteIp ?? "?"}  ${request.platform ?? ""}`,
          );
        }
        lines.push(`Paired (${listing.paired.length}):`);
        for (const device of listing.paired) {
          lines.push(
            `  ${device.deviceId}  ${device.displayName ?? device.platform ?? ""}  ${device.roles.join(",")} [${device.scopes.join(", ")}]`,
          );
        }
        if (listing.pending.length) lines.push("Approve one with `openclaw devices approve <requestId>`.");
        return print(lines.join("\n"));
      }
      const method = `device.pair.${action}`;
      const result = await call(method, action === "remove" ? { deviceId: id } : { requestId: id });
      if (flags.json) return print(JSON.stringify(result, null, 2));
      print(
        action === "approve"
          ? `Approved ${id}.`
          : action === "reject"
            ? `Rejected ${id}.`
            : `Removed device ${id}.`,
      );
    } finally {
      await close();
    }
  });
}
