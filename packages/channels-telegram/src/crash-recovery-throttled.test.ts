import { telegramUpdate } from "@openclaw/testkit";
import { expect, it } from "vitest";
import { crashHarness } from "./__fixtures__/crash-harness.js";

const harness = crashHarness();
const gateway = (hang: boolean) => harness.gateway(hang);

it("kill -9 during a throttled backlog (default settings): every message answered exactly once", async () => {
  // 4 chats × 4 messages: Telegram's default throttle sends one message per second per chat, so
  // most replies wait in the throttle queue when the process dies.
  const chats = [7012345601, 7012345602, 7012345603, 7012345604];
  const expected: string[] = [];
  const first = gateway(false);
  await first.line((l) => l === "ready");
  let messageId = 1;
  for (let round = 0; round < 4; round++)
    for (const chat of chats) {
      const text = `m${round}-${chat}`;
      expected.push(`${chat} echo: ${text}`);
      harness.fake.inject(telegramUpdate("privateText", { text, fromId: chat, messageId: messageId++ }));
    }
  // every message has started its turn (the replies are queued) and a few replies went out
  for (const text of expected) await first.line((l) => l === `turn:${text.split("echo: ")[1]}`);
  await harness.fake.waitForSent(chats.length + 1);
  first.child.kill("SIGKILL");
  await first.exited;
  const beforeRestart = harness.fake.sent.length;
  expect(beforeRestart).toBeLessThan(expected.length);

  const second = gateway(false);
  await second.line((l) => l === "ready");
  // safety net only: on failure the missing replies never come
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    harness.fake.waitForSent(expected.length),
    new Promise((resolve) => {
      timer = setTimeout(resolve, 20_000);
    }),
  ]);
  clearTimeout(timer);
  second.child.kill("SIGTERM");
  await second.exited;
  const replies = harness.fake.sent.map((sent) => `${sent.chatId} ${sent.text}`).sort();
  // 0 lost, 0 doubled
  expect(replies).toEqual(expected.sort());
}, 45_000);
