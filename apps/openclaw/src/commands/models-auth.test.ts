import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import JSON5 from "json5";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// `openclaw models auth setup-token` and `models auth login`, run as the real CLI (from source) in
// a child process with a temp HOME / state dir and, where needed, a stand-in `claude` on PATH.

let dir: string;
const cli = path.join(import.meta.dirname, "../cli.ts");
const tsx = createRequire(path.join(import.meta.dirname, "../../../../package.json")).resolve("tsx");

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-cli-auth-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(
  args: string[],
  options: { stdin?: string; path?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--conditions=@openclaw/source", "--import", tsx, cli, ...args], {
      env: {
        PATH: options.path ?? process.env.PATH,
        HOME: dir,
        OPENCLAW_STATE_DIR: path.join(dir, "state"),
        NO_COLOR: "1",
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdin.end(options.stdin ?? "");
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const profiles = async () =>
  JSON.parse(await readFile(path.join(dir, "state", "agents", "main", "agent", "auth-profiles.json"), "utf8"))
    .profiles;

/** A `claude` that prints a token the way `claude setup-token` ends, and records its arguments. */
async function fakeClaude(exitCode = 0): Promise<string> {
  const bin = path.join(dir, "bin");
  await mkdir(bin);
  const script = path.join(bin, "claude");
  await writeFile(
    script,
    `#!/bin/sh\necho "$@" > "${path.join(dir, "claude-args")}"\necho "Your OAuth token: sk-ant-oat01-test-token"\nexit ${exitCode}\n`,
  );
  await chmod(script, 0o755);
  return `${bin}${path.delimiter}${process.env.PATH}`;
}

describe("openclaw models auth setup-token", () => {
  it("runs `claude setup-token`, then stores the pasted token as Anthropic's token profile", async () => {
    const result = await run(["models", "auth", "setup-token", "--provider", "anthropic"], {
      path: await fakeClaude(),
      stdin: "sk-ant-oat01-test-token\n",
    });
    expect(result.stderr).toContain("Running `claude setup-token`");
    expect(result.code, result.stderr).toBe(0);
    expect((await readFile(path.join(dir, "claude-args"), "utf8")).trim()).toBe("setup-token");
    expect(result.stdout).toContain("Your OAuth token: sk-ant-oat01-test-token");
    expect((await profiles())["anthropic:default"]).toEqual({
      type: "token",
      provider: "anthropic",
      token: "sk-ant-oat01-test-token",
    });
  });

  it("stores nothing when `claude setup-token` fails or the paste is not a token", async () => {
    const failed = await run(["models", "auth", "setup-token", "--provider", "anthropic"], {
      path: await fakeClaude(3),
      stdin: "sk-ant-oat01-test-token\n",
    });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("`claude setup-token` exited with code 3; nothing was stored.");
    await rm(path.join(dir, "bin"), { recursive: true });
    const wrong = await run(["models", "auth", "setup-token", "--provider", "anthropic"], {
      path: await fakeClaude(),
      stdin: "hello\n",
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("that is not an Anthropic token");
    await expect(profiles()).rejects.toThrow(/ENOENT/);
  });

  it("without the Claude Code CLI, or for another provider, says what to do instead", async () => {
    const missing = await run(["models", "auth", "setup-token", "--provider", "anthropic"], {
      path: path.dirname(process.execPath),
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("npm install -g @anthropic-ai/claude-code");
    expect(missing.stderr).toContain("openclaw models auth paste-token --provider anthropic");
    const other = await run(["models", "auth", "setup-token", "--provider", "openai"]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("openclaw models auth paste-token --provider openai");
  });
});

describe("openclaw models auth login", () => {
  it("stores the key read from stdin and, with --set-default, makes the provider's model primary", async () => {
    await mkdir(path.join(dir, "state"), { recursive: true });
    await writeFile(path.join(dir, "state", "openclaw.json"), "// mine\n{ gateway: { port: 19999 } }\n");
    const result = await run(["models", "auth", "login", "--provider", "openai", "--set-default"], {
      stdin: "sk-openai-test\n",
    });
    expect(result.code, result.stderr).toBe(0);
    expect((await profiles())["openai:default"]).toEqual({
      type: "api_key",
      provider: "openai",
      key: "sk-openai-test",
    });
    const text = await readFile(path.join(dir, "state", "openclaw.json"), "utf8");
    expect(text).toContain("// mine");
    expect(JSON5.parse(text).agents.defaults.model.primary).toBe("openai/gpt-5-mini");
  });

  it("refuses OAuth-only sign-ins with the API-key route, storing nothing", async () => {
    const result = await run(["models", "auth", "login", "--provider", "google-gemini-cli", "--set-default"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("openclaw models auth paste-token --provider google");
    await expect(profiles()).rejects.toThrow(/ENOENT/);
  });
});
