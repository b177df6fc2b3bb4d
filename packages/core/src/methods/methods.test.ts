import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, staticGraph } from "../../../../scripts/import-graph.js";
import { coreMethods } from "./index.js";

const relative = (files: Iterable<string>) => [...files].map((file) => file.slice(REPO.length + 1));

describe("@openclaw/core/methods", () => {
  it("answers the assistant's methods", () => {
    expect(Object.keys(coreMethods).sort()).toEqual(
      [
        "agent",
        "agent.identity.get",
        "agent.wait",
        "agents.list",
        "channels.pairing.approve",
        "channels.pairing.dismiss",
        "channels.pairing.list",
        "chat.abort",
        "chat.history",
        "chat.inject",
        "chat.send",
        "cron.add",
        "cron.list",
        "cron.remove",
        "cron.run",
        "cron.runs",
        "cron.status",
        "cron.update",
        "doctor.memory.status",
        "last-heartbeat",
        "models.list",
        "sessions.compact",
        "sessions.delete",
        "sessions.list",
        "sessions.messages.subscribe",
        "sessions.messages.unsubscribe",
        "sessions.patch",
        "sessions.preview",
        "sessions.reset",
        "set-heartbeats",
        "skills.bins",
        "skills.status",
        "system-event",
        "usage.status",
        "wake",
      ].sort(),
    );
  });

  it("loads the handlers without the agent runtime (the assistant comes from ctx.assistant())", () => {
    const graph = relative(staticGraph(join(REPO, "packages/core/src/methods/index.ts")).files);
    expect(graph).toContain("packages/core/src/chat/methods.ts");
    expect(graph).not.toContain("packages/core/src/assistant.ts");
    expect(graph).not.toContain("packages/core/src/agent/run.ts");
    expect(graph.filter((file) => file.startsWith("packages/core/src/tools/"))).toEqual([]);
  });
});
