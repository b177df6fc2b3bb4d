import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@openclaw/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { dropGatewayMallocEnv, GATEWAY_MALLOC_MARKER, withGatewayMallocEnv } from "./gateway-malloc.js";

// `openclaw gateway` re-executes itself with glibc malloc tunables that only its own image keeps
// (docs/gateway.md "Memory"): what it starts gets the environment the user gave it.

const cli = join(import.meta.dirname, "../dist/cli.js");
const homes: string[] = [];

afterEach(async () => {
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

const environOf = (pid: number) => readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");

async function waitForFile(file: string, child: { exitCode: number | null }) {
  while (!existsSync(file) || !readFileSync(file, "utf8").includes("END")) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return readFileSync(file, "utf8").split("\n");
}

/** Start the gateway with a Signal account whose "signal-cli" records its environment and stays up. */
async function gatewayWithChild(extraEnv: Record<string, string> = {}) {
  const home = await mkdtemp(join(tmpdir(), "openclaw-cli-malloc-"));
  homes.push(home);
  mkdirSync(join(home, "state"));
  const dump = join(home, "child-env.txt");
  const fakeCli = join(home, "fake-signal-cli");
  writeFileSync(
    fakeCli,
    `#!/bin/sh\nenv > "${dump}.tmp"\necho END >> "${dump}.tmp"\nmv "${dump}.tmp" "${dump}"\nexec sleep 2\n`,
  );
  chmodSync(fakeCli, 0o755);
  writeFileSync(
    join(home, "state", "openclaw.json"),
    JSON.stringify({
      gateway: { auth: { token: "malloc-test-token-0123456789abcdef" } },
      channels: { signal: { account: "+15550001111", cliPath: fakeCli, httpPort: await freePort() } },
    }),
  );
  const child = spawn(process.execPath, [cli, "gateway", "--port", String(await freePort())], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      OPENCLAW_STATE_DIR: join(home, "state"),
      NO_COLOR: "1",
      ...extraEnv,
    },
    stdio: "ignore",
  });
  try {
    const childEnv = await waitForFile(dump, child);
    return { gatewayEnv: environOf(child.pid ?? 0), childEnv };
  } finally {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
}

describe("the gateway's malloc tunables", () => {
  it("the gateway image starts with them; a process it spawns does not inherit them", async () => {
    const { gatewayEnv, childEnv } = await gatewayWithChild();
    expect(gatewayEnv).toContain("MALLOC_ARENA_MAX=1");
    expect(
      childEnv.filter((line) => line.startsWith("MALLOC_") || line.startsWith(GATEWAY_MALLOC_MARKER)),
    ).toEqual([]);
    expect(childEnv).toContain("NO_COLOR=1");
  }, 30_000);

  it("a value the user set is theirs: kept for the gateway and inherited as before", async () => {
    const { gatewayEnv, childEnv } = await gatewayWithChild({ MALLOC_ARENA_MAX: "4" });
    expect(gatewayEnv).toContain("MALLOC_ARENA_MAX=4");
    expect(childEnv).toContain("MALLOC_ARENA_MAX=4");
    expect(childEnv.filter((line) => line.startsWith("MALLOC_TRIM_THRESHOLD_"))).toEqual([]);
  }, 30_000);

  it("withGatewayMallocEnv / dropGatewayMallocEnv round-trip to the user's environment", () => {
    const user = { PATH: "/bin", MALLOC_TRIM_THRESHOLD_: "0" };
    const env = withGatewayMallocEnv(user);
    expect(env.MALLOC_ARENA_MAX).toBe("1");
    expect(env.MALLOC_TRIM_THRESHOLD_).toBe("0");
    dropGatewayMallocEnv(env);
    expect(env).toEqual(user);
  });
});
