import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ChannelManager, createChannelManager, type InboundTurn } from "@openclaw/core";
import { FakeTelegramServer, telegramUpdate } from "@openclaw/testkit";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createTelegramChannel } from "./telegram-channel.js";

// With Telegram's DEFAULT throttling (one request per second per chat), the per-chat budget goes
// to the replies: the ack reaction and the typing indicator are best-effort and never queue a
// reply behind them.

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const ALICE = 7012345678;

let fake: FakeTelegramServer;
let stateDir: string;
let manager: ChannelManager | undefined;
beforeEach(async () => {
  fake = await new FakeTelegramServer().start();
  stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-tg-budget-"));
});
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
  await fake.close();
  await rm(stateDir, { recursive: true, force: true });
});

it("ten rapid messages with default throttling are all answered; status calls never hold a reply back", async () => {
  // Every reaction and typing call hangs at the fake. A reply queued behind one of them in the
  // per-chat throttle queue would never be sent.
  for (let i = 0; i < 40; i++) {
    fake.fault({ kind: "hold", method: "setMessageReaction" });
    fake.fault({ kind: "hold", method: "sendChatAction" });
  }
  manager = createChannelManager({
    plugins: [createTelegramChannel({ env: {} })],
    // no `throttle` key: the library defaults apply
    getConfig: () => ({
      channels: {
        telegram: {
          botToken: fake.token,
          apiRoot: fake.url,
          pollTimeoutSeconds: 1,
          allowFrom: [String(ALICE)],
        },
      },
    }),
    stateDir,
    logger: quiet,
    assistant: {
      enqueue: async (turn: InboundTurn) => ({ payloads: [{ text: `echo: ${turn.text}` }] }),
    },
  });
  await manager.start();
  const texts = Array.from({ length: 10 }, (_, i) => `message ${i + 1}`);
  for (const [i, text] of texts.entries())
    fake.inject(telegramUpdate("privateText", { text, messageId: 100 + i }));

  await fake.waitForSent(10);
  const replies = fake
    .repliesTo(ALICE)
    .map((sent) => sent.text)
    .sort();
  expect(replies).toEqual(texts.map((text) => `echo: ${text}`).sort());
  // the status calls were made (best effort) but none of them was answered
  const count = (method: string) => fake.calls.filter((call) => call.method === method).length;
  expect(count("setMessageReaction")).toBeGreaterThan(0);
  expect(count("sendMessage")).toBe(10);
  // typing is coalesced per chat rather than sent once per message
  expect(count("sendChatAction")).toBeLessThan(10);
}, 30_000);
