import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageName, REPO, staticGraph } from "../../../scripts/import-graph.js";
import { createDiscordChannel } from "./index.js";

// What a connected Discord account keeps in memory (docs/gateway.md "Memory"). The zod / core
// checks live in packages/gateway/src/__tests__/lazy-loading.test.ts.

/** A port nothing listens on (bound, then closed). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("what @openclaw/channels-discord loads", () => {
  it("does not import @discordjs/rest's Node entry (it loads npm's undici): REST comes from its web build", () => {
    const graph = staticGraph(join(REPO, "packages/channels-discord/src/index.ts"));
    const packages = [...graph.packages].map(packageName);
    expect(packages).not.toContain("@discordjs/rest");
    expect(packages).not.toContain("undici");
    expect(packages).toContain("@discordjs/ws");
  });

  it("the web build is there and is what the channel uses (a probe reaches a REST endpoint through it)", async () => {
    const port = await closedPort();
    const channel = createDiscordChannel({ env: {} });
    const account = channel.config.resolveAccount(
      { token: "t", apiBaseUrl: `http://127.0.0.1:${port}/api` },
      "default",
    );
    const probe = await channel.status?.probe?.({ accountId: "default", account, timeoutMs: 2_000 });
    // nothing listens there: reported as before, when requests went through npm's undici
    expect(probe).toMatchObject({ ok: false });
    expect(probe?.error).toBe("network: ECONNREFUSED");
  });
});
