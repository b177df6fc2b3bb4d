import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Benchmark, type BenchResult, median, timeProcess } from "../../../bench/harness.js";
import { loadConfig } from "../src/config/load.js";
import { SessionStore } from "../src/state/session-store.js";
import { createFileStateStore } from "../src/state/state-store.js";

const cli = fileURLToPath(new URL("../../../apps/openclaw/dist/cli.js", import.meta.url));

function largeConfig(): string {
  const agents = Array.from({ length: 200 }, (_, n) => ({
    id: `agent-${n}`,
    workspace: `~/agents/${n}`,
    model: { primary: "anthropic/claude-sonnet-4-5", fallbacks: ["openai/gpt-5-mini"] },
    tools: { profile: "coding", deny: ["browser"] },
  }));
  const bindings = Array.from({ length: 1000 }, (_, n) => ({
    agentId: `agent-${n % 200}`,
    match: {
      channel: ["telegram", "slack", "discord", "whatsapp"][n % 4],
      peer: { kind: "direct", id: String(100000 + n) },
    },
  }));
  const channels = Object.fromEntries(
    Array.from({ length: 40 }, (_, n) => [
      `channel${n}`,
      {
        enabled: true,
        dmPolicy: "allowlist",
        allowFrom: Array.from({ length: 50 }, (_, m) => String(m)),
        accounts: Object.fromEntries(
          Array.from({ length: 10 }, (_, m) => [`acct${m}`, { name: `Account ${m}`, token: "x" }]),
        ),
        groups: { "*": { requireMention: true } },
      },
    ]),
  );
  const providers = Object.fromEntries(
    Array.from({ length: 50 }, (_, n) => [
      `provider${n}`,
      {
        baseUrl: `http://host${n}:8000/v1`,
        apiKey: "sk-test",
        api: "openai-completions",
        models: Array.from({ length: 20 }, (_, m) => ({
          id: `model-${m}`,
          contextWindow: 128000,
          maxTokens: 8192,
        })),
      },
    ]),
  );
  return `// large config for the loader benchmark\n${JSON.stringify({ agents: { defaults: { workspace: "~/w" }, list: agents }, bindings, channels, models: { providers } }, null, 2)}\n`;
}

async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < runs; index++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return median(times);
}

const benchmark: Benchmark = {
  name: "config+state",
  async run() {
    const results: BenchResult[] = [];
    const root = mkdtempSync(join(tmpdir(), "openclaw-bench-config-"));
    const env = { HOME: root, OPENCLAW_STATE_DIR: join(root, "state") } as NodeJS.ProcessEnv;
    mkdirSync(env.OPENCLAW_STATE_DIR!, { recursive: true });

    const configText = largeConfig();
    const configPath = join(env.OPENCLAW_STATE_DIR!, "openclaw.json");
    writeFileSync(configPath, configText);
    const loadMs = await timeIt(7, () => loadConfig({ env, applyEnv: false, cwd: root }));
    results.push({
      name: `load + validate large config (${Math.round(configText.length / 1024)} KB: 200 agents, 1000 bindings, 40 channels, 50 providers)`,
      value: loadMs,
      unit: "ms",
      lowerIsBetter: true,
    });

    // sessions.json with 10k sessions
    const state = createFileStateStore(env.OPENCLAW_STATE_DIR!);
    const now = Date.now();
    const index: Record<string, unknown> = {};
    for (let n = 0; n < 10_000; n++)
      index[`agent:main:telegram:direct:${n}`] = {
        sessionId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
        updatedAt: now - n * 1000,
        chatType: "direct",
        channel: "telegram",
        displayName: `User ${n}`,
        inputTokens: n,
        outputTokens: n,
      };
    await state.writeText("agents/main/sessions/sessions.json", JSON.stringify(index, null, 2));
    const store = new SessionStore({ state });
    results.push({
      name: "open sessions.json with 10k sessions (get one)",
      value: await timeIt(7, () => store.get("agent:main:telegram:direct:5000")),
      unit: "ms",
      lowerIsBetter: true,
    });
    results.push({
      name: "list 10k sessions (active in last hour)",
      value: await timeIt(5, () => store.list({ activeSince: now - 3_600_000 })),
      unit: "ms",
      lowerIsBetter: true,
    });
    results.push({
      name: "patch one session in a 10k index (locked, atomic)",
      value: await timeIt(5, () => store.patch("agent:main:telegram:direct:5000", { label: "x" })),
      unit: "ms",
      lowerIsBetter: true,
    });

    // transcript of 100k entries
    await store.create("agent:main:big");
    const lines: string[] = [];
    let parent: string | null = null;
    for (let n = 0; n < 100_000; n++) {
      const id = n.toString(16).padStart(8, "0");
      lines.push(
        JSON.stringify({
          type: "message",
          id,
          parentId: parent,
          timestamp: new Date(now + n).toISOString(),
          message: {
            role: n % 2 ? "assistant" : "user",
            content: [{ type: "text", text: `message number ${n} with some ordinary text in it` }],
          },
        }),
      );
      parent = id;
    }
    await state.appendLines(
      `agents/main/sessions/${(await store.get("agent:main:big"))!.entry.sessionId}.jsonl`,
      lines,
    );
    results.push({
      name: "read a 100k-entry transcript",
      value: await timeIt(3, () => store.readTranscript("agent:main:big")),
      unit: "ms",
      lowerIsBetter: true,
    });

    // append throughput (one entry per append, one writer)
    await store.create("agent:main:append");
    const appends = 2000;
    const started = performance.now();
    for (let n = 0; n < appends; n++)
      await store.append("agent:main:append", [
        { type: "message", message: { role: "user", content: `m${n}` } },
      ]);
    const seconds = (performance.now() - started) / 1000;
    results.push({
      name: "transcript append throughput (1 entry per call)",
      value: Math.round(appends / seconds),
      unit: "entries/s",
      lowerIsBetter: false,
    });
    await store.close();

    // CLI wall time of `openclaw config get gateway.port` on the built CLI
    if (existsSync(cli)) {
      const typical = readFileSync(
        new URL("../src/config/__fixtures__/real/minimal.json5", import.meta.url),
        "utf8",
      );
      for (const [label, text] of [
        ["typical config", typical],
        [
          `${Math.round(configText.length / 1024)} KB config`,
          configText.replace("{", '{ "gateway": { "port": 18789 },'),
        ],
      ] as const) {
        writeFileSync(configPath, text);
        const run = await timeProcess(process.execPath, [cli, "config", "get", "gateway.port"], {
          env: { ...process.env, ...env },
          runs: 9,
        });
        if (run.lastRun.stdout.trim() !== "18789")
          throw new Error(`unexpected output: ${run.lastRun.stdout}${run.lastRun.stderr}`);
        results.push({
          name: `openclaw config get gateway.port wall (${label})`,
          value: run.wallMs,
          unit: "ms",
          lowerIsBetter: true,
          note: "target < 100 ms; OpenClaw 2.8 s",
        });
        results.push({
          name: `openclaw config get gateway.port peak RSS (${label})`,
          value: run.peakRssMb,
          unit: "MB",
          lowerIsBetter: true,
          note: "target < 60 MB; OpenClaw 320 MB",
        });
      }
    } else {
      results.push({
        name: "openclaw config get gateway.port wall (CLI not built: pnpm turbo run build --filter=@openclaw/cli)",
        value: Number.NaN,
        unit: "ms",
        lowerIsBetter: true,
      });
    }
    return results;
  },
};
export default benchmark;
