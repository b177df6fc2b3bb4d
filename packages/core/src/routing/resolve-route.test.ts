import { describe, expect, it } from "vitest";
import { type RoutingConfig, resolveAgentRoute } from "./resolve-route.js";

const dm = { channel: "telegram", peer: { kind: "direct" as const, id: "42" } };

describe("resolveAgentRoute", () => {
  it("falls back to the default agent and the main session for DMs", () => {
    const route = resolveAgentRoute({}, dm);
    expect(route).toMatchObject({
      agentId: "main",
      accountId: "default",
      sessionKey: "agent:main:main",
      matchedBy: "default",
      lastRoutePolicy: "main",
    });
    const cfg: RoutingConfig = { agents: { list: [{ id: "Work" }, { id: "home", default: true }] } };
    expect(resolveAgentRoute(cfg, dm).agentId).toBe("home");
  });

  it("builds DM keys per session.dmScope, with identity links", () => {
    const key = (dmScope: NonNullable<RoutingConfig["session"]>["dmScope"]) =>
      resolveAgentRoute(
        { session: { dmScope, identityLinks: { alice: ["telegram:42"] } } },
        { ...dm, accountId: "bot2" },
      ).sessionKey;
    expect(key("per-peer")).toBe("agent:main:direct:alice");
    expect(key("per-channel-peer")).toBe("agent:main:telegram:direct:alice");
    expect(key("per-account-channel-peer")).toBe("agent:main:telegram:bot2:direct:alice");
  });

  it("keys groups, threads and Telegram forum topics", () => {
    expect(
      resolveAgentRoute({}, { channel: "telegram", peer: { kind: "group", id: "-100ABC" } }).sessionKey,
    ).toBe("agent:main:telegram:group:-100abc");
    expect(
      resolveAgentRoute(
        {},
        { channel: "telegram", peer: { kind: "group", id: "-100" }, threadId: "7", isForumTopic: true },
      ).sessionKey,
    ).toBe("agent:main:telegram:group:-100:topic:7");
    expect(
      resolveAgentRoute({}, { channel: "slack", peer: { kind: "channel", id: "C1" }, threadId: "171.2" })
        .sessionKey,
    ).toBe("agent:main:slack:channel:c1:thread:171.2");
  });

  it("applies binding tiers most specific first: peer > guild > team > account > channel", () => {
    const cfg: RoutingConfig = {
      agents: { list: [{ id: "main" }] },
      bindings: [
        { agentId: "any", match: { channel: "discord", accountId: "*" } },
        { agentId: "acct", match: { channel: "discord", accountId: "alt" } },
        { agentId: "guild", match: { channel: "discord", accountId: "*", guildId: "G1" } },
        {
          agentId: "peer",
          match: { channel: "discord", accountId: "*", peer: { kind: "channel", id: "C9" } },
        },
        { agentId: "other", match: { channel: "slack", teamId: "T1" } },
      ],
    };
    const base = { channel: "discord", accountId: "alt", peer: { kind: "channel" as const, id: "C1" } };
    expect(
      resolveAgentRoute(cfg, { ...base, peer: { kind: "group", id: "C9" }, guildId: "G1" }),
    ).toMatchObject({ agentId: "peer", matchedBy: "binding.peer" });
    expect(resolveAgentRoute(cfg, { ...base, guildId: "G1" })).toMatchObject({
      agentId: "guild",
      matchedBy: "binding.guild",
    });
    expect(resolveAgentRoute(cfg, base)).toMatchObject({ agentId: "acct", matchedBy: "binding.account" });
    expect(resolveAgentRoute(cfg, { ...base, accountId: "default" })).toMatchObject({
      agentId: "any",
      matchedBy: "binding.channel",
    });
    expect(
      resolveAgentRoute(cfg, { channel: "slack", peer: { kind: "channel", id: "C" }, teamId: "T1" }),
    ).toMatchObject({ agentId: "other", matchedBy: "binding.team" });
  });

  it("uses the global session when session.scope is global", () => {
    expect(resolveAgentRoute({ session: { scope: "global" } }, dm).sessionKey).toBe("global");
  });
});
