import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayClient } from "@openclaw/client";
import { whichSync } from "@openclaw/exec-approvals";
import { type FakeOpenAIServer, openaiChatReply, startFakeOpenAI } from "@openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Assembled, assembleGateway } from "../gateway-assembly.js";
import { openclawProcess } from "./cli-test-helpers.js";

// Issue 14's end-to-end: the real assembly with a fake OpenAI model on 127.0.0.1, a real
// `openclaw node run` process as the node, the CLI (`openclaw nodes …`, `openclaw approvals …`) in
// child processes. The agent's exec runs on the node (tools.exec.host = node) under the node's
// exec-approvals.json.
const TOKEN = "nodes-e2e-token-0123456789";

let home: string;
let stateDir: string;
let nodeState: string;
let fake: FakeOpenAIServer;
let assembled: Assembled;
let client: GatewayClient;
let url: string;
let node: ChildProcess | undefined;
const nodeLog: string[] = [];
const strays: number[] = [];

function startNodeProcess(): ChildProcess {
  const cli = join(import.meta.dirname, "../cli.ts");
  const tsx = createRequire(join(import.meta.dirname, "../../../../package.json")).resolve("tsx");
  const port = new URL(url).port;
  const child = spawn(
    process.execPath,
    [
      "--conditions=@openclaw/source",
      "--import",
      tsx,
      cli,
      "node",
      "run",
      "--host",
      "127.0.0.1",
      "--port",
      port,
      "--display-name",
      "laptop",
    ],
    {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: home,
        OPENCLAW_STATE_DIR: nodeState,
        OPENCLAW_GATEWAY_TOKEN: TOKEN,
        NO_COLOR: "1",
      },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  child.stderr?.on("data", (chunk: Buffer) => nodeLog.push(chunk.toString()));
  return child;
}

const cli = (...args: string[]) =>
  openclawProcess({ HOME: home, OPENCLAW_STATE_DIR: stateDir }, ...args, "--url", url, "--token", TOKEN);

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}\nnode log:\n${nodeLog.join("")}`);
}

interface ToolResultEvent {
  runId: string;
  stream: string;
  data: { phase?: string; name?: string; result?: unknown; isError?: boolean };
}

/** Send a message whose model turn asks for `exec command`; resolve with the exec tool's result text. */
async function execThroughAgent(command: string, id: string): Promise<{ text: string; isError: boolean }> {
  fake.enqueue(
    openaiChatReply({ toolCalls: [{ id, name: "exec", arguments: [JSON.stringify({ command })] }] }),
    openaiChatReply({ text: ["done"] }),
  );
  const result = new Promise<{ text: string; isError: boolean }>((resolve) => {
    const off = client.on("agent", (payload) => {
      const event = payload as ToolResultEvent;
      if (event.stream === "tool" && event.data.phase === "result" && event.data.name === "exec") {
        off();
        const value = event.data.result;
        resolve({
          text: typeof value === "string" ? value : JSON.stringify(value),
          isError: event.data.isError === true,
        });
      }
    });
  });
  await client.request("chat.send", { sessionKey: "main", message: `run ${command}` });
  return result;
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-nodes-e2e-"));
  stateDir = join(home, "gateway");
  nodeState = join(home, "node");
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await mkdir(nodeState, { recursive: true, mode: 0o700 });
  fake = await startFakeOpenAI();
  await writeFile(
    join(stateDir, "openclaw.json"),
    JSON.stringify({
      gateway: { auth: { token: TOKEN } },
      agents: { defaults: { workspace: join(home, "workspace"), model: "fake/gpt-test" } },
      tools: { exec: { host: "node", node: "laptop" } },
      models: {
        providers: {
          fake: {
            baseUrl: fake.baseURL,
            api: "openai-completions",
            apiKey: "sk-e2e",
            models: [{ id: "gpt-test", name: "gpt-test", contextWindow: 128000 }],
          },
        },
      },
    }),
  );
  // the node's own policy: echo and sleep allowlisted, anything else asks an operator
  await writeFile(
    join(nodeState, "exec-approvals.json"),
    JSON.stringify({
      version: 1,
      defaults: { security: "allowlist", ask: "on-miss", askFallback: "deny" },
      agents: { main: { allowlist: [{ pattern: whichSync("echo") }, { pattern: whichSync("sleep") }] } },
    }),
  );
  assembled = await assembleGateway({
    env: { PATH: process.env.PATH ?? "", HOME: home, OPENCLAW_STATE_DIR: stateDir },
    port: 0,
    console: false,
  });
  url = (await assembled.gateway.listen()).url;
  client = new GatewayClient({ url, auth: { token: TOKEN }, reconnect: false });
  await client.connect();
});

afterAll(async () => {
  node?.kill("SIGKILL");
  for (const pid of strays) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await client?.close();
  await assembled?.gateway.close();
  await assembled?.close();
  await fake?.close();
  await rm(home, { recursive: true, force: true });
});

describe("a real node-host process paired with the gateway, the agent's exec on it", () => {
  it("pairs, runs allowlisted commands, asks for the rest, survives kill -9 and re-pairs silently", {
    timeout: 60_000,
  }, async () => {
    // pairing request → openclaw nodes approve → openclaw nodes status lists it online with its commands
    node = startNodeProcess();
    const request = await until(
      async () => (await client.request("node.pair.list", {})).pending[0],
      "the node's pairing request",
    );
    expect((await cli("nodes", "pending")).stdout).toContain(request.requestId);
    const approved = await cli("nodes", "approve", request.requestId);
    expect(approved.code).toBe(0);
    const status = await cli("nodes", "status", "--json");
    const listed = JSON.parse(status.stdout) as {
      nodes: {
        nodeId: string;
        displayName: string;
        connected: boolean;
        paired: boolean;
        commands: string[];
      }[];
    };
    expect(listed.nodes).toEqual([
      expect.objectContaining({
        nodeId: request.nodeId,
        displayName: "laptop",
        connected: true,
        paired: true,
      }),
    ]);
    expect(listed.nodes[0]!.commands).toEqual(
      expect.arrayContaining(["system.run", "system.which", "system.execApprovals.get"]),
    );

    // the CLI runs on the node too: nodes run (system.run under its approvals), nodes invoke
    const ran = await openclawProcess(
      { HOME: home, OPENCLAW_STATE_DIR: stateDir },
      ...["nodes", "run", "laptop", "--url", url, "--token", TOKEN, "--", "echo", "from-cli"],
    );
    expect([ran.code, ran.stdout]).toEqual([0, "from-cli\n"]);
    const which = await cli(
      "nodes",
      "invoke",
      "--node",
      "laptop",
      "--command",
      "system.which",
      "--params",
      '{"bins":["sh"]}',
    );
    expect(JSON.parse(which.stdout)).toEqual({ bins: { sh: whichSync("sh") } });

    // the agent runs `echo hi` on the node under its allowlist entry
    const hi = await execThroughAgent("echo hi", "call_hi");
    expect(hi.isError).toBe(false);
    expect(hi.text).toMatch(/^hi\n\[exit code 0 · node laptop\]/);

    // not on the allowlist: an approval request; approve --once runs it once, the next one asks again
    const requested: { id: string; request: { command: string; host?: string } }[] = [];
    client.on("exec.approval.requested", (payload) => requested.push(payload as (typeof requested)[number]));
    const first = execThroughAgent("printf approved", "call_once");
    const ask1 = await until(() => requested[0], "approval request 1");
    expect(ask1.request).toMatchObject({ command: "printf approved", host: "node" });
    expect((await cli("approvals", "pending")).stdout).toMatch(
      new RegExp(`^${ask1.id}  node [0-9a-f]{12}…  printf approved`),
    );
    expect((await cli("approvals", "approve", ask1.id, "--once")).code).toBe(0);
    expect((await first).text).toMatch(/^approved\n\[exit code 0/);
    const second = execThroughAgent("printf approved", "call_again");
    const ask2 = await until(() => requested[1], "approval request 2");
    expect(ask2.id).not.toBe(ask1.id);
    // allow-always persists an allowlist entry on the node
    expect((await cli("approvals", "approve", ask2.id, "--always")).code).toBe(0);
    expect((await second).text).toMatch(/^approved\n/);
    const file = JSON.parse(await readFile(join(nodeState, "exec-approvals.json"), "utf8"));
    expect(file.agents.main.allowlist.map((entry: { pattern: string }) => entry.pattern)).toContain(
      whichSync("printf"),
    );
    expect((await execThroughAgent("printf approved", "call_always")).text).toMatch(/^approved\n/);
    expect(requested).toHaveLength(2);
    const onNode = await client.request("exec.approvals.node.get", { nodeId: "laptop" });
    expect((onNode.file.agents as { main: { allowlist: unknown[] } }).main.allowlist).toHaveLength(3);

    // kill -9 of the node mid-command: the agent gets a clear error
    const nodePid = node.pid!;
    const running = execThroughAgent("sleep 30", "call_sleep");
    const children = (pid: number) => {
      try {
        return execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" })
          .trim()
          .split("\n")
          .filter(Boolean)
          .map(Number);
      } catch {
        return [];
      }
    };
    const comm = (pid: number) =>
      execFileSync("ps", ["-o", "comm=", "-p", String(pid)], { encoding: "utf8" }).trim();
    // the sleep runs under the node (directly, or under its `sh -c`)
    const sleeper = await until(() => {
      for (const child of children(nodePid)) {
        const found = [child, ...children(child)].find((pid) => comm(pid) === "sleep");
        if (found) return { shell: child, sleep: found };
      }
      return undefined;
    }, "the sleep on the node");
    strays.push(sleeper.sleep, sleeper.shell);
    node.kill("SIGKILL");
    const lost = await running;
    expect(lost.isError).toBe(true);
    expect(lost.text).toMatch(/NODE_DISCONNECTED.*node \S+ disconnected before answering system\.run/);

    // restarted: same identity, re-pairs without an approval, serves again
    const before = (await client.request("node.pair.list", {})).pending.length;
    node = startNodeProcess();
    await until(
      async () =>
        (await client.request("node.list", {})).nodes.find((entry) => entry.connected && entry.paired),
      "the node back online",
    );
    expect((await client.request("node.pair.list", {})).pending).toHaveLength(before);
    expect((await execThroughAgent("echo back", "call_back")).text).toMatch(/^back\n/);
  });
});
