import dns, { type LookupAddress, type LookupOptions } from "node:dns";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import net from "node:net";
import { isLocalHostname, isPrivateAddress } from "./net-address.js";

/** Raised when a request would reach a private, loopback or otherwise internal address. */
export class BlockedAddressError extends Error {
  readonly host: string;
  readonly address: string;
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, a private or loopback address`);
    this.name = "BlockedAddressError";
    this.host = host;
    this.address = address;
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for sockets that resolves once and validates what it returns: the address the
 * socket connects to is the one that was checked, so DNS rebinding has no window.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  createGuardedLookup(dns.lookup)(hostname, options, callback);
}

type Resolver = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** `guardedLookup` over another resolver (tests, custom DNS). */
export function createGuardedLookup(resolve: Resolver) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    if (isLocalHostname(hostname)) {
      callback(new BlockedAddressError(hostname, "localhost"), "");
      return;
    }
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "");
      const list = addresses;
      const blocked = list.find((entry) => isPrivateAddress(entry.address));
      if (blocked) return callback(new BlockedAddressError(hostname, blocked.address), "");
      if (list.length === 0) return callback(new Error(`no address for ${hostname}`), "");
      if (options.all) return callback(null, list);
      const first = list[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

export interface PinnedResponse {
  status: number;
  statusText: string;
  header(name: string): string | undefined;
  body: IncomingMessage;
}

/**
 * One HTTP(S) request, no redirects followed, that refuses internal addresses (unless
 * `allowPrivate`): IP literals are checked before connecting, names through `guardedLookup`, and
 * the socket's actual peer address is checked again once connected.
 */
export function pinnedRequest(
  url: URL,
  options: {
    signal: AbortSignal;
    headers: Record<string, string>;
    allowPrivate: boolean;
    /** The checked resolver the socket uses (default `guardedLookup`, over `dns.lookup`). */
    lookup?: typeof guardedLookup;
  },
): Promise<PinnedResponse> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!options.allowPrivate) {
    if (net.isIP(host) && isPrivateAddress(host))
      return Promise.reject(new BlockedAddressError(url.hostname, host));
    if (isLocalHostname(host)) return Promise.reject(new BlockedAddressError(url.hostname, "localhost"));
  }
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(url, {
      method: "GET",
      headers: options.headers,
      signal: options.signal,
      agent: false,
      ...(options.allowPrivate ? {} : { lookup: (options.lookup ?? guardedLookup) as never }),
    });
    if (!options.allowPrivate)
      request.on("socket", (socket) => {
        socket.once("connect", () => {
          const peer = socket.remoteAddress ?? "";
          if (isPrivateAddress(peer)) request.destroy(new BlockedAddressError(url.hostname, peer));
        });
      });
    request.once("error", reject);
    request.once("response", (response) => {
      resolve({
        status: response.statusCode ?? 0,
        statusText: response.statusMessage ?? "",
        header: (name) => {
          const value = response.headers[name.toLowerCase()];
          return Array.isArray(value) ? value.join(", ") : value;
        },
        body: response,
      });
    });
    request.end();
  });
}
