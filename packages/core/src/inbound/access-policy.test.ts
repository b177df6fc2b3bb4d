import { InboundMessageSchema } from "@openclaw/protocol";
import { describe, expect, it } from "vitest";
import { type ChannelAccessConfig, decideAccess } from "./access-policy.js";

const dm = (sender: { id: string; username?: string }) =>
  InboundMessageSchema.parse({
    channel: "telegram",
    accountId: "default",
    messageId: "1",
    chat: { type: "direct", id: sender.id },
    sender,
    text: "hi",
    timestamp: 1,
  });
const group = (extra: Record<string, unknown> = {}) =>
  InboundMessageSchema.parse({
    channel: "telegram",
    accountId: "default",
    messageId: "1",
    chat: { type: "group", id: "-5" },
    sender: { id: "42", username: "Alice" },
    text: "hello bot",
    timestamp: 1,
    ...extra,
  });
const decide = (
  config: ChannelAccessConfig,
  message: ReturnType<typeof dm>,
  paired: string[] = [],
  patterns: string[] = [],
) =>
  decideAccess({ channel: "telegram", config, message, pairedAllowFrom: paired, mentionPatterns: patterns });

describe("decideAccess (one policy for every channel)", () => {
  it("DMs: pairing by default, allow entries by id, @username or channel prefix, paired senders", () => {
    expect(decide({}, dm({ id: "42" }))).toEqual({
      allow: false,
      reason: "pairing pending",
      challenge: true,
    });
    expect(decide({ allowFrom: ["telegram:42"] }, dm({ id: "42" }))).toMatchObject({ allow: true });
    expect(decide({ allowFrom: ["@alice"] }, dm({ id: "42", username: "Alice" }))).toMatchObject({
      allow: true,
    });
    expect(decide({}, dm({ id: "42" }), ["42"])).toMatchObject({ allow: true });
    expect(decide({ dmPolicy: "allowlist" }, dm({ id: "42" }))).toEqual({
      allow: false,
      reason: "blocked by allowlist",
    });
    expect(decide({ dmPolicy: "disabled", allowFrom: ["*"] }, dm({ id: "42" }))).toEqual({
      allow: false,
      reason: "dms disabled",
    });
  });

  it('DMs: "open" needs "*" in allowFrom, otherwise it warns and behaves as an allowlist', () => {
    expect(decide({ dmPolicy: "open", allowFrom: ["*"] }, dm({ id: "7" }))).toMatchObject({ allow: true });
    const refused = decide({ dmPolicy: "open" }, dm({ id: "7" }));
    expect(refused).toMatchObject({ allow: false, reason: "blocked by allowlist" });
    expect(refused.allow === false && refused.warning).toMatch(
      /requires "\*" in channels\.telegram\.allowFrom/,
    );
  });

  it("groups: allowlist by default, groups map as a group allowlist, disabled, then mention gating", () => {
    expect(decide({}, group({ mentioned: true }))).toEqual({ allow: false, reason: "blocked by allowlist" });
    expect(decide({ groupAllowFrom: ["42"] }, group())).toEqual({ allow: false, reason: "mention required" });
    expect(decide({ groupAllowFrom: ["42"] }, group({ mentioned: true }))).toMatchObject({
      allow: true,
      wasMentioned: true,
    });
    expect(decide({ groupPolicy: "open", groups: { "-9": {} } }, group({ mentioned: true }))).toEqual({
      allow: false,
      reason: "group not allowed",
    });
    expect(
      decide({ groupPolicy: "open", groups: { "-5": { requireMention: false } } }, group()),
    ).toMatchObject({ allow: true, wasMentioned: false });
    expect(decide({ groupPolicy: "disabled" }, group({ mentioned: true }))).toEqual({
      allow: false,
      reason: "groups disabled",
    });
    expect(decide({ groupPolicy: "open" }, group(), [], ["\\bbot\\b"])).toMatchObject({
      allow: true,
      wasMentioned: true,
    });
    expect(decide({ groupPolicy: "open" }, group(), [], ["(unclosed"])).toEqual({
      allow: false,
      reason: "mention required",
    });
    expect(
      decide({ groupPolicy: "open" }, group({ replyTo: { messageId: "9", fromBot: true } })),
    ).toMatchObject({ allow: true });
    expect(decide({ groupPolicy: "open" }, group({ command: "/status" }))).toMatchObject({ allow: true });
  });
});
