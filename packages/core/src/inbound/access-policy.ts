import type { InboundMessage } from "@openclaw/protocol";

/** Why an inbound message was not handed to the agent. Logged and counted per account. */
export type DropReason =
  | "duplicate"
  | "malformed"
  | "own message"
  | "dms disabled"
  | "pairing pending"
  | "pairing queue full"
  | "blocked by allowlist"
  | "groups disabled"
  | "group not allowed"
  | "mention required";

/** The `channels.<id>` keys access control reads (account keys already merged over the top level). */
export interface ChannelAccessConfig {
  dmPolicy?: "pairing" | "allowlist" | "open" | "disabled";
  allowFrom?: readonly (string | number)[];
  groupPolicy?: "allowlist" | "open" | "disabled";
  groupAllowFrom?: readonly (string | number)[];
  groups?: Record<
    string,
    { requireMention?: boolean; allowFrom?: readonly (string | number)[]; enabled?: boolean } | undefined
  >;
}

export interface AccessInput {
  channel: string;
  config: ChannelAccessConfig;
  message: InboundMessage;
  /** Senders approved through DM pairing (`<channel>-allowFrom.json`). */
  pairedAllowFrom: readonly string[];
  /** Regex sources (case-insensitive) that count as a mention in groups. */
  mentionPatterns: readonly string[];
}

export type AccessDecision =
  | { allow: true; wasMentioned: boolean }
  | {
      allow: false;
      reason: DropReason /** send a pairing code to the sender */;
      challenge?: boolean;
      warning?: string;
    };

function entryMatches(channel: string, entry: string | number, message: InboundMessage): boolean {
  let value = String(entry).trim().toLowerCase();
  if (value === "*") return true;
  const prefix = `${channel.toLowerCase()}:`;
  if (value.startsWith(prefix)) value = value.slice(prefix.length);
  if (value.startsWith("@")) return value.slice(1) === (message.sender.username ?? "").toLowerCase();
  return value === message.sender.id.toLowerCase();
}

const listed = (channel: string, list: readonly (string | number)[] | undefined, message: InboundMessage) =>
  (list ?? []).some((entry) => entryMatches(channel, entry, message));

const compiled = new Map<string, RegExp>();
function patternMatches(source: string, text: string): boolean {
  let regex = compiled.get(source);
  if (!regex) {
    try {
      regex = new RegExp(source, "i");
    } catch {
      regex = new RegExp(source.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i");
    }
    compiled.set(source, regex);
  }
  return regex.test(text);
}

/**
 * The one policy function deciding whether a sender may talk to the assistant (spec §7.3, §13):
 * DMs by `dmPolicy` (pairing default, `open` only with `"*"`), groups by `groupPolicy` (allowlist
 * default) + `groupAllowFrom` / `groups.<id>.allowFrom`, then mention gating (`requireMention`
 * default true; native mentions or `mentionPatterns`; commands from allowed senders bypass it).
 */
export function decideAccess(input: AccessInput): AccessDecision {
  const { channel, config, message } = input;
  if (message.chat.type === "direct") {
    const policy = config.dmPolicy ?? "pairing";
    if (policy === "disabled") return { allow: false, reason: "dms disabled" };
    const allowed =
      listed(channel, config.allowFrom, message) || listed(channel, input.pairedAllowFrom, message);
    if (policy === "open") {
      if ((config.allowFrom ?? []).some((e) => String(e).trim() === "*"))
        return { allow: true, wasMentioned: true };
      if (allowed) return { allow: true, wasMentioned: true };
      return {
        allow: false,
        reason: "blocked by allowlist",
        warning: `dmPolicy "open" requires "*" in channels.${channel}.allowFrom; treating it as "allowlist"`,
      };
    }
    if (allowed) return { allow: true, wasMentioned: true };
    if (policy === "pairing") return { allow: false, reason: "pairing pending", challenge: true };
    return { allow: false, reason: "blocked by allowlist" };
  }

  const policy = config.groupPolicy ?? "allowlist";
  if (policy === "disabled") return { allow: false, reason: "groups disabled" };
  const groups = config.groups;
  const groupConfig = groups?.[message.chat.id] ?? groups?.["*"];
  if (groups && Object.keys(groups).length > 0 && !groupConfig)
    return { allow: false, reason: "group not allowed" };
  if (groupConfig?.enabled === false) return { allow: false, reason: "group not allowed" };
  if (policy === "allowlist") {
    const list =
      groupConfig?.allowFrom ?? (config.groupAllowFrom?.length ? config.groupAllowFrom : config.allowFrom);
    const allowed = listed(channel, list, message) || listed(channel, input.pairedAllowFrom, message);
    if (!allowed) return { allow: false, reason: "blocked by allowlist" };
  }
  const requireMention = groupConfig?.requireMention ?? true;
  const wasMentioned =
    message.mentioned ||
    message.replyTo?.fromBot === true ||
    input.mentionPatterns.some((pattern) => patternMatches(pattern, message.text));
  if (requireMention && !wasMentioned && !message.command)
    return { allow: false, reason: "mention required" };
  return { allow: true, wasMentioned };
}
