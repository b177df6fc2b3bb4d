import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createMockProvider, MockLanguageModelV1, type MockStreamScriptSource, mockTextResponse } from "@openclaw/testkit";
import { type Assistant, createAssistant } from "../../assistant.js";
import { Automation, type AutomationOptions } from "../automation.js";
import { ManualClock } from "../clock.js";
import type { ChannelDelivery } from "../types.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A state dir, a manual clock, core's real assistant on a scripted model (its calls counted),
 * and automations over them that can be "restarted" (a new one on the same state dir).
 */
export async function automationHarness(options: {
  start: string;
  config?: Record<string, unknown>;
  script?: MockStreamScriptSource;
  /** HEARTBEAT.md's text; null: no file. */
  heartbeatFile?: string | null;
}) {
  const dir = await mkdtemp(path.join(tmpdir(), "openclaw-cron-"));
  const stateDir = path.join(dir, "state");
  const workspace = path.join(dir, "ws");
  await mkdir(workspace, { recursive: true });
  // a new workspace's HEARTBEAT.md (headings only: heartbeats skip) unless the test says otherwise
  if (options.heartbeatFile !== null)
    await writeFile(path.join(workspace, "HEARTBEAT.md"), options.heartbeatFile ?? "# Heartbeat checklist\n");
  const clock = new ManualClock(new Date(options.start));
  const model = new MockLanguageModelV1({ provider: "mock", modelId: "a", script: options.script ?? mockTextResponse("done") });
  const config: Record<string, unknown> = {
    ...options.config,
    agents: {
      ...(options.config?.agents as Record<string, unknown>),
      defaults: {
        workspace,
        model: "mock/a",
        ...((options.config?.agents as { defaults?: Record<string, unknown> } | undefined)?.defaults ?? {}),
      },
    },
  };
  const deliveries: ChannelDelivery[] = [];
  const logs: string[] = [];
  const events: { event: string; payload: unknown }[] = [];
  const assistants: Assistant[] = [];
  const automations: Automation[] = [];
  let deliver: AutomationOptions["deliver"] = async (delivery) => {
    deliveries.push(delivery);
  };
  const logger = {
    ...quiet,
    info: (_fields: unknown, message?: string) => void logs.push(String(message)),
    warn: (_fields: unknown, message?: string) => void logs.push(String(message)),
    error: (_fields: unknown, message?: string) => void logs.push(String(message)),
  };

  /** A fresh automation (and assistant) on the same state dir: what a gateway restart gives. */
  async function boot(extra: Partial<AutomationOptions> = {}): Promise<Automation> {
    // the previous process is gone: its assistant (transcript writers, locks) closes first
    for (const previous of assistants.splice(0)) await previous.close().catch(() => undefined);
    let assistant: Assistant | undefined;
    const automation = new Automation({
      stateDir,
      config: () => config,
      env: {},
      clock,
      logger,
      broadcast: (event, payload) => void events.push({ event, payload }),
      assistant: async () => {
        assistant ??= createAssistant({
          clock,
          config: config as never,
          providers: [createMockProvider({ id: "mock", models: { a: model } })],
          stateDir,
          env: {},
        });
        if (!assistants.includes(assistant)) assistants.push(assistant);
        return assistant;
      },
      deliver: (delivery) => deliver!(delivery),
      ...extra,
    });
    automations.push(automation);
    return automation;
  }

  return {
    dir,
    stateDir,
    workspace,
    clock,
    model,
    config,
    deliveries,
    logs,
    events,
    boot,
    setDeliver(fn: AutomationOptions["deliver"]) {
      deliver = fn;
    },
    /** Advance simulated time, letting every run and write the timers start finish. */
    async advance(ms: number, automation: Automation) {
      await clock.advance(ms, () => automation.idle());
    },
    async close() {
      for (const automation of automations) await automation.stop().catch(() => undefined);
      const settle = (automation: Automation) =>
        Promise.race([automation.idle().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1_000))]);
      for (const automation of automations) await settle(automation);
      for (const assistant of new Set(assistants)) await assistant.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
