import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { type FakeOpenAIServer, openaiChatReply, openaiErrorReply, startFakeOpenAI } from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openclaw, useTempState } from "./cli-test-helpers.js";

// `openclaw benchmark` against a fake OpenAI-compatible server (the real provider package and
// wire format), in-process with a temp state dir.

let root: string;
let saved: NodeJS.ProcessEnv;
let server: FakeOpenAIServer | undefined;

beforeEach(async () => {
  saved = { ...process.env };
  root = useTempState("openclaw-cli-bench-").root;
  for (const key of ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY"]) delete process.env[key];
});
afterEach(async () => {
  process.env = saved;
  await server?.close();
  server = undefined;
  // the auth store records the profile's last use after the call returns: retry while it lands
  await rm(root, { recursive: true, force: true, maxRetries: 10 });
});

async function configureFakeModel(): Promise<FakeOpenAIServer> {
  server = await startFakeOpenAI();
  const state = process.env.OPENCLAW_STATE_DIR!;
  await mkdir(state, { recursive: true });
  await writeFile(
    path.join(state, "openclaw.json"),
    JSON.stringify({
      agents: { defaults: { model: "fake/gpt-test" } },
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
  return server;
}

const counting = () =>
  openaiChatReply({
    text: Array.from({ length: 40 }, (_, index) => `${index + 1} `),
    usage: { prompt_tokens: 20, completion_tokens: 40 },
  });

describe("openclaw benchmark", () => {
  it("--quick times one call to the default model: first token, tokens, tokens/s", async () => {
    const fake = await configureFakeModel();
    fake.enqueue(counting());
    const result = await openclaw("benchmark", "--quick");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toBe("Model: fake/gpt-test");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      /^Run 1: first token \d+ ms, 40 tokens in \d+\.\d\d s, (\d+\.\d tokens\/s|speed n\/a)$/,
    );
    expect(fake.requests).toHaveLength(1);
    expect(JSON.stringify(fake.requests[0]?.body.messages)).toContain("Count from 1 to 40");
  });

  it("runs three times by default and prints medians; --json gives every run", async () => {
    const fake = await configureFakeModel();
    for (let index = 0; index < 3; index++) fake.enqueue(counting());
    const text = await openclaw("benchmark");
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Run 3: .*\nMedian: first token \d+ ms, 40 tokens in/);
    fake.enqueue(counting());
    fake.enqueue(counting());
    const json = await openclaw("benchmark", "--runs", "2", "--json");
    const parsed = JSON.parse(json.stdout) as { model: string; runs: { outputTokens: number }[] };
    expect(parsed.model).toBe("fake/gpt-test");
    expect(parsed.runs.map((run) => run.outputTokens)).toEqual([40, 40]);
  });

  it("says what is wrong: no key, a failing provider, a bad --runs", async () => {
    const missing = await openclaw("benchmark", "--quick");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("openclaw models auth paste-token --provider anthropic");
    const fake = await configureFakeModel();
    fake.enqueue(
      openaiErrorReply(401, { message: "Incorrect API key provided", type: "invalid_request_error" }),
    );
    const failing = await openclaw("benchmark", "--quick");
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/^openclaw benchmark: fake\/gpt-test: .*(401|Incorrect API key)/);
    const bad = await openclaw("benchmark", "--runs", "0");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--runs must be a whole number from 1 to 20");
  });
});
