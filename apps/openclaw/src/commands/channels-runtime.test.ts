import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTelegramChannel } from "@openclaw/channels-telegram";
import { createAssistant } from "@openclaw/core";
import {
  createMockProvider,
  FakeTelegramServer,
  MockLanguageModelV1,
  mockTextResponse,
  telegramUpdate,
} from "@openclaw/testkit";
import { afterEach, beforeEach, expect, it } from "vitest";
import { startGatewayChannels } from "./channels-runtime.js";

let dir: string;
let fake: FakeTelegramServer;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-runtime-"));
  fake = await new FakeTelegramServer().start();
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

it("a Telegram DM reaches core's real assistant and model, the reply comes back; send/status work as gateway methods", async () => {
  const model = new MockLanguageModelV1({
    provider: "mock",
    modelId: "a",
    script: () => mockTextResponse("Bonjour **Alice** !"),
  });
  const config = {
    agents: { defaults: { workspace: path.join(dir, "ws"), model: "mock/a" } },
    channels: {
      telegram: {
        botToken: fake.token,
        apiRoot: fake.url,
        pollTimeoutSeconds: 1,
        throttle: false,
        allowFrom: ["7012345678"],
      },
    },
  };
  const assistant = createAssistant({
    config: config as never,
    providers: [createMockProvider({ id: "mock", models: { a: model } })],
    stateDir: path.join(dir, "state"),
    env: {},
  });
  const channels = await startGatewayChannels({
    getConfig: () => config,
    stateDir: path.join(dir, "state"),
    assistant,
    plugins: [createTelegramChannel({ env: {} })],
  });
  try {
    fake.inject(telegramUpdate("privateText"));
    const [reply] = await fake.waitForSent(1);
    expect(reply).toMatchObject({ chatId: "7012345678", text: "Bonjour <b>Alice</b> !" });
    expect(model.calls).toHaveLength(1);
    const sent = await channels.methods.send({
      channel: "telegram",
      to: "7012345678",
      message: "Rappel: `réunion`",
      idempotencyKey: "k1",
    });
    expect(sent).toMatchObject({ channel: "telegram", to: "7012345678" });
    expect(fake.sent[1]?.text).toBe("Rappel: <code>réunion</code>");
    const status = (await channels.methods.status({ probe: true })) as {
      channels: Record<string, { accounts: { connected: boolean; probe?: { ok: boolean } }[] }>;
    };
    expect(status.channels.telegram?.accounts[0]).toMatchObject({ connected: true, probe: { ok: true } });
    await expect(channels.methods.send({ channel: "fax", to: "1", message: "x" })).rejects.toThrow(
      /unknown channel: fax/,
    );
  } finally {
    await channels.close();
    await assistant.close();
  }
});
