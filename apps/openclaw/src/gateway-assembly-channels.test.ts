import { EventEmitter } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "@openclaw/gateway";
import { createMockChannel } from "@openclaw/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createChannelHost, type Enqueuing } from "./gateway-assembly-channels.js";

// Connecting channels does not create the assistant: it is created with the first channel message
// (or by anything else, such as a chat), and replies it announces on its bus reach the channels
// either way.

const quiet = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), "openclaw-channels-lazy-"));
  dirs.push(dir);
  const channel = createMockChannel();
  const bus = new EventEmitter();
  let created = 0;
  const assistant: Enqueuing & { bus: EventEmitter } = {
    bus,
    enqueue: async ({ text }) => ({ payloads: [{ text: `echo: ${text}` }] }),
  };
  const createdListeners: (() => void)[] = [];
  const host = createChannelHost({
    config: () => ({ channels: { mock: { dmPolicy: "open", allowFrom: ["*"] } } }),
    stateDir: dir,
    logger: quiet,
    plugins: [channel.plugin],
    assistant: async () => {
      created++;
      for (const listener of createdListeners.splice(0)) listener();
      return assistant;
    },
    assistantCreated: (listener) => createdListeners.push(listener),
  });
  return { channel, bus, host, created: () => created, createdListeners };
}

describe("the gateway's channels and the lazily created assistant", () => {
  it("connects without creating the assistant; the first message creates it, once", async () => {
    const { channel, host, created } = await setup();
    await host.start();
    try {
      const status = (await host.channels.status({})) as {
        channels: Record<string, { accounts: { running: boolean }[] }>;
      };
      expect(status.channels.mock?.accounts[0]).toMatchObject({ running: true });
      expect(created()).toBe(0);
      await channel.inject({ text: "hello" });
      expect((await channel.waitForSent(1))[0]).toMatchObject({ text: "echo: hello" });
      await channel.inject({ text: "again" });
      expect((await channel.waitForSent(2))[1]).toMatchObject({ text: "echo: again" });
      expect(created()).toBe(1);
    } finally {
      await host.stop();
    }
  });

  it("an assistant created elsewhere (a chat) delivers its announces to the channel it names", async () => {
    const { channel, bus, host, created, createdListeners } = await setup();
    await host.start();
    try {
      await host.channels.status({});
      expect(created()).toBe(0);
      // what the gateway's lazy assistant does when a chat creates it
      for (const listener of createdListeners.splice(0)) listener();
      await expect.poll(() => bus.listenerCount("reply")).toBe(1);
      bus.emit("reply", {
        sessionKey: "agent:main:mock:direct:100",
        origin: "subagent",
        route: { channel: "mock", accountId: "default", to: "100" },
        result: {
          messageId: "m-1",
          status: "ok",
          text: "done",
          payloads: [{ text: "Your helper is done." }],
        },
      });
      expect((await channel.waitForSent(1))[0]).toMatchObject({ to: "100", text: "Your helper is done." });
    } finally {
      await host.stop();
    }
  });
});
