import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createMockChannel } from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFilePairingStore } from "../state/dm-pairing-store.js";
import { type ChannelManager, createChannelManager } from "./channel-manager.js";
import type { InboundHostConfig } from "./inbound-pipeline.js";

// The log lines the gateway runbook tells users to grep for when a channel is connected but the
// bot stays silent: `drop guild message (mention required`, `pairing request`, `blocked` / `allowlist`.

let stateDir: string;
let manager: ChannelManager | undefined;
beforeEach(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-access-gate-"));
});
afterEach(async () => {
  await manager?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

function start(config: InboundHostConfig) {
  const lines: string[] = [];
  const record = (message: string) => void lines.push(message);
  const channel = createMockChannel();
  manager = createChannelManager({
    plugins: [channel.plugin],
    getConfig: () => config,
    stateDir,
    assistant: { enqueue: async () => ({ payloads: [{ text: "ok" }] }) },
    logger: { debug: record, info: record, warn: record, error: record },
    pairing: createFilePairingStore({ stateDir }),
  });
  return { manager, channel, lines };
}

describe("the runbook's signatures for a silent bot", () => {
  it("a guild message without a mention: `drop guild message (mention required)`", async () => {
    const { manager, channel, lines } = start({ channels: { mock: { groupPolicy: "open" } } });
    await manager.start();
    await channel.inject({ text: "chatter", chat: { type: "group", id: "c1", guildId: "g1" } });
    await manager.pipeline.idle();
    expect(lines).toContain("inbound: drop guild message (mention required)");
  });

  it("a group outside the allowlist: `blocked` / `allowlist`", async () => {
    const { manager, channel, lines } = start({ channels: { mock: {} } });
    await manager.start();
    await channel.inject({ text: "hi", chat: { type: "group", id: "-1" }, mentioned: true });
    await manager.pipeline.idle();
    expect(lines).toContain("inbound: drop group message (blocked by allowlist)");
  });

  it("an unknown DM sender under dmPolicy pairing: `pairing request`, then pending", async () => {
    const { manager, channel, lines } = start({ channels: { mock: {} } });
    await manager.start();
    const from = { sender: { id: "555" }, chat: { type: "direct" as const, id: "555" } };
    await channel.inject({ text: "hello?", messageId: "d1", ...from });
    await channel.waitForSent(1);
    await channel.inject({ text: "again", messageId: "d2", ...from });
    await manager.pipeline.idle();
    expect(lines.filter((line) => /pairing/.test(line))).toEqual([
      "inbound: pairing request (code sent to the sender; approve with `openclaw pairing approve`)",
      "inbound: drop DM message (pairing pending)",
    ]);
  });
});
