import { execFile } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, "..");

/** A throwaway checkout holding just what the provisioning script reads. */
function sandboxRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-bootstrap-"));
  mkdirSync(join(dir, "scripts"));
  copyFileSync(join(repoRoot, "scripts/bootstrap.sh"), join(dir, "scripts/bootstrap.sh"));
  copyFileSync(join(repoRoot, "package.json"), join(dir, "package.json"));
  return dir;
}

// npm pointed at a closed loopback port: the registry "cannot be reached", quickly and for sure.
const offlineEnv = {
  ...process.env,
  OPENCLAW_FORCE_TOOLCHAIN: "1",
  npm_config_registry: "http://127.0.0.1:9/",
  npm_config_fetch_retries: "0",
  npm_config_fetch_timeout: "2000",
};

async function bootstrap(dir: string, env: NodeJS.ProcessEnv) {
  try {
    const result = await run("bash", [join(dir, "scripts/bootstrap.sh")], { env, cwd: dir });
    return { code: 0, ...result };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe("scripts/bootstrap.sh", () => {
  it("offline: says the registry cannot be reached, how to fix it, and leaves no half-installed toolchain", async () => {
    const dir = sandboxRepo();
    const result = await bootstrap(dir, offlineEnv);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/could not install Node [\d.]+ from the npm registry/);
    expect(result.stderr).toMatch(/fix: check the network connection/);
    expect(result.stderr).not.toMatch(/\bat .+:\d+:\d+\)?$/m); // no stack trace
    const left = existsSync(join(dir, ".toolchain")) ? readdirSync(join(dir, ".toolchain")) : [];
    expect(left.filter((name) => name.startsWith("node"))).toEqual([]);
  });

  it("corrupted toolchain folder: names the damage, and tries a clean reinstall", async () => {
    const dir = sandboxRepo();
    const bin = join(dir, ".toolchain/node/node_modules/node/bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "node"), "this is not an executable");
    chmodSync(join(bin, "node"), 0o755);
    const result = await bootstrap(dir, offlineEnv);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/toolchain folder \.toolchain\/node is damaged/);
    expect(result.stderr).toMatch(/could not install Node/);
    expect(readdirSync(join(dir, ".toolchain")).filter((name) => name.includes(".tmp."))).toEqual([]);
  });

  it("in this checkout, a second run has nothing to do and says only that the toolchain is ready", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, OPENCLAW_SKIP_BUILD: "1" };
    delete env.OPENCLAW_BOOTSTRAP_QUIET;
    const result = await bootstrap(repoRoot, env);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/toolchain ready: node v(2[2-9]|[3-9]\d)\./);
    expect(result.stderr).not.toMatch(/installing/);
  });
});
