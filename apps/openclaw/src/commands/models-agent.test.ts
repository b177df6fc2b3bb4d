import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type FakeOpenAIServer, openaiChatReply, startFakeOpenAI } from "@openclaw/testkit";
import JSON5 from "json5";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runProgram } from "../program.js";

// In-process runs of the real commander program with a temp state dir (never ~/.openclaw).
let dir: string;
let saved: NodeJS.ProcessEnv;
let server: FakeOpenAIServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-cli-models-"));
  saved = { ...process.env };
  process.env.HOME = dir;
  process.env.OPENCLAW_STATE_DIR = path.join(dir, "state");
  delete process.env.OPENCLAW_CONFIG_PATH;
  delete process.env.OPENCLAW_PROFILE;
  for (const key of ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY"]) delete process.env[key];
  process.exitCode = undefined;
});
afterEach(async () => {
  process.env = saved;
  process.exitCode = undefined;
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function openclaw(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    process.exitCode = undefined;
    const code = await runProgram(["node", "openclaw", ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = undefined;
  }
}

const configFile = () => path.join(dir, "state", "openclaw.json");
const readConfig = async () => JSON5.parse(await readFile(configFile(), "utf8"));

describe("openclaw models", () => {
  it("paste-token stores a 0600 auth profile; status then shows the provider as ready", async () => {
    const before = await openclaw("models", "status");
    expect(before.code).toBe(1);
    expect(before.stdout).toContain(
      "anthropic: ✗ no API key. Run `openclaw models auth paste-token --provider anthropic`",
    );
    const stored = await openclaw(
      "models",
      "auth",
      "paste-token",
      "--provider",
      "anthropic",
      "--token",
      "sk-ant-api-test",
    );
    expect(stored.code).toBe(0);
    const file = path.join(dir, "state", "agents", "main", "agent", "auth-profiles.json");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, "utf8")).profiles["anthropic:default"]).toEqual({
      type: "api_key",
      provider: "anthropic",
      key: "sk-ant-api-test",
    });
    const after = await openclaw("models", "status");
    expect(after.stdout).toContain("anthropic: ✓ anthropic:default");
    expect(after.stdout).not.toContain("sk-ant-api-test");
  });

  it("login --provider stores the key like paste-token; bare login names both forms", async () => {
    const bare = await openclaw("login");
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("give either --provider <id>");
    const stored = await openclaw("login", "--provider", "openai", "--token", "sk-test-login");
    expect(stored.code).toBe(0);
    const file = path.join(dir, "state", "agents", "main", "agent", "auth-profiles.json");
    expect(JSON.parse(await readFile(file, "utf8")).profiles["openai:default"]).toEqual({
      type: "api_key",
      provider: "openai",
      key: "sk-test-login",
    });
  });

  it("set, fallbacks and aliases edit only their keys", async () => {
    await writeFile(configFile(), "// mine\n{ gateway: { port: 19999 } }\n").catch(async () => {
      await import("node:fs/promises").then((fs) =>
        fs.mkdir(path.dirname(configFile()), { recursive: true }),
      );
      await writeFile(configFile(), "// mine\n{ gateway: { port: 19999 } }\n");
    });
    expect((await openclaw("models", "set", "openai/gpt-5")).code).toBe(0);
    expect((await openclaw("models", "fallbacks", "add", "anthropic/claude-opus-4-5")).code).toBe(0);
    expect((await openclaw("models", "aliases", "add", "opus", "anthropic/claude-opus-4-5")).code).toBe(0);
    const config = await readConfig();
    expect(config.gateway.port).toBe(19999);
    expect(config.agents.defaults.model).toEqual({
      primary: "openai/gpt-5",
      fallbacks: ["anthropic/claude-opus-4-5"],
    });
    expect(config.agents.defaults.models["anthropic/claude-opus-4-5"]).toEqual({ alias: "opus" });
    expect((await openclaw("models", "fallbacks", "list")).stdout.trim()).toBe("anthropic/claude-opus-4-5");
    expect((await openclaw("models", "aliases", "list")).stdout).toContain(
      "opus → anthropic/claude-opus-4-5",
    );
    const list = await openclaw("models", "list");
    expect(list.stdout).toContain("openai/gpt-5  [default]");
    // the allowlist now exists (one entry): setting a model outside it is refused clearly
    const refused = await openclaw("models", "set", "google/gemini-2.5-pro");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not in the allowlist/);
    expect((await openclaw("models", "fallbacks", "clear")).code).toBe(0);
    expect((await readConfig()).agents.defaults.model.fallbacks).toEqual([]);
  });
});

describe("openclaw agent", () => {
  it("--local runs one turn through the configured provider and prints the reply", async () => {
    server = await startFakeOpenAI();
    await import("node:fs/promises").then((fs) => fs.mkdir(path.dirname(configFile()), { recursive: true }));
    await writeFile(
      configFile(),
      JSON.stringify({
        agents: { defaults: { model: "fake/gpt-test", workspace: path.join(dir, "ws") } },
        models: {
          providers: {
            fake: {
              baseUrl: server.baseURL,
              api: "openai-completions",
              apiKey: "sk-x",
              models: [{ id: "gpt-test" }],
            },
          },
        },
      }),
    );
    server.enqueue(openaiChatReply({ text: ["Hello ", "from the agent"] }));
    const result = await openclaw("agent", "--local", "--message", "hi");
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("Hello from the agent\n");
    expect(result.code).toBe(0);
    server.enqueue(openaiChatReply({ text: ["again"] }));
    const json = await openclaw("agent", "--local", "--message", "more", "--json");
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: "ok",
      text: "again",
      model: "fake/gpt-test",
      sessionKey: "agent:main:main",
    });
    // --attach with an image: it reaches the model as an image part
    const png = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
      "base64",
    );
    await writeFile(path.join(dir, "pixel.png"), png);
    server.enqueue(openaiChatReply({ text: ["a pixel"] }));
    const attached = await openclaw(
      "agent",
      "--local",
      "--message",
      "what is it?",
      "--attach",
      path.join(dir, "pixel.png"),
    );
    expect(attached.stdout).toBe("a pixel\n");
    expect(JSON.stringify(server.requests.at(-1)?.body.messages.at(-1))).toContain(
      `data:image/png;base64,${png.toString("base64")}`,
    );
  });

  it("--local with no provider set up says what is missing and how to fix it", async () => {
    const result = await openclaw("agent", "--local", "--message", "hi");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("openclaw models auth paste-token --provider anthropic");
  });

  it("without --local and no gateway running, says so clearly", async () => {
    const result = await openclaw("agent", "--message", "hi", "--url", "ws://127.0.0.1:9");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/gateway connection failed/);
    expect(result.stderr).toContain("openclaw agent --local");
  });

  it("rejects a bad --thinking level", async () => {
    const result = await openclaw("agent", "--local", "--message", "hi", "--thinking", "loud");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown --thinking "loud"/);
  });
});
