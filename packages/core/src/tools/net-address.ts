import net from "node:net";

/**
 * Address classification for outbound requests made on the model's behalf (web_fetch).
 * Every spelling of an address is reduced to its bytes first, so IPv4-mapped (`::ffff:7f00:1`),
 * IPv4-compatible (`::127.0.0.1`), NAT64 (`64:ff9b::7f00:1`) and 6to4 (`2002:7f00:1::`) forms
 * are judged by the IPv4 address they carry.
 */

/** IPv4 dotted quad → 4 bytes (strict: exactly four decimal parts, as `net.isIPv4` accepts). */
function ipv4Bytes(address: string): number[] | undefined {
  if (!net.isIPv4(address)) return undefined;
  return address.split(".").map(Number);
}

/** IPv6 text → 16 bytes, embedded dotted IPv4 tails and `::` included; undefined when not IPv6. */
export function ipv6Bytes(address: string): number[] | undefined {
  const text = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (!net.isIPv6(text)) return undefined;
  let head = text;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const v4 = ipv4Bytes(dotted[1]);
    if (!v4) return undefined;
    tail.push(...v4);
    head = text.slice(0, -dotted[1].length);
    if (!head.endsWith("::")) head = head.slice(0, -1);
  }
  const groupsNeeded = 8 - tail.length / 2;
  const [left = "", right] = head.split("::");
  const parse = (part: string) => (part ? part.split(":").filter((g) => g !== "") : []);
  const leftGroups = parse(left);
  const rightGroups = right === undefined ? [] : parse(right);
  const missing = groupsNeeded - leftGroups.length - rightGroups.length;
  if (missing < 0 || (right === undefined && missing !== 0)) return undefined;
  const groups = [...leftGroups, ...Array<string>(missing).fill("0"), ...rightGroups];
  const bytes: number[] = [];
  for (const group of groups) {
    const value = Number.parseInt(group, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  return [...bytes, ...tail];
}

function isPrivateIpv4([a = 0, b = 0, c = 0]: number[]): boolean {
  return (
    a === 0 || // "this network", 0.0.0.0
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // CGNAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) || // IETF protocol assignments, TEST-NET-1
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    a >= 224 // multicast, reserved, broadcast
  );
}

const startsWith = (bytes: number[], prefix: number[]) =>
  prefix.every((value, index) => bytes[index] === value);

function isPrivateIpv6(bytes: number[]): boolean {
  const v4 = bytes.slice(12);
  const zeros = (count: number) => bytes.slice(0, count).every((value) => value === 0);
  // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (SIIT translated)
  if (zeros(10) && bytes[10] === 0xff && bytes[11] === 0xff) return isPrivateIpv4(v4);
  if (zeros(8) && bytes[8] === 0xff && bytes[9] === 0xff && bytes[10] === 0 && bytes[11] === 0)
    return isPrivateIpv4(v4);
  // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d
  if (zeros(12)) return true;
  // NAT64 well-known prefix 64:ff9b::/96 carries an IPv4 address; 64:ff9b:1::/48 is local-use
  if (startsWith(bytes, [0, 0x64, 0xff, 0x9b]) && bytes.slice(4, 12).every((v) => v === 0))
    return isPrivateIpv4(v4);
  if (startsWith(bytes, [0, 0x64, 0xff, 0x9b, 0, 1])) return true;
  // 6to4 2002:AABB:CCDD::/48 carries AA.BB.CC.DD
  if (startsWith(bytes, [0x20, 0x02])) return isPrivateIpv4(bytes.slice(2, 6));
  // Teredo 2001:0::/32 hides an obfuscated IPv4: refuse the whole prefix
  if (startsWith(bytes, [0x20, 0x01, 0, 0])) return true;
  if (startsWith(bytes, [0x20, 0x01, 0x0d, 0xb8])) return true; // documentation
  if (startsWith(bytes, [0x01, 0, 0, 0, 0, 0, 0, 0])) return true; // discard 100::/64
  const first = bytes[0] ?? 0;
  const second = bytes[1] ?? 0;
  return (
    (first & 0xfe) === 0xfc || // unique local fc00::/7
    (first === 0xfe && (second & 0xc0) === 0x80) || // link-local fe80::/10
    (first === 0xfe && (second & 0xc0) === 0xc0) || // site-local fec0::/10
    first === 0xff // multicast
  );
}

/**
 * True for loopback, private, link-local, CGNAT, unique-local, multicast, reserved and
 * unspecified addresses, in any IPv4 or IPv6 spelling (mapped, compatible, NAT64, 6to4).
 * Anything that is not a parseable IP address is treated as private (fail closed).
 */
export function isPrivateAddress(address: string): boolean {
  const text = address.trim().replace(/^\[|\]$/g, "");
  const v4 = ipv4Bytes(text);
  if (v4) return isPrivateIpv4(v4);
  const v6 = ipv6Bytes(text);
  if (v6) return isPrivateIpv6(v6);
  return true;
}

/** Host names that always mean this machine, whatever DNS says. */
export function isLocalHostname(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.+$/, "");
  return host === "localhost" || host.endsWith(".localhost") || host === "";
}
