import { isIP } from "node:net";
import { networkInterfaces } from "node:os";

export type BindMode = "loopback" | "lan" | "custom" | "auto" | "tailnet";
export const BIND_MODES: readonly BindMode[] = ["loopback", "lan", "custom", "auto", "tailnet"];

/**
 * The eight 16-bit words of an IPv6 address in any spelling (`::` shorthand, an IPv4 tail), or
 * undefined when `value` is not an IPv6 address.
 */
export function ipv6Words(value: string): number[] | undefined {
  if (isIP(value) !== 6) return undefined;
  let text = value.toLowerCase();
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = rest ? rest.split(":") : [];
  const words =
    rest === undefined ? left : [...left, ...new Array(8 - left.length - right.length).fill("0"), ...right];
  return words.map((word) => Number.parseInt(word, 16));
}

/** Fold IPv4-mapped IPv6 (`::ffff:1.2.3.4`, `::ffff:102:304`) to `1.2.3.4`, lower-case IPv6, drop a zone id. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return "unknown";
  let value = address.trim().toLowerCase();
  if (value.startsWith("[") && value.endsWith("]")) value = value.slice(1, -1);
  const zone = value.indexOf("%");
  if (zone >= 0) value = value.slice(0, zone);
  const words = ipv6Words(value);
  if (words?.slice(0, 5).every((word) => word === 0) && words[5] === 0xffff) {
    const [high = 0, low = 0] = words.slice(6);
    value = `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return value;
}

/** Loopback: an address in 127.0.0.0/8, `::1` in any spelling (or IPv4-mapped 127/8), or `localhost` exactly. */
export function isLoopbackAddress(address: string | undefined): boolean {
  const value = normalizeAddress(address);
  if (value === "localhost") return true;
  if (isIP(value) === 4) return value.startsWith("127.");
  const words = ipv6Words(value);
  return Boolean(words?.slice(0, 7).every((word) => word === 0) && words[7] === 1);
}

/** Headers a reverse proxy adds (Tailscale Serve, nginx, Caddy, …) when it relays someone else. */
const PROXY_HEADERS = [
  "x-forwarded-for",
  "x-forwarded-host",
  "x-real-ip",
  "forwarded",
  "tailscale-user-login",
];

/** What `clientAddress` answers for a loopback peer that relays for someone else. */
export const PROXIED_ADDRESS = "proxied";

/**
 * The client address every policy uses (loopback trust, rate-limit buckets, logs). A request from
 * loopback that carries proxy headers comes from whoever the proxy serves (the tailnet behind
 * `tailscale serve`, the internet behind nginx), so it is not local: it gets `PROXIED_ADDRESS`,
 * one non-loopback bucket for everything relayed. The forwarded-for value itself is never trusted.
 */
export function clientAddress(
  socketAddress: string | undefined,
  headers: Record<string, string | string[] | undefined>,
): string {
  const remote = normalizeAddress(socketAddress);
  if (isLoopbackAddress(remote) && PROXY_HEADERS.some((name) => headers[name] !== undefined))
    return PROXIED_ADDRESS;
  return remote;
}

/** A host name from a URL (`[::1]` brackets allowed): loopback by the same rule as an address. */
export function isLoopbackHost(host: string): boolean {
  return isLoopbackAddress(host);
}

/**
 * The rate-limit bucket of a client address: every loopback address (127.0.0.0/8, ::1) is one
 * bucket, an IPv6 address counts by its /64 (what one host is usually given), an IPv4 address by
 * itself. One attacker holding a whole range gets one budget, not one per address.
 */
export function addressBucket(address: string | undefined): string {
  const value = normalizeAddress(address);
  if (isLoopbackAddress(value)) return "loopback";
  const words = ipv6Words(value);
  if (!words) return value;
  return `${words
    .slice(0, 4)
    .map((word) => word.toString(16))
    .join(":")}::/64`;
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
