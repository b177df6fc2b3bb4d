// Drives the real OpenClaw CLI (npm `openclaw`, 2026.9.x) against this project's gateway and
// reports, per command line, whether it worked. Run it through scripts/real-openclaw-check.sh,
// which installs the real CLI and runs everything in a network namespace with loopback only
// (the real CLI phones home otherwise). Usage:
//   tsx --conditions=@openclaw/source scripts/real-openclaw-check.ts <path to openclaw.mjs>
//     [--clients <node_modules dir with @openclaw/gateway-client and openclaw-node>] [--only <text>] [--json]
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assembleGateway } from "../apps/openclaw/src/gateway-assembly.js";
import { GatewayClient } from "../packages/client/src/index.js";
import { NodeHost } from "../packages/node-host/src/index.js";
import { openaiChatReply, startFakeOpenAI } from "../packages/testkit/src/index.js";

const TOKEN = "real-cli-check-token-0123456789";
const cli = process.argv[2];
if (!cli) {
  process.stderr.write("usage: real-openclaw-check.ts <openclaw.mjs> [--json]\n");
  process.exit(2);
}

interface Outcome {
  command: string;
  ok: boolean;
  code: number | null;
  detail: string;
}

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli!, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (out += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** Params for `gateway call <method>` (methods that need some). */
const CALL_PARAMS: Record<string, Record<string, unknown>> = {
  "sessions.preview": { keys: ["agent:main:main"] },
  "chat.history": { sessionKey: "agent:main:main", limit: 3 },
  "sessions.messages.subscribe": { key: "agent:main:main" },
  "sessions.messages.unsubscribe": { key: "agent:main:main" },
  "agent.identity.get": { agentId: "main" },
  "logs.tail": { limit: 5 },
};
/**
 * Methods `gateway call` cannot meaningfully run without side effects, another role, or state this
 * run does not have (a pending channel pairing code, a WhatsApp account to link: with `{}` they
 * answer INVALID_REQUEST / UNAVAILABLE, which the real CLI prints as an error and exit 1).
 */
const SKIP_CALL =
  /^(node\.|channels\.pairing\.(approve|dismiss)|web\.login\.|exec\.approval\.|exec\.approvals\.(set|node\.)|chat\.send|chat\.inject|chat\.abort|agent$|agent\.wait|send$|sessions\.(patch|reset|delete|compact)|config\.(set|patch|apply)|channels\.logout|device\.|cron\.(add|update|remove|run)|system-event|set-heartbeats|wake|skills\.bins)/;

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, ko) => {
    resolve = ok;
    reject = ko;
  });
  return { promise, resolve, reject };
}

/** Community clients stream one chat each: `@openclaw/gateway-client` and `openclaw-node`. */
async function checkCommunityClients(
  dir: string,
  url: string,
  home: string,
  outcomes: Outcome[],
  only?: string,
): Promise<void> {
  const attempt = async (name: string, body: () => Promise<string>) => {
    if (only && !name.includes(only)) return;
    try {
      const text = await Promise.race([
        body(),
        new Promise<string>((_, reject) =>
          setTimeout(() => reject(new Error("timed out after 60 s")), 60_000),
        ),
      ]);
      const ok = text.includes("Hello from the fake model.");
      outcomes.push({ command: name, ok, code: ok ? 0 : 1, detail: text.slice(0, 300) });
    } catch (error) {
      outcomes.push({
        command: name,
        ok: false,
        code: 1,
        detail: String((error as Error)?.message ?? error),
      });
    }
  };
  await attempt("@openclaw/gateway-client: chat.send, streamed chat events", async () => {
    const { GatewayClient: Reference } = await import(join(dir, "@openclaw/gateway-client/dist/index.mjs"));
    const hello = deferred<void>();
    const final = deferred<string>();
    let streamed = "";
    const client = new Reference({
      url,
      token: TOKEN,
      minProtocol: 4,
      maxProtocol: 4,
      onHelloOk: () => hello.resolve(),
      onConnectError: (error: Error) => hello.reject(error),
      onEvent: (event: {
        event: string;
        payload: { state?: string; deltaText?: string; runId?: string };
      }) => {
        if (event.event !== "chat" || event.payload.runId !== "gateway-client-run") return;
        if (event.payload.deltaText) streamed += event.payload.deltaText;
        if (event.payload.state === "final") final.resolve(streamed);
      },
    });
    client.start();
    try {
      await hello.promise;
      await client.request("chat.send", {
        sessionKey: "agent:main:gateway-client",
        message: "hi",
        idempotencyKey: "gateway-client-run",
      });
      return await final.promise;
    } finally {
      client.stop();
    }
  });
  await attempt("openclaw-node: client.chat() stream", async () => {
    const { OpenClawClient } = await import(join(dir, "openclaw-node/dist/index.mjs"));
    // it keeps a device identity (and its device token) in a file: a fresh one per run, never ~/.openclaw
    const client = new OpenClawClient({
      url,
      token: TOKEN,
      autoReconnect: false,
      deviceIdentityPath: join(home, "openclaw-node-device.json"),
    });
    await client.connect();
    let text = "";
    try {
      for await (const chunk of client.chat("hi", { sessionKey: "agent:main:openclaw-node" }))
        if (chunk.type === "text") text += chunk.text;
    } finally {
      await client.disconnect();
    }
    return text;
  });
}

async function main(): Promise<void> {
  const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
  const home = await mkdtemp(join(tmpdir(), "openclaw-real-cli-"));
  const stateDir = join(home, "gateway-state");
  const cliHome = join(home, "cli-home");
  await mkdir(stateDir, { recursive: true });
  await mkdir(join(cliHome, ".openclaw"), { recursive: true });
  const fake = await startFakeOpenAI();
  fake.route("POST /v1/chat/completions", () => openaiChatReply({ text: ["Hello from the fake model."] }));
  await writeFile(
    join(stateDir, "openclaw.json"),
    JSON.stringify({
      gateway: { auth: { token: TOKEN } },
      agents: { defaults: { workspace: join(home, "workspace"), model: "fake/fake-model" } },
      models: {
        providers: {
          fake: {
            baseUrl: fake.baseURL,
            api: "openai-completions",
            apiKey: "sk-check",
            models: [{ id: "fake-model", name: "Fake Model" }],
          },
        },
      },
    }),
  );
  const assembled = await assembleGateway({
    env: { PATH: process.env.PATH ?? "", HOME: home, OPENCLAW_STATE_DIR: stateDir },
    port: 0,
    console: false,
  });
  const address = await assembled.gateway.listen();
  // the real CLI reaches our gateway as a remote one (its own state stays in a temp HOME)
  await writeFile(
    join(cliHome, ".openclaw", "openclaw.json"),
    JSON.stringify({ gateway: { mode: "remote", remote: { url: address.url, token: TOKEN } } }),
  );
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: cliHome,
    OPENCLAW_STATE_DIR: join(cliHome, ".openclaw"),
    NO_COLOR: "1",
    ...(only ? { OPENCLAW_DEBUG: "1" } : {}),
  };
  const outcomes: Outcome[] = [];
  const check = async (args: string[], expect: (out: string) => boolean) => {
    if (only && !args.join(" ").includes(only)) return;
    const { code, out } = await run(args, env);
    if (only) process.stdout.write(`--- openclaw ${args.join(" ")} (exit ${code})\n${out}\n`);
    const ok = code === 0 && expect(out);
    outcomes.push({
      command: `openclaw ${args.join(" ")}`,
      ok,
      code,
      detail: out.trim().split("\n").slice(-3).join(" | ").slice(0, 300),
    });
  };
  try {
    await check(["health"], (out) => !/error|failed/i.test(out));
    await check(["health", "--json"], (out) => /"ok":\s*true/.test(out));
    await check(["status"], () => true);
    await check(["status", "--json"], (out) => out.includes("{"));
    await check(["status", "--deep"], () => true);
    await check(["models", "list"], (out) => /fake/i.test(out));
    await check(["agent", "--message", "hello there", "--agent", "main"], (out) =>
      out.includes("Hello from the fake model."),
    );
    await check(["sessions", "--json"], () => true);
    await check(["channels", "status"], () => true);
    await check(["logs", "--limit", "5"], () => true);
    // skills.status through the real CLI's renderer (bundled skills of this checkout)
    await check(["skills", "list"], (out) => /weather/.test(out) && /ready/i.test(out));
    await check(["skills", "list", "--json"], (out) => /"source":\s*"openclaw-bundled"/.test(out));
    await check(["skills", "info", "git-summary"], (out) => /git-summary/.test(out) && /Binaries/.test(out));
    await check(["skills", "check"], (out) => /Eligible/i.test(out));
    // nodes and exec approvals (docs/nodes.md): a node-host paired on loopback, then the real CLI
    const nodeHost = new NodeHost({
      url: address.url,
      auth: { token: TOKEN },
      stateDir: join(home, "node-state"),
      displayName: "check-node",
      log: () => undefined,
    });
    await nodeHost.start();
    const operator = new GatewayClient({ url: address.url, auth: { token: TOKEN }, reconnect: false });
    await operator.connect();
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const { pending } = await operator.request("node.pair.list", {});
      if (pending[0]) {
        await operator.request("node.pair.approve", { requestId: pending[0].requestId });
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await operator.close();
    await check(["nodes", "status"], (out) => /Paired: 1 · Connected: 1/.test(out));
    await check(["nodes", "status", "--json"], (out) => out.includes(nodeHost.nodeId ?? "?"));
    await check(["nodes", "describe", "--node", "check-node"], (out) => /system\.run/.test(out));
    await check(["approvals", "get", "--gateway"], (out) => /exec-approvals|version/i.test(out));
    await nodeHost.stop();
    // every method hello-ok advertises
    const client = new GatewayClient({ url: address.url, auth: { token: TOKEN }, reconnect: false });
    const hello = await client.connect();
    await client.close();
    for (const method of [...hello.features.methods].sort()) {
      if (SKIP_CALL.test(method)) continue;
      await check(
        ["gateway", "call", method, "--params", JSON.stringify(CALL_PARAMS[method] ?? {}), "--json"],
        () => true,
      );
    }
    if (process.argv.includes("--clients")) {
      const dir = process.argv[process.argv.indexOf("--clients") + 1]!;
      await checkCommunityClients(dir, address.url, home, outcomes, only);
    }
  } finally {
    await assembled.gateway.close();
    await assembled.close();
    await fake.close();
    await rm(home, { recursive: true, force: true });
  }
  if (process.argv.includes("--json")) process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
  else
    for (const outcome of outcomes)
      process.stdout.write(
        `${outcome.ok ? "PASS" : "FAIL"}  ${outcome.command}${outcome.ok ? "" : `  (exit ${outcome.code}: ${outcome.detail})`}\n`,
      );
  const failed = outcomes.filter((outcome) => !outcome.ok).length;
  process.stdout.write(`\n${outcomes.length - failed}/${outcomes.length} passed\n`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
