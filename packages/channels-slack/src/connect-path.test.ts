import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FakeSlackServer, spawnGatewayChild } from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { packageName, REPO, staticGraph } from "../../../scripts/import-graph.js";

// What connecting a Slack account loads (the idle memory of a gateway with Slack, docs/channels.md):
// the Web API client and Socket Mode over the `ws` the gateway ships, not Bolt, its express and HTTP
// receivers, nor npm's undici (Socket Mode 3's WebSocket).

const here = path.dirname(fileURLToPath(import.meta.url));
const FORBIDDEN = ["@slack/bolt", "express", "undici", "@slack/oauth"];

let fake: FakeSlackServer;
let stateDir: string;
beforeEach(async () => {
  fake = await new FakeSlackServer().start();
  stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-slack-connect-"));
});
afterEach(async () => {
  await fake.close();
  await rm(stateDir, { recursive: true, force: true });
});

/** The packages a gateway-like process has loaded once its Slack account is connected. */
async function loadedWhenConnected(mode: "socket" | "http"): Promise<string[]> {
  const child = spawnGatewayChild(
    path.join(here, "__fixtures__/connect-child.ts"),
    {
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_APP_TOKEN: fake.appToken,
      SLACK_API_URL: fake.apiUrl,
      SLACK_MODE: mode,
      STATE_DIR: stateDir,
    },
    REPO,
  );
  await Promise.race([
    child.line((line) => line.startsWith("loaded:")),
    child.exited.then(() => {
      throw new Error(`connect-child exited early: ${child.stderr()}`);
    }),
  ]);
  await child.exited;
  const line = child.lines.find((l) => l.startsWith("loaded:")) ?? "";
  return JSON.parse(line.slice("loaded:".length)) as string[];
}

describe("what connecting a Slack account loads", () => {
  it("Socket Mode: the Web API client, @slack/socket-mode and ws; no Bolt, express or undici", async () => {
    const loaded = await loadedWhenConnected("socket");
    expect(fake.connectionsOpened).toBe(1);
    expect(loaded).toEqual(expect.arrayContaining(["@slack/web-api", "@slack/socket-mode", "ws"]));
    for (const name of FORBIDDEN) expect(loaded).not.toContain(name);
  });

  it("HTTP events mode: node:http, without the Socket Mode client", async () => {
    const loaded = await loadedWhenConnected("http");
    expect(fake.connectionsOpened).toBe(0);
    expect(loaded).toContain("@slack/web-api");
    for (const name of [...FORBIDDEN, "@slack/socket-mode", "ws"]) expect(loaded).not.toContain(name);
  });

  it("the package entry imports only the Web API client; Socket Mode and the HTTP receiver load with an account", () => {
    const entry = path.join(REPO, "packages/channels-slack/src/index.ts");
    const graph = staticGraph(entry);
    expect([...graph.packages].map(packageName).sort()).toEqual(["@slack/web-api"]);
    expect(graph.dynamic.get(path.join(REPO, "packages/channels-slack/src/slack-channel.ts"))).toEqual(
      expect.arrayContaining(["./socket-mode.js", "./http-events.js"]),
    );
  });
});
