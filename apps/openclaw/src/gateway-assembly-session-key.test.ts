import { toAgentSessionKey as coreKey } from "@openclaw/core";
import { toAgentSessionKey as protocolKey } from "@openclaw/protocol";
import { expect, it } from "vitest";

// The gateway (no core loaded) and core's assistant must agree on every session key, or a chat
// through one and a history read through the other look at different transcripts.
it("protocol's and core's toAgentSessionKey give the same canonical key", () => {
  const keys = [
    undefined,
    "",
    "main",
    "Main",
    "agent:main:main",
    "agent:Ops:Slack:Channel:C1",
    "webchat:0a1b2c",
    "discord:group:ABC",
    "telegram:direct:42:topic:7",
    "global",
    "cron:nightly",
    "hook:1b2c",
    "node-abc",
    " agent:x:y ",
  ];
  for (const key of keys)
    for (const agent of ["main", "Work Bot", "ops"])
      for (const mainKey of ["main", "home"])
        expect(protocolKey(key, agent, mainKey), `${key} / ${agent} / ${mainKey}`).toBe(
          coreKey(key, agent, mainKey),
        );
});
