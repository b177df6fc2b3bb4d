/**
 * Routing (spec §5.1–§5.2): pick the agent for an inbound message from `bindings[]`, then build the
 * session key from `session.dmScope`. Structural config types keep this usable with any config
 * object that has the OpenClaw key names.
 */

import { DEFAULT_AGENT_ID, DEFAULT_MAIN_KEY, normalizeAgentId } from "@openclaw/protocol/base";

export type PeerKind = "direct" | "group" | "channel";

export interface RoutingBinding {
  agentId: string;
  match: {
    channel: string;
    accountId?: string;
    peer?: { kind: string; id: string | number };
    guildId?: string | number;
    teamId?: string;
  };
}

export interface RoutingConfig {
  agents?: { list?: readonly { id: string; default?: boolean }[] };
  bindings?: readonly RoutingBinding[];
  session?: {
    scope?: "per-sender" | "global";
    dmScope?: "main" | "per-peer" | "per-channel-peer" | "per-account-channel-peer";
    mainKey?: string;
    identityLinks?: Record<string, readonly string[]>;
  };
}

export interface RouteInput {
  channel: string;
  accountId?: string;
  peer: { kind: PeerKind; id: string };
  guildId?: string;
  teamId?: string;
  /** Thread inside a group/channel (Slack thread_ts, Discord thread id). */
  threadId?: string;
  /** Telegram forum topics use `:topic:<id>` instead of `:thread:<id>`. */
  isForumTopic?: boolean;
}

export type RouteMatch =
  | "binding.peer"
  | "binding.guild"
  | "binding.team"
  | "binding.account"
  | "binding.channel"
  | "default";

export interface ResolvedRoute {
  agentId: string;
  channel: string;
  accountId: string;
  sessionKey: string;
  mainSessionKey: string;
  /** `main` when a DM collapses into the main session (it then updates the main session's last route). */
  lastRoutePolicy: "main" | "session";
  matchedBy: RouteMatch;
}

// one definition of agent ids and main keys for every package (protocol's, shared with the gateway)
export { DEFAULT_AGENT_ID, DEFAULT_MAIN_KEY, normalizeAgentId } from "@openclaw/protocol/base";
export const DEFAULT_ACCOUNT_ID = "default";

export function resolveDefaultAgentId(config: RoutingConfig): string {
  const list = config.agents?.list ?? [];
  const chosen = list.find((a) => a.default) ?? list[0];
  return normalizeAgentId(chosen?.id ?? DEFAULT_AGENT_ID);
}

function accountMatches(pattern: string | undefined, accountId: string): boolean {
  if (pattern === "*") return true;
  return (pattern ?? DEFAULT_ACCOUNT_ID) === accountId;
}

function peerMatches(binding: RoutingBinding, peer: RouteInput["peer"]): boolean {
  const want = binding.match.peer;
  if (!want) return false;
  const kind = want.kind === "dm" ? "direct" : want.kind;
  if (String(want.id) !== peer.id) return false;
  if (kind === peer.kind) return true;
  // Group and channel ids are cross-matched (a Telegram supergroup is both).
  return kind !== "direct" && peer.kind !== "direct";
}

export function resolveAgentRoute(config: RoutingConfig, input: RouteInput): ResolvedRoute {
  const channel = input.channel.toLowerCase();
  const accountId = input.accountId ?? DEFAULT_ACCOUNT_ID;
  const candidates = (config.bindings ?? []).filter(
    (b) => b.match.channel.toLowerCase() === channel && accountMatches(b.match.accountId, accountId),
  );
  const tiers: [RouteMatch, (b: RoutingBinding) => boolean][] = [
    ["binding.peer", (b) => peerMatches(b, input.peer)],
    [
      "binding.guild",
      (b) => !b.match.peer && b.match.guildId !== undefined && String(b.match.guildId) === input.guildId,
    ],
    ["binding.team", (b) => !b.match.peer && b.match.teamId !== undefined && b.match.teamId === input.teamId],
    [
      "binding.account",
      (b) =>
        !b.match.peer &&
        !b.match.guildId &&
        !b.match.teamId &&
        b.match.accountId !== undefined &&
        b.match.accountId !== "*",
    ],
    [
      "binding.channel",
      (b) => !b.match.peer && !b.match.guildId && !b.match.teamId && b.match.accountId === "*",
    ],
  ];
  let agentId = resolveDefaultAgentId(config);
  let matchedBy: RouteMatch = "default";
  for (const [tier, test] of tiers) {
    const hit = candidates.find(test);
    if (hit) {
      agentId = normalizeAgentId(hit.agentId);
      matchedBy = tier;
      break;
    }
  }
  // A binding with no accountId means the default account and nothing more specific: treat as channel tier.
  if (matchedBy === "default") {
    const plain = candidates.find(
      (b) => !b.match.peer && !b.match.guildId && !b.match.teamId && b.match.accountId === undefined,
    );
    if (plain) {
      agentId = normalizeAgentId(plain.agentId);
      matchedBy = "binding.channel";
    }
  }
  const mainKey = config.session?.mainKey ?? DEFAULT_MAIN_KEY;
  const mainSessionKey = `agent:${agentId}:${mainKey}`;
  const { sessionKey, collapsed } = buildSessionKey(config, { ...input, channel, accountId }, agentId);
  return {
    agentId,
    channel,
    accountId,
    sessionKey,
    mainSessionKey,
    lastRoutePolicy: collapsed ? "main" : "session",
    matchedBy,
  };
}

function buildSessionKey(
  config: RoutingConfig,
  input: RouteInput & { accountId: string },
  agentId: string,
): { sessionKey: string; collapsed: boolean } {
  if (config.session?.scope === "global") return { sessionKey: "global", collapsed: false };
  const mainKey = config.session?.mainKey ?? DEFAULT_MAIN_KEY;
  if (input.peer.kind === "direct") {
    const peerId = resolveIdentity(config, input.channel, input.peer.id);
    switch (config.session?.dmScope ?? "main") {
      case "per-peer":
        return { sessionKey: `agent:${agentId}:direct:${peerId}`, collapsed: false };
      case "per-channel-peer":
        return { sessionKey: `agent:${agentId}:${input.channel}:direct:${peerId}`, collapsed: false };
      case "per-account-channel-peer":
        return {
          sessionKey: `agent:${agentId}:${input.channel}:${input.accountId}:direct:${peerId}`,
          collapsed: false,
        };
      default:
        return { sessionKey: `agent:${agentId}:${mainKey}`, collapsed: true };
    }
  }
  let key = `agent:${agentId}:${input.channel}:${input.peer.kind}:${input.peer.id.toLowerCase()}`;
  if (input.threadId) key += input.isForumTopic ? `:topic:${input.threadId}` : `:thread:${input.threadId}`;
  return { sessionKey: key, collapsed: false };
}

/** `session.identityLinks`: `canonical → ["telegram:123", …]` replaces the peer id with the canonical name. */
function resolveIdentity(config: RoutingConfig, channel: string, peerId: string): string {
  const links = config.session?.identityLinks;
  if (links) {
    const needle = `${channel}:${peerId}`.toLowerCase();
    for (const [canonical, ids] of Object.entries(links)) {
      if (ids.some((id) => id.toLowerCase() === needle)) return canonical;
    }
  }
  return peerId;
}
