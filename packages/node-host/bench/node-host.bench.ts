import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GatewayClient } from "@openclaw/client";
import { type Benchmark, median, percentile } from "../../../bench/harness.js";

// Whole processes, as a user runs them: the built CLI's gateway and `openclaw node run` on
// 127.0.0.1 (`pnpm turbo run build --filter=@openclaw/cli...` first). Figures: the node.invoke
// round trip of system.which as an operator sees it (operator → gateway → node → gateway →
// operator), and the idle node process's resident memory: VmRSS and its two parts, RssAnon (heap,
// stacks, malloc: this process's own) and RssFile (pages of the `node` binary and shared libraries
// it touched: shared with every other Node process and dropped first under memory pressure).
const cli = fileURLToPath(new URL("../../../apps/openclaw/dist/cli.js", import.meta.url));
/** Idle settle before reading the node's RSS (OPENCLAW_BENCH_SETTLE_MS). */
const SETTLE_MS = Number(process.env.OPENCLAW_BENCH_SETTLE_MS ?? 30_000);
const CALLS = 1000;

/** VmRSS, RssAnon and RssFile of a live process from /proc/<pid>/status, in MB. */
function residentMemory(pid: number): { rss: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) =>
    Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) / 1024;
  return { rss: field("VmRSS"), anon: field("RssAnon"), file: field("RssFile") };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, child?: ChildProcess): Promise<T> {
  for (let attempt = 0; attempt < 1500; attempt += 1) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (child && child.exitCode !== null)
      throw new Error(`${what}: the process exited with ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  return exited;
}

const benchmark: Benchmark = {
  name: "node-host",
  async run() {
    const home = mkdtempSync(join(tmpdir(), "openclaw-node-bench-"));
    const port = await freePort();
    const base = { PATH: process.env.PATH, HOME: home, NO_COLOR: "1" };
    const gateway = spawn(process.execPath, [cli, "gateway", "--port", String(port)], {
      env: { ...base, OPENCLAW_STATE_DIR: join(home, "gateway") },
      stdio: "ignore",
    });
    let node: ChildProcess | undefined;
    let client: GatewayClient | undefined;
    try {
      await until(
        async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok || undefined,
        "the gateway",
        gateway,
      );
      const config = readFileSync(join(home, "gateway", "openclaw.json"), "utf8");
      const token = /token["']?:\s*["']([^"']+)["']/.exec(config)?.[1] ?? "";
      client = new GatewayClient({
        url: `ws://127.0.0.1:${port}`,
        auth: { token },
        client: { id: "test", mode: "test" },
        reconnect: false,
      });
      await client.connect();
      node = spawn(
        process.execPath,
        [cli, "node", "run", "--host", "127.0.0.1", "--port", String(port), "--display-name", "bench"],
        {
          env: { ...base, OPENCLAW_STATE_DIR: join(home, "node"), OPENCLAW_GATEWAY_TOKEN: token },
          stdio: "ignore",
        },
      );
      const operator = client;
      const request = await until(
        async () => (await operator.request("node.pair.list", {})).pending[0],
        "the node's pairing request",
        node,
      );
      await operator.request("node.pair.approve", { requestId: request.requestId });
      const nodeId = request.nodeId;
      // warm up, then sequential round trips
      for (let i = 0; i < 50; i += 1)
        await operator.request("node.invoke", { nodeId, command: "system.which", params: { bins: ["sh"] } });
      const latencies: number[] = [];
      for (let i = 0; i < CALLS; i += 1) {
        const started = performance.now();
        const result = await operator.request("node.invoke", {
          nodeId,
          command: "system.which",
          params: { bins: ["sh"] },
        });
        latencies.push(performance.now() - started);
        if (!result.ok) throw new Error(`system.which failed: ${JSON.stringify(result.error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const memory = residentMemory(node.pid!);
      return [
        {
          name: "node.invoke system.which round trip p50",
          value: median(latencies),
          unit: "ms",
          lowerIsBetter: true,
          note: `${CALLS} sequential calls over loopback`,
        },
        {
          name: "node.invoke system.which round trip p99",
          value: percentile(latencies, 99),
          unit: "ms",
          lowerIsBetter: true,
        },
        {
          name: "node-host idle RSS",
          value: memory.rss,
          unit: "MB",
          lowerIsBetter: true,
          note: `VmRSS after ${SETTLE_MS / 1000} s connected and paired; goal < 45 MB, not reachable (docs/nodes.md "Memory")`,
        },
        {
          name: "node-host idle RssAnon",
          value: memory.anon,
          unit: "MB",
          lowerIsBetter: true,
          note: "the process's own memory (heap, stacks, malloc)",
        },
        {
          name: "node-host idle RssFile",
          value: memory.file,
          unit: "MB",
          lowerIsBetter: true,
          note: "touched pages of the node binary and libraries (shared, reclaimable)",
        },
      ];
    } finally {
      await client?.close().catch(() => undefined);
      if (node) await stop(node);
      await stop(gateway);
      rmSync(home, { recursive: true, force: true });
    }
  },
};
export default benchmark;
