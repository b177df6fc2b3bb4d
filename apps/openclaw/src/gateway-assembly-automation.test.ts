import { automationMethodsWith } from "@openclaw/core/methods";
import type { GatewayAssistant, GatewayChannels } from "@openclaw/gateway";
import { describe, expect, it } from "vitest";
import { createAutomationHost } from "./gateway-assembly-automation.js";

describe("the gateway's automation capability", () => {
  it("answers every cron/heartbeat method core has, without loading them with the table", async () => {
    const host = createAutomationHost({
      config: () => ({}),
      stateDir: "/nonexistent",
      env: {},
      logger: { debug() {}, info() {}, warn() {}, error() {} } as never,
      provider: undefined,
      assistant: { methods: {} } as GatewayAssistant,
      channels: {} as GatewayChannels,
      broadcast: () => undefined,
    });
    const names = Object.keys(await host.methods()).sort();
    expect(names).toEqual(
      Object.keys(automationMethodsWith(async () => Promise.reject(new Error("unused")))).sort(),
    );
  });
});
