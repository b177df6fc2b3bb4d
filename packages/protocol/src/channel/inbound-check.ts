import { CHAT_TYPES } from "./chat-types.js";
import type { InboundMessage } from "./inbound-message.js";

// A zod-free check of a well-formed inbound message: what `InboundMessageSchema.parse` returns for
// it (unknown keys dropped, defaults filled in), built without loading zod. It only accepts: any
// doubt (a wrong type, a missing field) answers `undefined`, and the host then asks the zod schema,
// which gives the reason. inbound-check.test.ts compares both on valid, invalid and fuzzed input.

type Plain = Record<string, unknown>;
type Field = (value: unknown) => boolean;

const isPlain = (value: unknown): value is Plain =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const text: Field = (value) => typeof value === "string";
const nonEmpty: Field = (value) => typeof value === "string" && value.length > 0;
const flag: Field = (value) => typeof value === "boolean";
const finite: Field = (value) => typeof value === "number" && Number.isFinite(value);
const count: Field = (value) => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
const MEDIA_KINDS = ["image", "audio", "video", "document", "sticker", "voice"];
const oneOf =
  (values: readonly string[]): Field =>
  (value) =>
    typeof value === "string" && values.includes(value);

/**
 * The known keys of `input`, in the schema's order: required ones must pass, optional ones are
 * copied when present (an explicit `undefined` included, as zod does). `undefined` on a failure.
 */
function pick(input: unknown, required: Record<string, Field>, optional: Record<string, Field>) {
  if (!isPlain(input)) return undefined;
  const out: Plain = {};
  for (const [key, valid] of Object.entries(required)) {
    if (!valid(input[key])) return undefined;
    out[key] = input[key];
  }
  for (const [key, valid] of Object.entries(optional)) {
    if (!(key in input)) continue;
    if (input[key] !== undefined && !valid(input[key])) return undefined;
    out[key] = input[key];
  }
  return out;
}

const sender = (input: unknown) =>
  pick(input, { id: nonEmpty }, { username: text, displayName: text, isBot: flag });
const media = (input: unknown) =>
  pick(input, { kind: oneOf(MEDIA_KINDS), ref: text }, { mimeType: text, fileName: text, sizeBytes: count });
const chat = (input: unknown) =>
  pick(
    input,
    { type: oneOf(CHAT_TYPES), id: nonEmpty },
    {
      title: text,
      threadId: text,
      parentId: text,
      isForumTopic: flag,
      guildId: text,
      teamId: text,
    },
  );
const replyTo = (input: unknown) => pick(input, { messageId: text }, { fromBot: flag, text });

/** `items` mapped through `each`, or `undefined` when it is not an array or one item fails. */
function list<T>(items: unknown, each: (item: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(items)) return undefined;
  const out: T[] = [];
  for (const item of items) {
    const checked = each(item);
    if (checked === undefined) return undefined;
    out.push(checked);
  }
  return out;
}

/**
 * What `InboundMessageSchema.parse(raw)` returns, when `raw` is a well-formed message; `undefined`
 * otherwise (then validate with the schema for the reason).
 */
export function checkInboundMessage(raw: unknown): InboundMessage | undefined {
  const head = pick(raw, { channel: nonEmpty, accountId: nonEmpty, messageId: nonEmpty }, {});
  if (!head || !isPlain(raw)) return undefined;
  const chatOut = chat(raw.chat);
  const senderOut = sender(raw.sender);
  if (!chatOut || !senderOut || !text(raw.text)) return undefined;
  const mentioned = raw.mentioned === undefined ? false : raw.mentioned;
  const mentions =
    raw.mentions === undefined ? [] : list(raw.mentions, (item) => (text(item) ? item : undefined));
  const mediaOut = raw.media === undefined ? [] : list(raw.media, media);
  if (!flag(mentioned) || !mentions || !mediaOut) return undefined;
  const out: Plain = { ...head, chat: chatOut, sender: senderOut, text: raw.text, mentioned, mentions };
  if ("replyTo" in raw) {
    const reply = raw.replyTo === undefined ? undefined : replyTo(raw.replyTo);
    if (raw.replyTo !== undefined && !reply) return undefined;
    out.replyTo = reply;
  }
  out.media = mediaOut;
  if ("command" in raw) {
    if (raw.command !== undefined && !text(raw.command)) return undefined;
    out.command = raw.command;
  }
  if (!finite(raw.timestamp)) return undefined;
  out.timestamp = raw.timestamp;
  return out as InboundMessage;
}
