import { isIP } from "node:net";
import { networkInterfaces } from "node:os";

export type BindMode = "loopback" | "lan" | "custom" | "auto" | "tailnet";
export const BIND_MODES: readonly BindMode[] = ["loopback", "lan", "custom", "auto", "tailnet"];

/** Fold `::ffff:1.2.3.4` to `1.2.3.4`, lower-case IPv6, drop a zone id. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return "unknown";
  let value = address.trim().toLowerCase();
  const zone = value.indexOf("%");
  if (zone >= 0) value = value.slice(0, zone);
  if (value.startsWith("::ffff:") && isIP(value.slice(7)) === 4) value = value.slice(7);
  return value;
}

export function isLoopbackAddress(address: string | undefined): boolean {
  const value = normalizeAddress(address);
  return value === "::1" || value.startsWith("127.") || value === "localhost";
}

export function isLoopbackHost(host: string): boolean {
  return isLoopbackAddress(host);
}

function tailnetAddress(): string | undefined {
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.family !== "IPv4") continue;
      const [a, b] = entry.address.split(".").map(Number);
      if (a === 100 && b !== undefined && b >= 64 && b <= 127) return entry.address;
    }
  }
  return undefined;
}

/** The host to listen on for a bind mode. */
export function resolveBindHost(mode: BindMode, customHost?: string): string {
  switch (mode) {
    case "loopback":
    case "auto":
      return "127.0.0.1";
    case "lan":
      return "0.0.0.0";
    case "custom":
      if (!customHost) throw new Error("gateway.bind is custom but gateway.customBindHost is not set");
      return customHost;
    case "tailnet": {
      const address = tailnetAddress();
      if (!address)
        throw new Error("gateway.bind is tailnet but no Tailscale (100.64.0.0/10) address was found");
      return address;
    }
  }
}

/** ws://host:port with IPv6 brackets and 0.0.0.0 shown as the loopback address to dial. */
export function wsUrl(host: string, port: number): string {
  const dial = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `ws://${dial.includes(":") ? `[${dial}]` : dial}:${port}`;
}
