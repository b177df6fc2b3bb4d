import type { LanguageModelV1CallOptions } from "@openclaw/protocol";
import { mockTextResponse } from "@openclaw/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { automationHarness } from "../cron/__fixtures__/harness.js";
import { isEffectivelyEmpty, stripHeartbeatToken } from "./heartbeat-text.js";

// The heartbeat runner on an injected clock with core's real assistant on a scripted model.
let harness: Awaited<ReturnType<typeof automationHarness>> | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const CHECKLIST = "# Heartbeat checklist\n\n- Look at the inbox for anything urgent\n";
const telegram = { channels: { telegram: { botToken: "1:x" } } };
const heartbeat = (settings: Record<string, unknown>) => ({ agents: { defaults: { heartbeat: settings } } });
const promptOf = (call: LanguageModelV1CallOptions) =>
  call.messages
    .filter((message) => message.role === "user")
    .map((message) => message.content.map((part) => (part.type === "text" ? part.text : "")).join(""))
    .join("\n");

describe("heartbeat", () => {
  it("outside active hours it is skipped with quiet-hours and calls no model", async () => {
    harness = await automationHarness({
      start: "2026-05-04T22:45:00Z",
      heartbeatFile: CHECKLIST,
      config: heartbeat({ every: "30m", activeHours: { start: "08:00", end: "22:00", timezone: "UTC" } }),
    });
    const automation = await harness.boot();
    await automation.start();
    await harness.advance(31 * MIN, automation);
    expect(automation.heartbeat.last).toMatchObject({ status: "skipped", reason: "quiet-hours" });
    expect(harness.logs).toContain("Heartbeat skipped reason=quiet-hours");
    expect(harness.model.calls).toHaveLength(0);
    // 08:15 next morning: inside the window, it runs
    await harness.advance(9 * 60 * MIN, automation);
    expect(harness.model.calls.length).toBeGreaterThan(0);
  });

  it("a HEARTBEAT_OK reply is swallowed; an alert is delivered to the target once", async () => {
    const replies = ["HEARTBEAT_OK", "**HEARTBEAT_OK** nothing new.", "Two urgent mails from your bank."];
    harness = await automationHarness({
      start: "2026-05-04T10:00:00Z",
      heartbeatFile: CHECKLIST,
      script: (_options, index) => mockTextResponse(replies[Math.min(index, replies.length - 1)]!),
      config: { ...telegram, ...heartbeat({ every: "30m", target: "telegram", to: "42" }) },
    });
    const automation = await harness.boot();
    await automation.start();
    await harness.advance(30 * MIN, automation);
    expect(automation.heartbeat.last).toMatchObject({ status: "ok-token", silent: true });
    await harness.advance(30 * MIN, automation);
    expect(automation.heartbeat.last).toMatchObject({ status: "ok-token" });
    expect(harness.deliveries).toHaveLength(0);
    await harness.advance(30 * MIN, automation);
    expect(automation.heartbeat.last).toMatchObject({ status: "sent", channel: "telegram", to: "42" });
    expect(harness.deliveries).toEqual([
      expect.objectContaining({ channel: "telegram", to: "42", text: "Two urgent mails from your bank." }),
    ]);
    expect(harness.model.calls).toHaveLength(3);
    expect(promptOf(harness.model.calls[0]!)).toContain("HEARTBEAT.md");
    expect(harness.events.filter((e) => e.event === "heartbeat")).toHaveLength(3);
  });

  it("an empty HEARTBEAT.md makes no model call (empty-heartbeat-file)", async () => {
    harness = await automationHarness({
      start: "2026-05-04T10:00:00Z",
      heartbeatFile:
        "# Heartbeat checklist\n\n<!-- add items -->\n- [ ]\n\n(Empty list: heartbeat runs are skipped.)\n",
    });
    const automation = await harness.boot();
    await automation.start();
    await harness.advance(DAY, automation);
    expect(automation.heartbeat.last).toMatchObject({ status: "skipped", reason: "empty-heartbeat-file" });
    expect(harness.model.calls).toHaveLength(0);
  });

  it("a day of simulated time with heartbeat disabled makes zero model calls", async () => {
    harness = await automationHarness({
      start: "2026-05-04T00:00:00Z",
      heartbeatFile: CHECKLIST,
      config: heartbeat({ every: "0" }),
    });
    const automation = await harness.boot();
    await automation.start();
    await harness.advance(DAY, automation);
    expect(harness.model.calls).toHaveLength(0);
    expect(automation.heartbeat.last).toBeNull();
  });

  it("a config edit turning heartbeats on applies without a restart", async () => {
    harness = await automationHarness({
      start: "2026-05-04T10:00:00Z",
      heartbeatFile: CHECKLIST,
      script: mockTextResponse("HEARTBEAT_OK"),
      config: heartbeat({ every: "0" }),
    });
    const automation = await harness.boot();
    await automation.start();
    await harness.advance(60 * MIN, automation);
    expect(harness.model.calls).toHaveLength(0);
    (harness.config.agents as { defaults: { heartbeat: { every: string } } }).defaults.heartbeat.every =
      "15m";
    automation.applyConfig();
    await harness.advance(31 * MIN, automation);
    expect(harness.model.calls).toHaveLength(2);
  });

  it("set-heartbeats off skips interval runs (disabled); a system event queued for next-heartbeat runs with it", async () => {
    harness = await automationHarness({ start: "2026-05-04T10:00:00Z" }); // template HEARTBEAT.md: empty
    const automation = await harness.boot();
    await automation.start();
    automation.heartbeat.enabled = false;
    await harness.advance(30 * MIN, automation);
    expect(automation.heartbeat.last).toMatchObject({ status: "skipped", reason: "disabled" });
    automation.heartbeat.enabled = true;
    await automation.systemEvent("Deploy finished on prod", "next-heartbeat");
    expect(harness.model.calls).toHaveLength(0);
    await harness.advance(30 * MIN, automation);
    expect(harness.model.calls).toHaveLength(1);
    expect(promptOf(harness.model.calls[0]!)).toContain("Deploy finished on prod");
    // the event was handled: the next interval is empty again
    await harness.advance(30 * MIN, automation);
    expect(harness.model.calls).toHaveLength(1);
  });

  it("skips while a user turn runs (requests-in-flight)", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    harness = await automationHarness({
      start: "2026-05-04T10:00:00Z",
      heartbeatFile: CHECKLIST,
      script: async (_options, index) => {
        if (index === 0) await gate;
        return mockTextResponse("HEARTBEAT_OK");
      },
    });
    const automation = await harness.boot();
    await automation.start();
    const assistant = await automation.options.assistant();
    await automation.systemEvent("warm up", "next-heartbeat"); // subscribes the busy tracking
    const turn = assistant.submit({ sessionKey: "agent:main:main", text: "a long question" });
    await waitFor(() => harness!.model.calls.length === 1);
    await harness.clock.advance(30 * MIN);
    await automation.heartbeat.idle();
    expect(automation.heartbeat.last).toMatchObject({ status: "skipped", reason: "requests-in-flight" });
    release();
    await turn.result;
  });

  it("a target account that does not exist logs `heartbeat: unknown accountId`", async () => {
    harness = await automationHarness({
      start: "2026-05-04T10:00:00Z",
      heartbeatFile: CHECKLIST,
      config: {
        ...telegram,
        ...heartbeat({ every: "30m", target: "telegram", to: "42", accountId: "work" }),
      },
    });
    const automation = await harness.boot();
    await automation.start();
    await harness.advance(30 * MIN, automation);
    expect(automation.heartbeat.last).toMatchObject({ status: "failed", reason: "unknown-account" });
    expect(harness.logs).toContain("heartbeat: unknown accountId");
    expect(harness.model.calls).toHaveLength(0);
  });
});

describe("heartbeat text rules", () => {
  it("HEARTBEAT_OK at the start or end, with a short rest, is an acknowledgement", () => {
    expect(stripHeartbeatToken("HEARTBEAT_OK")).toEqual({ ack: true, text: "" });
    expect(stripHeartbeatToken("All quiet. HEARTBEAT_OK")).toEqual({ ack: true, text: "All quiet." });
    expect(stripHeartbeatToken(`HEARTBEAT_OK ${"x".repeat(301)}`).ack).toBe(false);
    expect(stripHeartbeatToken("Your flight was cancelled.")).toEqual({
      ack: false,
      text: "Your flight was cancelled.",
    });
  });

  it("headings, comments and empty items are an empty checklist; a task is not", () => {
    expect(isEffectivelyEmpty("# Heartbeat\n\n## Daily\n- \n* [ ]\n<!-- nothing -->\n")).toBe(true);
    expect(isEffectivelyEmpty("# Heartbeat\n- check the build\n")).toBe(false);
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!check()) throw new Error("condition not met");
}
