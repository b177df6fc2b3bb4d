import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ChannelManager, createChannelManager, type InboundTurn } from "@openclaw/core";
import { FakeSlackServer } from "@openclaw/testkit";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createSlackChannel } from "./slack-channel.js";

// A dropped Socket Mode connection while Slack's Web API is unavailable: the account reconnects
// through the host's backoff and answers again. (With Bolt, the failed `apps.connections.open` of
// Socket Mode's own reconnect was an unhandled rejection: the process ended.)

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let fake: FakeSlackServer;
let stateDir: string;
let manager: ChannelManager | undefined;
beforeEach(async () => {
  fake = await new FakeSlackServer().start();
  stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-slack-reconnect-"));
});
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
  await fake.close();
  await rm(stateDir, { recursive: true, force: true });
});

it("reconnects after a dropped socket while apps.connections.open fails, then answers", async () => {
  const turns: InboundTurn[] = [];
  const errors: string[] = [];
  manager = createChannelManager({
    plugins: [createSlackChannel({ env: {} })],
    getConfig: () => ({
      channels: {
        slack: {
          botToken: fake.botToken,
          appToken: fake.appToken,
          apiUrl: fake.apiUrl,
          allowFrom: ["U0ALICE01"],
        },
      },
      messages: { ackReaction: "" },
    }),
    stateDir,
    assistant: {
      async enqueue(turn) {
        turns.push(turn);
        return { payloads: [{ text: `echo: ${turn.text}` }] };
      },
    },
    onStatus: async () => {
      const error = (await manager?.status())?.channels.slack?.accounts[0]?.lastError;
      if (error && !errors.includes(error)) errors.push(error);
    },
    logger: quiet,
    reconnect: { initialDelayMs: 5, maxDelayMs: 20, maxAttempts: 5 },
  });
  await manager.start();
  await fake.waitFor(() => fake.connected === 1);
  fake.fault({ kind: "http-error", method: "apps.connections.open", status: 503 });
  fake.dropConnections();
  await fake.waitFor(() => fake.connectionsOpened >= 2 && fake.connected === 1);
  fake.event("im", { text: "de retour ?" });
  const [reply] = await fake.waitForSent(1);
  expect(reply?.text).toBe("echo: de retour ?");
  expect(errors.some((error) => error.includes("503"))).toBe(true);
  expect((await manager.status()).channels.slack?.accounts[0]).toMatchObject({
    connected: true,
    running: true,
  });
});
