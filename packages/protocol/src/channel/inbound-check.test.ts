import { describe, expect, it } from "vitest";
import { checkInboundMessage } from "./inbound-check.js";
import { InboundMessageSchema } from "./inbound-message.js";

// The zod-free check must accept exactly what the schema accepts and return exactly what it
// parses to (unknown keys dropped, defaults filled in), or the host would see another message.

const full = () => ({
  channel: "telegram",
  accountId: "default",
  messageId: "42",
  chat: { type: "group", id: "-100", title: "t", threadId: "7", isForumTopic: true, guildId: "g", extra: 1 },
  sender: { id: "7", username: "ann", displayName: "Ann", isBot: false, lang: "en" },
  text: "hello",
  mentioned: true,
  mentions: ["@bot"],
  replyTo: { messageId: "41", fromBot: true, text: "earlier", more: "x" },
  media: [{ kind: "image", ref: "file-1", mimeType: "image/png", fileName: "a.png", sizeBytes: 10, w: 3 }],
  command: "/start",
  timestamp: 1_700_000_000_000,
  vendor: { raw: true },
});
const minimal = () => ({
  channel: "slack",
  accountId: "a",
  messageId: "m",
  chat: { type: "direct", id: "D1" },
  sender: { id: "U1" },
  text: "",
  timestamp: 0,
});

function agrees(input: unknown) {
  const parsed = InboundMessageSchema.safeParse(input);
  const checked = checkInboundMessage(input);
  if (checked === undefined) expect(parsed.success, JSON.stringify(input)).toBe(false);
  else {
    expect(parsed.success, JSON.stringify(input)).toBe(true);
    expect(checked).toStrictEqual(parsed.data);
    expect(Object.keys(checked)).toEqual(Object.keys(parsed.data as object));
  }
  return checked;
}

describe("checkInboundMessage", () => {
  it("returns what the schema parses a well-formed message to", () => {
    expect(agrees(full())).toBeDefined();
    const parsed = agrees(minimal());
    expect(parsed).toMatchObject({ mentioned: false, mentions: [], media: [] });
    expect(
      agrees({
        ...minimal(),
        replyTo: undefined,
        command: undefined,
        chat: { type: "thread", id: "x", title: undefined },
      }),
    ).toBeDefined();
  });

  it("answers undefined where the schema rejects", () => {
    const broken: unknown[] = [
      undefined,
      null,
      [],
      "text",
      { ...minimal(), channel: "" },
      { ...minimal(), chat: { type: "dm", id: "1" } },
      { ...minimal(), sender: { id: 7 } },
      { ...minimal(), timestamp: Number.NaN },
      { ...minimal(), timestamp: "1" },
      { ...minimal(), media: [{ kind: "image", ref: "r", sizeBytes: -1 }] },
      { ...minimal(), media: [{ kind: "image", ref: "r", sizeBytes: 1.5 }] },
      { ...minimal(), mentions: [1] },
      { ...minimal(), mentioned: null },
      { ...minimal(), replyTo: null },
      { ...minimal(), command: 3 },
    ];
    for (const input of broken) expect(agrees(input), JSON.stringify(input)).toBeUndefined();
  });

  it("agrees with the schema on 3,000 fuzzed messages", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const values = [
      undefined,
      null,
      "",
      "x",
      0,
      -1,
      1.5,
      2 ** 60,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      true,
    ];
    const more = [
      [],
      {},
      ["a"],
      [1],
      [{ kind: "voice", ref: "r" }],
      { id: "1", type: "group" },
      { messageId: "1" },
    ];
    const pool = [...values, ...more];
    const paths = [
      ...Object.keys(full()),
      "chat.type",
      "chat.id",
      "chat.title",
      "chat.isForumTopic",
      "sender.id",
      "sender.isBot",
      "replyTo.messageId",
      "replyTo.fromBot",
      "media.0",
      "media.0.kind",
      "media.0.sizeBytes",
      "mentions.0",
    ];
    let accepted = 0;
    for (let run = 0; run < 3000; run++) {
      const message: Record<string, unknown> = random() < 0.5 ? full() : minimal();
      for (let edit = Math.floor(random() * 3); edit >= 0; edit--) {
        const keys = (paths[Math.floor(random() * paths.length)] as string).split(".");
        let target = message as Record<string, unknown>;
        for (const key of keys.slice(0, -1)) {
          if (typeof target[key] !== "object" || target[key] === null) target[key] = {};
          target = target[key] as Record<string, unknown>;
        }
        const last = keys.at(-1) as string;
        if (random() < 0.2) delete target[last];
        else target[last] = structuredClone(pool[Math.floor(random() * pool.length)]);
      }
      if (agrees(message) !== undefined) accepted++;
    }
    // both sides of the check were exercised
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(2900);
  });
});
