import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ProcessRegistry } from "./process-registry.js";
import type { ToolContext, ToolsRuntimeConfig } from "./types.js";
import { BRAVE_SEARCH_URL, webSearchTool } from "./web-search.js";

// The FAQ's « Comment activer la recherche web » config (tools.web.search { enabled, apiKey,
// maxResults }) against a fake Brave Search answering in its wire format on 127.0.0.1.

let server: Server;
let origin: string;
let requests: IncomingMessage[];

beforeEach(async () => {
  requests = [];
  server = createServer((request, response) => {
    requests.push(request);
    const url = new URL(request.url ?? "/", "http://x");
    if (request.headers["x-subscription-token"] !== "BRAVE_KEY") {
      response.writeHead(401, { "content-type": "application/json" });
      response.end(JSON.stringify({ type: "ErrorResponse", error: { code: "SUBSCRIPTION_TOKEN_INVALID" } }));
      return;
    }
    const count = Number(url.searchParams.get("count"));
    const results = Array.from({ length: 8 }, (_, index) => ({
      title: `${url.searchParams.get("q")} ${index + 1}`,
      url: `https://example.com/${index + 1}`,
      description: `about <strong>${url.searchParams.get("q")}</strong>`,
    })).slice(0, count);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        type: "search",
        query: { original: url.searchParams.get("q") },
        web: { type: "search", results },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function context(toolsConfig: ToolsRuntimeConfig, now = Date.now): ToolContext {
  return {
    agentId: "main",
    sessionKey: "agent:main:main",
    workspaceDir: "/nonexistent",
    signal: new AbortController().signal,
    toolsConfig,
    // the real endpoint's requests, sent to the fake instead
    fetch: (input, init) => fetch(String(input).replace(new URL(BRAVE_SEARCH_URL).origin, origin), init),
    processes: new ProcessRegistry(),
    outputCap: 10_000,
    now,
  };
}

describe("web_search (Brave)", () => {
  it("the FAQ's config: maxResults results with titles, URLs and snippets, the key sent as Brave wants it", async () => {
    const config = { web: { search: { enabled: true, apiKey: "BRAVE_KEY", maxResults: 5 } } };
    const result = await webSearchTool.execute({ query: "openclaw faq" }, context(config));
    expect(result.content.split("\n").slice(0, 3)).toEqual([
      "1. openclaw faq 1",
      "   https://example.com/1",
      "   about openclaw faq",
    ]);
    expect(result.content).toContain("5. openclaw faq 5");
    expect(result.content).not.toContain("6. ");
    const url = new URL(requests[0]?.url ?? "", origin);
    expect(url.pathname).toBe("/res/v1/web/search");
    expect(url.searchParams.get("q")).toBe("openclaw faq");
    expect(requests[0]?.headers.accept).toBe("application/json");
  });

  it("repeats within cacheTtlMinutes are answered from the cache; count overrides maxResults", async () => {
    let clock = 1_000_000;
    const config = { web: { search: { apiKey: "BRAVE_KEY", cacheTtlMinutes: 15 } } };
    await webSearchTool.execute(
      { query: "cached", count: 2 },
      context(config, () => clock),
    );
    const again = await webSearchTool.execute(
      { query: "cached", count: 2 },
      context(config, () => clock),
    );
    expect(requests).toHaveLength(1);
    expect(again.content.split("\n").filter((line) => /^\d+\. /.test(line))).toHaveLength(2);
    clock += 16 * 60_000;
    await webSearchTool.execute(
      { query: "cached", count: 2 },
      context(config, () => clock),
    );
    expect(requests).toHaveLength(2);
  });

  it("a wrong key, no key, a disabled search: each says what to do", async () => {
    await expect(
      webSearchTool.execute({ query: "q" }, context({ web: { search: { apiKey: "wrong" } } })),
    ).rejects.toThrow(/HTTP 401 \(check the Brave Search API key\)/);
    const saved = process.env.BRAVE_API_KEY;
    delete process.env.BRAVE_API_KEY;
    try {
      await expect(webSearchTool.execute({ query: "q" }, context({}))).rejects.toThrow(
        /needs a Brave Search API key: set tools\.web\.search\.apiKey .* or BRAVE_API_KEY/,
      );
    } finally {
      if (saved !== undefined) process.env.BRAVE_API_KEY = saved;
    }
    await expect(
      webSearchTool.execute(
        { query: "q" },
        context({ web: { search: { enabled: false, apiKey: "BRAVE_KEY" } } }),
      ),
    ).rejects.toThrow(/tools\.web\.search\.enabled = false/);
  });
});
