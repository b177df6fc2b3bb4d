import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProcessRegistry } from "../../packages/core/src/tools/process-registry.js";
import type { ToolContext, ToolsRuntimeConfig } from "../../packages/core/src/tools/types.js";
import {
  fetchFollowingRedirects,
  isPrivateAddress,
  webFetchTool,
} from "../../packages/core/src/tools/web-fetch.js";

// SSRF: web_fetch must never reach loopback/private addresses, whatever the spelling of the
// address, on the first hop or after a redirect.

let server: Server;
let port: number;
let hits = 0;

beforeAll(async () => {
  server = createServer((_request, response) => {
    hits++;
    response.writeHead(200, { "content-type": "text/plain" });
    response.end("internal secret");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function context(toolsConfig: ToolsRuntimeConfig = {}): ToolContext {
  return {
    agentId: "main",
    sessionKey: "agent:main:main",
    workspaceDir: process.cwd(),
    signal: new AbortController().signal,
    toolsConfig,
    fetch,
    processes: new ProcessRegistry(),
    outputCap: 10_000,
    now: Date.now,
  };
}

const SPELLINGS = [
  "127.0.0.1",
  "[::ffff:127.0.0.1]",
  "[::ffff:7f00:1]",
  "[0:0:0:0:0:ffff:127.0.0.1]",
  "[0:0:0:0:0:ffff:7f00:0001]",
  "[::127.0.0.1]",
  "[::7f00:1]",
  "[64:ff9b::127.0.0.1]",
  "[64:ff9b::7f00:1]",
  "[2002:7f00:1::]",
  "[::ffff:0:127.0.0.1]",
  "[::1]",
  "[::]",
  "0.0.0.0",
  "2130706433",
  "0x7f000001",
  "0x7f.0.0.1",
  "0177.0.0.1",
  "017700000001",
  "127.1",
  "127.0.1",
  "localhost",
  "LOCALHOST.",
  "api.localhost",
];

describe("web_fetch refuses every spelling of loopback (real server on 127.0.0.1)", () => {
  it.each(SPELLINGS)("http://%s:PORT/ is refused and never reaches the server", async (host) => {
    const before = hits;
    await expect(webFetchTool.execute({ url: `http://${host}:${port}/` }, context())).rejects.toMatchObject({
      code: "blocked_address",
      message: expect.stringMatching(/refused .*private or loopback.*allowPrivateNetwork/),
    });
    expect(hits).toBe(before);
  });

  it("the same server is reachable when tools.web.fetch.allowPrivateNetwork is set", async () => {
    const result = await webFetchTool.execute(
      { url: `http://[::ffff:127.0.0.1]:${port}/` },
      context({ web: { fetch: { allowPrivateNetwork: true } } }),
    );
    expect(result.content).toBe("internal secret");
  });
});

describe("redirects are checked on every hop", () => {
  const redirectTargets = [
    "http://127.0.0.1:PORT/admin",
    "http://[::ffff:127.0.0.1]:PORT/admin",
    "http://[::ffff:7f00:1]:PORT/admin",
    "http://[0:0:0:0:0:ffff:127.0.0.1]:PORT/admin",
    "http://[64:ff9b::7f00:1]:PORT/admin",
  ];
  it.each(redirectTargets)("a public page redirecting to %s is refused", async (target) => {
    const location = target.replace("PORT", String(port));
    const before = hits;
    const requested: string[] = [];
    // the first hop stands for a public site (no public server is reachable from a test);
    // every later hop goes through the real, address-checking transport
    const { pinnedRequest } = await import("../../packages/core/src/tools/pinned-request.js");
    const request: typeof pinnedRequest = async (url, options) => {
      requested.push(url.href);
      if (url.hostname === "public.example")
        return {
          status: 302,
          statusText: "Found",
          header: (name) => (name === "location" ? location : undefined),
          body: Readable.from([]) as never,
        };
      return pinnedRequest(url, options);
    };
    await expect(
      fetchFollowingRedirects(
        new URL("http://public.example/start"),
        { signal: AbortSignal.timeout(10_000), allowPrivate: false },
        request,
      ),
    ).rejects.toMatchObject({ code: "blocked_address" });
    expect(requested).toEqual(["http://public.example/start", new URL(location).href]);
    expect(hits).toBe(before);
  });
});

describe("address classification", () => {
  it("judges IPv6 forms by the IPv4 address they carry", () => {
    for (const address of [
      "::ffff:7f00:1",
      "::ffff:10.0.0.1",
      "::ffff:a9fe:a9fe",
      "64:ff9b::a9fe:a9fe",
      "2002:a9fe:a9fe::1",
      "fe80::1",
      "fd00::1",
      "ff02::1",
      "2001::1",
      "169.254.169.254",
      "100.64.0.1",
      "not-an-address",
    ])
      expect(isPrivateAddress(address), address).toBe(true);
    for (const address of ["93.184.216.34", "::ffff:93.184.216.34", "64:ff9b::5db8:d822", "2606:4700::1111"])
      expect(isPrivateAddress(address), address).toBe(false);
  });
});

describe("DNS: the address the socket connects to is the one that was checked", () => {
  it("a name resolving to loopback (or to a public and a loopback address) never reaches the server", async () => {
    const { createGuardedLookup, pinnedRequest, BlockedAddressError } = await import(
      "../../packages/core/src/tools/pinned-request.js"
    );
    const answers: Record<string, { address: string; family: number }[]> = {
      "rebind.example": [{ address: "127.0.0.1", family: 4 }],
      "mixed.example": [
        { address: "93.184.216.34", family: 4 },
        { address: "127.0.0.1", family: 4 },
      ],
      "mapped.example": [{ address: "::ffff:127.0.0.1", family: 6 }],
    };
    let resolutions = 0;
    const lookup = createGuardedLookup((hostname, _options, callback) => {
      resolutions++;
      callback(null, answers[hostname] ?? []);
    });
    const before = hits;
    for (const host of Object.keys(answers)) {
      const failure = await pinnedRequest(new URL(`http://${host}:${port}/`), {
        signal: AbortSignal.timeout(10_000),
        headers: {},
        allowPrivate: false,
        lookup,
      }).catch((error: unknown) => error);
      expect(failure, host).toBeInstanceOf(BlockedAddressError);
    }
    // one resolution per request: nothing is resolved again between the check and the connect
    expect(resolutions).toBe(3);
    expect(hits).toBe(before);
  });
});
