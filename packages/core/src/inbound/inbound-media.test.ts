import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { InboundMedia } from "@openclaw/protocol";
import { MediaTooLargeError } from "@openclaw/protocol/channel";
import {
  createMockChannel,
  createMockProvider,
  fakeMediaBytes,
  MockLanguageModelV1,
  mockTextResponse,
} from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { middayClock } from "../__fixtures__/midday-clock.js";
import { type Assistant, createAssistant } from "../assistant.js";
import type { RuntimeConfig } from "../models/runtime-config.js";
import { type ChannelManager, createChannelManager } from "./channel-manager.js";
import { assistantForChannels } from "./gateway-adapters.js";

// A channel's inbound image through the real pipeline and assistant to the model's prompt. The
// channel is the in-memory mock plugin with a `media.download` serving bytes by ref.

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const PHOTO = fakeMediaBytes("image/png", 2000);

let dir: string;
let assistant: Assistant | undefined;
let manager: ChannelManager | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-inbound-media-"));
});
afterEach(async () => {
  await manager?.stop();
  await assistant?.close();
  manager = undefined;
  assistant = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** What the model got in the user message: its text parts and image parts. */
interface Seen {
  text: string;
  images: { mimeType?: string; bytes: number }[];
}

function setup(modelInput: string[]) {
  const seen: Seen[] = [];
  const downloads: string[] = [];
  const model = new MockLanguageModelV1({
    provider: "mock",
    modelId: "a",
    script: (options) => {
      const last = options.messages.at(-1) as { content: unknown };
      const parts = (Array.isArray(last.content) ? last.content : []) as {
        type: string;
        text?: string;
        data?: string;
        mediaType?: string;
      }[];
      seen.push({
        text: parts
          .filter((p) => p.type === "text")
          .map((p) => p.text)
          .join(""),
        images: parts
          .filter((p) => p.type === "image")
          .map((p) => ({
            ...(p.mediaType ? { mimeType: p.mediaType } : {}),
            bytes: Buffer.from(String(p.data), "base64").length,
          })),
      });
      return mockTextResponse("Vu.");
    },
  });
  const channel = createMockChannel();
  const plugin = {
    ...channel.plugin,
    media: {
      async download({ media, maxBytes }: { media: InboundMedia; maxBytes: number }) {
        downloads.push(media.ref);
        if (media.ref === "gone") throw new Error("HTTP 404");
        if (media.ref === "huge") throw new MediaTooLargeError(maxBytes + 1, maxBytes, false);
        // the channel's own mediaMaxMb (1 MB) is below the host's cap
        if (media.ref === "channel-capped") throw new MediaTooLargeError(2 * 1024 * 1024, 1024 * 1024);
        return { data: PHOTO, mimeType: "image/png" };
      },
    },
  };
  const config: RuntimeConfig = {
    agents: {
      defaults: { workspace: path.join(dir, "workspace"), model: { primary: "mock/a", fallbacks: [] } },
    },
    models: { providers: { mock: { models: [{ id: "a", input: modelInput }] } } },
    channels: { mock: { allowFrom: ["100"] } },
  } as RuntimeConfig;
  assistant = createAssistant({
    clock: middayClock(),
    config,
    providers: [createMockProvider({ id: "mock", models: { a: model } })],
    stateDir: path.join(dir, "state"),
    env: {},
  });
  manager = createChannelManager({
    plugins: [plugin],
    getConfig: () => config as never,
    stateDir: path.join(dir, "state"),
    assistant: assistantForChannels(assistant),
    logger: quiet,
  });
  return { channel, manager, seen, downloads };
}

describe("inbound channel images reach the model", () => {
  it("an image sent on a channel is an image part of the user message; a failed download is a note", async () => {
    const { channel, manager, seen, downloads } = setup(["text", "image"]);
    await manager.start();
    await channel.inject({
      text: "que vois-tu ?",
      media: [
        { kind: "image", ref: "photo-1", mimeType: "image/png", fileName: "photo.png" },
        { kind: "image", ref: "gone", mimeType: "image/jpeg" },
        { kind: "image", ref: "huge" },
        { kind: "image", ref: "channel-capped" },
        { kind: "voice", ref: "voice-1", mimeType: "audio/ogg", sizeBytes: 12_000 },
      ],
    });
    const [reply] = await channel.waitForSent(1);
    expect(reply?.text).toBe("Vu.");
    expect(downloads).toEqual(["photo-1", "gone", "huge", "channel-capped"]);
    expect(seen[0]?.images).toEqual([{ mimeType: "image/png", bytes: PHOTO.byteLength }]);
    expect(seen[0]?.text).toContain("que vois-tu ?");
    expect(seen[0]?.text).toContain("[image: image/jpeg — could not be downloaded: HTTP 404]");
    expect(seen[0]?.text).toContain("[image omitted: larger than the 5.0 MB limit (mediaMaxMb)]");
    expect(seen[0]?.text).toContain("[image omitted: 2.0 MB is over the 1.0 MB limit (mediaMaxMb)]");
    expect(seen[0]?.text).toContain("[voice: audio/ogg, 12 KB]");
  });

  it("at most 10 images of a message are downloaded; the others are named in the text", async () => {
    const { channel, manager, seen, downloads } = setup(["text", "image"]);
    await manager.start();
    const media = Array.from({ length: 12 }, (_, i) => ({
      kind: "image" as const,
      ref: `photo-${i + 1}`,
      fileName: `p${i + 1}.png`,
    }));
    await channel.inject({ text: "l'album", media });
    await channel.waitForSent(1);
    expect(downloads).toHaveLength(10);
    expect(seen[0]?.images).toHaveLength(10);
    expect(seen[0]?.text).toContain("[image: p11.png — not passed: at most 10 images per message]");
    expect(seen[0]?.text).toContain("[image: p12.png — not passed: at most 10 images per message]");
  });

  it("a text-only model: the sender is told to switch models, nothing is lost silently", async () => {
    const { channel, manager, seen } = setup(["text"]);
    await manager.start();
    await channel.inject({
      text: "et ça ?",
      media: [{ kind: "image", ref: "photo-1", mimeType: "image/png" }],
    });
    const [reply] = await channel.waitForSent(1);
    expect(reply?.text).toMatch(/mock\/a does not accept images/);
    expect(seen).toEqual([]);
  });
});
