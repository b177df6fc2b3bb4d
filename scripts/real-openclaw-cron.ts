// The real OpenClaw CLI's `cron status` and `cron list` against this project's gateway (with two
// jobs added through @openclaw/client). Run it through scripts/real-openclaw-cron.sh, which runs
// everything in a network namespace with loopback only. Usage:
//   tsx --conditions=@openclaw/source scripts/real-openclaw-cron.ts <path to openclaw.mjs>
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assembleGateway } from "../apps/openclaw/src/gateway-assembly.js";
import { GatewayClient } from "../packages/client/src/index.js";

const TOKEN = "real-cli-cron-token-0123456789";
const cli = process.argv[2];
if (!cli) {
  process.stderr.write("usage: real-openclaw-cron.ts <openclaw.mjs>\n");
  process.exit(2);
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli!, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk) => {
      out += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

async function main(): Promise<number> {
  const home = await mkdtemp(join(tmpdir(), "openclaw-real-cron-"));
  const stateDir = join(home, "gateway-state");
  const cliHome = join(home, "cli-home");
  await mkdir(stateDir, { recursive: true });
  await mkdir(join(cliHome, ".openclaw"), { recursive: true });
  await writeFile(join(stateDir, "openclaw.json"), JSON.stringify({ gateway: { auth: { token: TOKEN } } }));
  const assembled = await assembleGateway({
    env: { PATH: process.env.PATH ?? "", HOME: home, OPENCLAW_STATE_DIR: stateDir },
    port: 0,
    console: false,
  });
  const address = await assembled.gateway.listen();
  await assembled.start();
  let failures = 0;
  try {
    const client = new GatewayClient({ url: address.url, auth: { token: TOKEN }, reconnect: false });
    await client.connect();
    await client.request("cron.add", {
      name: "morning digest",
      schedule: { kind: "cron", expr: "0 9 * * 1-5", tz: "Europe/Paris" },
      sessionTarget: "isolated",
      wakeMode: "now",
      payload: { kind: "agentTurn", message: "Summarise my inbox" },
    });
    await client.request("cron.add", {
      name: "check the build",
      schedule: { kind: "every", everyMs: 1_800_000 },
      sessionTarget: "main",
      wakeMode: "next-heartbeat",
      payload: { kind: "systemEvent", text: "Check the build" },
      enabled: false,
    });
    await client.close();
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
    };
    const checks: [string[], (out: string) => boolean][] = [
      [["cron", "status"], (out) => /"enabled":\s*true/.test(out) && /"jobs":\s*2/.test(out)],
      [["cron", "list"], (out) => out.includes("morning digest") && !out.includes("check the build")],
      [
        ["cron", "list", "--all", "--json"],
        (out) => out.includes("morning digest") && out.includes("check the build"),
      ],
    ];
    for (const [args, expect] of checks) {
      const { code, out } = await run(args, env);
      const ok = code === 0 && expect(out);
      if (!ok) failures++;
      process.stdout.write(
        `${ok ? "PASS" : "FAIL"}  openclaw ${args.join(" ")} (exit ${code})\n${out.trimEnd()}\n\n`,
      );
    }
  } finally {
    await assembled.gateway.close();
    await assembled.close();
    await rm(home, { recursive: true, force: true });
  }
  return failures ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
