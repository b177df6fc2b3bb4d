import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LanguageModelV1, LanguageModelV1StreamPart } from "@openclaw/protocol";
import { type Benchmark, type BenchResult, percentile } from "../../../bench/harness.js";
import { buildSystemPrompt, createAssistant, loadBootstrapFiles, resolveAgentRoute } from "../src/index.js";

const SESSIONS = Number(process.env.AGENT_BENCH_SESSIONS ?? 1000);
const MESSAGES = Number(process.env.AGENT_BENCH_MESSAGES ?? 20);

/** A model that answers instantly with a fixed two-delta reply. */
function instantModel(): LanguageModelV1 {
  const parts: LanguageModelV1StreamPart[] = [
    { type: "stream-start", warnings: [] },
    { type: "text-start", id: "t" },
    { type: "text-delta", id: "t", delta: "ok " },
    { type: "text-delta", id: "t", delta: "done" },
    { type: "text-end", id: "t" },
    { type: "finish", finishReason: "stop", usage: { inputTokens: 10, outputTokens: 2 } },
  ];
  return {
    specificationVersion: "v1",
    provider: "instant",
    modelId: "m",
    async doStream() {
      return {
        stream: (async function* () {
          yield* parts;
        })(),
      };
    },
  };
}

async function turnsBench(dir: string): Promise<BenchResult[]> {
  const config = {
    agents: { defaults: { workspace: path.join(dir, "ws"), model: "instant/m", maxConcurrent: 8 } },
    session: { dmScope: "per-peer" as const },
  };
  const model = instantModel();
  const assistant = createAssistant({
    config,
    providers: [{ specificationVersion: "v1", id: "instant", languageModel: () => model }],
    stateDir: path.join(dir, "state"),
    env: {},
  });
  const runStart = new Map<string, number>();
  const inRun: number[] = [];
  assistant.bus.on("agent", (event) => {
    if (event.stream !== "lifecycle") return;
    if (event.data.phase === "start") runStart.set(event.runId, performance.now());
    else if (event.data.phase === "end") {
      const started = runStart.get(event.runId);
      if (started !== undefined) inRun.push(performance.now() - started);
      runStart.delete(event.runId);
    }
  });
  let chatEvents = 0;
  assistant.bus.on("chat", () => {
    chatEvents += 1;
  });
  const endToEnd: number[] = [];
  const started = performance.now();
  let failures = 0;
  await Promise.all(
    Array.from({ length: SESSIONS }, async (_, peer) => {
      for (let index = 0; index < MESSAGES; index++) {
        const route = resolveAgentRoute(
          { session: config.session },
          { channel: "bench", accountId: "default", peer: { kind: "direct", id: `user${peer}` } },
        );
        const sent = performance.now();
        const result = await assistant.enqueue({
          sessionKey: route.sessionKey,
          agentId: route.agentId,
          text: `message ${index}`,
          channel: "bench",
        });
        endToEnd.push(performance.now() - sent);
        if (result.status !== "ok") failures += 1;
      }
    }),
  );
  const elapsed = performance.now() - started;
  await assistant.close();
  // uncontended: a fresh assistant, one conversation at a time, so each figure is this path's own cost per turn
  const solo = createAssistant({
    config,
    providers: [{ specificationVersion: "v1", id: "instant", languageModel: () => model }],
    stateDir: path.join(dir, "state-solo"),
    env: {},
  });
  const sequential: number[] = [];
  for (let index = 0; index < 2000; index++) {
    const route = resolveAgentRoute(
      { session: config.session },
      { channel: "bench", accountId: "default", peer: { kind: "direct", id: `solo${index % 10}` } },
    );
    const sent = performance.now();
    await solo.enqueue({ sessionKey: route.sessionKey, agentId: route.agentId, text: `solo ${index}` });
    sequential.push(performance.now() - sent);
  }
  await solo.close();
  const turns = SESSIONS * MESSAGES;
  return [
    {
      name: `agent turns (${SESSIONS} sessions × ${MESSAGES} msgs) throughput`,
      value: Math.round(turns / (elapsed / 1000)),
      unit: "turns/s",
      lowerIsBetter: false,
      note: `${failures} failed, ${chatEvents} chat events`,
    },
    {
      name: "agent turn added latency p50, uncontended (route → lane → run → transcript → event)",
      value: round(percentile(sequential, 50)),
      unit: "ms",
      lowerIsBetter: true,
    },
    {
      name: "agent turn added latency p99, uncontended",
      value: round(percentile(sequential, 99)),
      unit: "ms",
      lowerIsBetter: true,
      note: "target < 5 ms; instant model",
    },
    {
      name: "agent run duration p99 under full load (8 runs interleaved)",
      value: round(percentile(inRun, 99)),
      unit: "ms",
      lowerIsBetter: true,
    },
    {
      name: "agent turn end-to-end p99 under full load (incl. waiting for a lane)",
      value: round(percentile(endToEnd, 99)),
      unit: "ms",
      lowerIsBetter: true,
      note: `${SESSIONS} sessions in flight, maxConcurrent 8`,
    },
  ];
}

async function promptBench(dir: string): Promise<BenchResult[]> {
  const workspace = path.join(dir, "prompt-ws");
  await mkdir(path.join(workspace, "memory"), { recursive: true });
  const big = (label: string) =>
    `# ${label}\n${`${label} line with some words to fill the file up. `.repeat(2500)}`;
  const names = [
    "AGENTS.md",
    "SOUL.md",
    "TOOLS.md",
    "IDENTITY.md",
    "USER.md",
    "HEARTBEAT.md",
    "BOOTSTRAP.md",
    "MEMORY.md",
  ];
  for (const name of names) await writeFile(path.join(workspace, name), big(name));
  for (let index = 0; index < 12; index++)
    await writeFile(
      path.join(workspace, "memory", `2026-01-${String(index + 1).padStart(2, "0")}.md`),
      big(`day ${index}`),
    );
  const times: number[] = [];
  let length = 0;
  for (let iteration = 0; iteration < 200; iteration++) {
    const started = performance.now();
    const files = await loadBootstrapFiles(workspace, { includeMemory: true, maxChars: 20_000 });
    const prompt = buildSystemPrompt({
      agentId: "main",
      workspaceDir: workspace,
      bootstrapFiles: files,
      tools: [{ name: "read", description: "Read a file" }],
      runtime: { host: "bench", os: "linux", node: process.version, model: "instant/m" },
      timezone: "UTC",
    });
    times.push(performance.now() - started);
    length = prompt.length;
  }
  return [
    {
      name: "prompt assembly p50 (20 large workspace files)",
      value: round(percentile(times, 50)),
      unit: "ms",
      lowerIsBetter: true,
      note: `${length} chars of prompt`,
    },
    {
      name: "prompt assembly p99 (20 large workspace files)",
      value: round(percentile(times, 99)),
      unit: "ms",
      lowerIsBetter: true,
    },
  ];
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

const benchmark: Benchmark = {
  name: "agent",
  async run() {
    const dir = await mkdtemp(path.join(tmpdir(), "openclaw-agent-bench-"));
    try {
      return [...(await turnsBench(dir)), ...(await promptBench(dir))];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
export default benchmark;
