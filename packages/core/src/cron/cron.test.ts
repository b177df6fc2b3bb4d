import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { mockTextResponse } from "@openclaw/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { automationHarness } from "./__fixtures__/harness.js";
import type { CronAddInput } from "./service.js";

// The scheduler on an injected clock, running real isolated turns through core's assistant on a
// scripted model, with its jobs file and run history on disk.
let harness: Awaited<ReturnType<typeof automationHarness>> | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const MIN = 60_000;
const turn = (message: string, extra: Partial<CronAddInput> = {}): CronAddInput => ({
  name: message,
  schedule: { kind: "every", everyMs: 10 * MIN },
  sessionTarget: "isolated",
  wakeMode: "now",
  payload: { kind: "agentTurn", message },
  ...extra,
});

describe("cron scheduler", () => {
  it("an `at` job fires once, at its time, and is disabled after", async () => {
    harness = await automationHarness({ start: "2026-05-04T10:00:00Z" });
    const automation = await harness.boot();
    await automation.start();
    const job = await automation.cron.add(
      turn("remind me", { schedule: { kind: "at", at: "2026-05-04T10:02:00Z" } }),
      "reminder",
    );
    await harness.advance(MIN, automation);
    expect(harness.model.calls).toHaveLength(0);
    await harness.advance(2 * MIN, automation);
    expect(harness.model.calls).toHaveLength(1);
    await harness.advance(60 * MIN, automation);
    expect(harness.model.calls).toHaveLength(1);
    const runs = await automation.cron.runs(job.id);
    expect(runs.entries.map((entry) => [entry.status, entry.runAtMs])).toEqual([
      ["ok", Date.parse("2026-05-04T10:02:00Z")],
    ]);
    expect(automation.cron.get(job.id)).toMatchObject({ enabled: false, state: { lastStatus: "ok" } });
    expect(
      harness.events.filter((e) => e.event === "cron").map((e) => (e.payload as { action: string }).action),
    ).toEqual(["added", "started", "finished"]);
  });

  it("an `every` job keeps its grid across a restart: no double run, missed slots run once", async () => {
    harness = await automationHarness({ start: "2026-05-04T10:00:00Z" });
    let automation = await harness.boot();
    await automation.start();
    const job = await automation.cron.add(turn("check"), "check");
    await harness.advance(25 * MIN, automation); // slots 10:10, 10:20
    expect(harness.model.calls).toHaveLength(2);
    // restart 2 minutes later: the 10:30 slot is still ahead, nothing runs twice
    await automation.stop();
    harness.clock.jump(Date.parse("2026-05-04T10:27:00Z"));
    automation = await harness.boot();
    await automation.start();
    await harness.advance(5 * MIN, automation); // 10:30
    expect(harness.model.calls).toHaveLength(3);
    // down from 10:32 to 11:05: slots 10:40 … 11:00 were missed and run once, at start
    await automation.stop();
    harness.clock.jump(Date.parse("2026-05-04T11:05:00Z"));
    automation = await harness.boot();
    await automation.start();
    await harness.advance(0, automation);
    expect(harness.model.calls).toHaveLength(4);
    await harness.advance(6 * MIN, automation); // 11:10
    expect(harness.model.calls).toHaveLength(5);
    const runAt = (await automation.cron.runs(job.id)).entries.map((entry) =>
      new Date(entry.runAtMs!).toISOString(),
    );
    expect(runAt.reverse()).toEqual([
      "2026-05-04T10:10:00.000Z",
      "2026-05-04T10:20:00.000Z",
      "2026-05-04T10:30:00.000Z",
      "2026-05-04T11:05:00.000Z",
      "2026-05-04T11:10:00.000Z",
    ]);
  });

  it("a cron job with a timezone fires at 09:00 Paris time before and after the DST change", async () => {
    harness = await automationHarness({ start: "2026-03-27T12:00:00Z" });
    const automation = await harness.boot();
    await automation.start();
    const job = await automation.cron.add(
      {
        name: "morning",
        schedule: { kind: "cron", expr: "0 9 * * *", tz: "Europe/Paris" },
        sessionTarget: "main",
        wakeMode: "next-heartbeat",
        payload: { kind: "systemEvent", text: "good morning" },
      },
      "morning",
    );
    await harness.advance(3 * 24 * 60 * MIN, automation);
    const runAt = (await automation.cron.runs(job.id)).entries.map((entry) =>
      new Date(entry.runAtMs!).toISOString(),
    );
    expect(runAt.reverse()).toEqual([
      "2026-03-28T08:00:00.000Z", // 09:00 CET (UTC+1)
      "2026-03-29T07:00:00.000Z", // 09:00 CEST (UTC+2), the day clocks change
      "2026-03-30T07:00:00.000Z",
    ]);
  });

  it("a stop between the run and its delivery delivers exactly once after the restart", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    harness = await automationHarness({
      start: "2026-05-04T10:00:00Z",
      config: { channels: { telegram: { botToken: "1:x" } } },
      script: async () => {
        await gate;
        return mockTextResponse("Report: all green");
      },
    });
    let automation = await harness.boot();
    await automation.start();
    await automation.cron.add(
      turn("daily report", {
        schedule: { kind: "at", at: "2026-05-04T10:01:00Z" },
        payload: { kind: "agentTurn", message: "daily report", deliver: true, channel: "telegram", to: "42" },
      }),
      "report",
    );
    await harness.clock.advance(2 * MIN);
    await vi_waitFor(() => harness!.model.calls.length === 1);
    // the gateway goes down while the turn runs; the turn ends after the stop
    await automation.stop();
    release();
    await automation.idle();
    expect(harness.deliveries).toHaveLength(0);
    const stored = JSON.parse(await readFile(path.join(harness.stateDir, "cron", "jobs.json"), "utf8"));
    expect(stored.jobs[0].state.pendingDelivery).toMatchObject({
      text: "Report: all green",
      channel: "telegram",
      to: "42",
    });
    automation = await harness.boot();
    await automation.start();
    await automation.idle();
    expect(harness.deliveries).toEqual([
      {
        channel: "telegram",
        to: "42",
        text: "Report: all green",
        idempotencyKey: expect.stringMatching(/^cron:report:\d+$/),
      },
    ]);
    await automation.stop();
    automation = await harness.boot();
    await automation.start();
    await harness.advance(60 * MIN, automation);
    expect(harness.deliveries).toHaveLength(1);
    expect(harness.model.calls).toHaveLength(1);
    expect(automation.cron.get("report").state).toMatchObject({
      lastDeliveryStatus: "delivered",
      lastDelivered: true,
    });
  });

  it("a send cut by a crash is not re-sent (uncertain), unless the channel's sends are idempotent", async () => {
    harness = await automationHarness({ start: "2026-05-04T10:00:00Z" });
    let automation = await harness.boot();
    await automation.start();
    await automation.cron.add(
      turn("ping", {
        schedule: { kind: "at", at: "2026-05-04T10:01:00Z" },
        payload: { kind: "agentTurn", message: "ping", deliver: true, channel: "telegram", to: "7" },
      }),
      "ping",
    );
    harness.setDeliver(() => new Promise(() => undefined)); // the process dies inside the send
    await harness.clock.advance(2 * MIN);
    await vi_waitFor(async () =>
      (await readFile(path.join(harness!.stateDir, "cron", "jobs.json"), "utf8")).includes(
        '"attempted": true',
      ),
    );
    await automation.stop();
    harness.setDeliver(async (delivery) => void harness!.deliveries.push(delivery));
    automation = await harness.boot();
    await automation.start();
    await automation.idle();
    expect(harness.deliveries).toHaveLength(0);
    expect(automation.cron.get("ping").state).toMatchObject({ lastDeliveryStatus: "unknown" });
    expect(harness.logs).toContain(
      "cron: delivery uncertain after restart (not re-sent to avoid a duplicate)",
    );
  });
});

describe("cron bad input", () => {
  it("rejects an invalid cron expression, an unknown timezone and a bad `at`", async () => {
    harness = await automationHarness({ start: "2026-05-04T10:00:00Z" });
    const automation = await harness.boot();
    await automation.start();
    const main = {
      sessionTarget: "main",
      wakeMode: "now",
      payload: { kind: "systemEvent", text: "x" },
    } as const;
    await expect(
      automation.cron.add({ name: "bad", schedule: { kind: "cron", expr: "61 * * * *" }, ...main }, "a"),
    ).rejects.toThrow(/invalid cron expression "61 \* \* \* \*": Invalid value for minute: 61/);
    await expect(
      automation.cron.add(
        { name: "bad", schedule: { kind: "cron", expr: "0 9 * * *", tz: "Mars/Base" }, ...main },
        "b",
      ),
    ).rejects.toThrow(/invalid timezone "Mars\/Base"/);
    await expect(
      automation.cron.add({ name: "bad", schedule: { kind: "at", at: "soon" }, ...main }, "c"),
    ).rejects.toThrow(/valid time/);
    expect(automation.cron.list({ includeDisabled: true })).toHaveLength(0);
  });

  it("a corrupted jobs file: the last good jobs keep running and the error is shown", async () => {
    harness = await automationHarness({ start: "2026-05-04T10:00:00Z" });
    let automation = await harness.boot();
    await automation.start();
    await automation.cron.add(turn("check"), "check");
    await automation.stop();
    const file = path.join(harness.stateDir, "cron", "jobs.json");
    await writeFile(file, '{ "version": 1, "jobs": [ {"id": "check", ');
    automation = await harness.boot();
    await automation.start();
    expect(automation.cron.status()).toMatchObject({
      jobs: 1,
      storeError: expect.stringContaining("jobs.json"),
    });
    expect(harness.logs.some((line) => line.startsWith("cron: jobs file unreadable"))).toBe(true);
    await harness.advance(11 * MIN, automation);
    expect(harness.model.calls).toHaveLength(1);
    // the bad file was kept aside, the good jobs written back
    expect(JSON.parse(await readFile(file, "utf8")).jobs[0].id).toBe("check");
    expect(automation.cron.status().storeError).toBeUndefined();
  });

  it("a command that hangs is killed at its timeout and the run is an error", async () => {
    harness = await automationHarness({ start: "2026-05-04T10:00:00Z" });
    const automation = await harness.boot();
    await automation.start();
    await automation.cron.add(
      {
        name: "hang",
        schedule: { kind: "every", everyMs: 60 * MIN },
        sessionTarget: "main",
        wakeMode: "next-heartbeat",
        payload: { kind: "command", argv: ["sh", "-c", "echo started; sleep 30"], timeoutSeconds: 1 },
      },
      "hang",
    );
    await automation.cron.run("hang", "force");
    await automation.idle();
    const [entry] = (await automation.cron.runs("hang")).entries;
    expect(entry).toMatchObject({
      status: "error",
      error: "command timed out after 1s (killed)",
      summary: "started",
    });
  });

  it("the FAQ's automation.cron.jobs[] command job (cron.jobs) runs at its time", async () => {
    harness = await automationHarness({
      start: "2026-05-04T08:58:00Z",
      config: {
        cron: {
          jobs: [
            {
              id: "rapport-quotidien",
              name: "Rapport quotidien",
              enabled: true,
              schedule: { kind: "cron", expr: "0 9 * * *", tz: "UTC" },
              payload: { kind: "command", command: "echo rapport envoyé" },
            },
          ],
        },
      },
    });
    const automation = await harness.boot();
    await automation.start();
    expect(automation.cron.list()).toMatchObject([{ id: "rapport-quotidien", source: "config" }]);
    await harness.advance(3 * MIN, automation);
    const [entry] = (await automation.cron.runs("rapport-quotidien")).entries;
    expect(entry).toMatchObject({
      status: "ok",
      summary: "rapport envoyé",
      runAtMs: Date.parse("2026-05-04T09:00:00Z"),
    });
    await expect(automation.cron.remove("rapport-quotidien")).rejects.toThrow(/declared in the config/);
  });

  it("a failing tick is logged (`cron: timer tick failed`) and the scheduler keeps going", async () => {
    harness = await automationHarness({ start: "2026-05-04T10:00:00Z" });
    const automation = await harness.boot();
    await automation.start();
    await automation.cron.add(turn("check"), "check");
    const file = path.join(harness.stateDir, "cron", "jobs.json");
    await rename(file, `${file}.moved`);
    await mkdir(file); // the jobs path is now unreadable
    await harness.advance(11 * MIN, automation);
    expect(harness.logs.some((line) => line.startsWith("cron: timer tick failed: "))).toBe(true);
    expect(harness.model.calls).toHaveLength(0);
    await rm(file, { recursive: true });
    await rename(`${file}.moved`, file);
    await harness.advance(MIN, automation);
    expect(harness.model.calls).toHaveLength(1);
  });

  it("cron.enabled: false logs the runbook line and runs nothing on its own", async () => {
    harness = await automationHarness({
      start: "2026-05-04T10:00:00Z",
      config: { cron: { enabled: false } },
    });
    const automation = await harness.boot();
    await automation.start();
    await automation.cron.add(turn("check"), "check");
    await harness.advance(60 * MIN, automation);
    expect(harness.model.calls).toHaveLength(0);
    expect(harness.logs).toContain("cron: scheduler disabled; jobs will not run automatically");
    expect(automation.cron.status()).toMatchObject({ enabled: false, jobs: 1 });
  });
});

async function vi_waitFor(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error("condition not met");
}
