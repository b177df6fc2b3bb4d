import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeOpenAIServer, jsonReply, startFakeOpenAI } from "@openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// `openclaw memory index|search|status` from the sources (tsx), on a temp state dir, with the
// fake OpenAI server's deterministic embeddings.
const cli = join(import.meta.dirname, "../cli.ts");
const tsx = createRequire(join(import.meta.dirname, "../../../../package.json")).resolve("tsx");

let home: string;
let stateDir: string;
let fake: FakeOpenAIServer;

function openclaw(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH, HOME: home, OPENCLAW_STATE_DIR: stateDir, NO_COLOR: "1" };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--conditions=@openclaw/source", "--import", tsx, cli, ...args],
      { env, cwd: home, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

async function writeConfig(memorySearch: Record<string, unknown>) {
  await writeFile(
    join(stateDir, "openclaw.json"),
    JSON.stringify({ agents: { defaults: { memorySearch } } }),
  );
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-memory-cli-"));
  stateDir = join(home, "state");
  const workspace = join(stateDir, "workspace");
  await mkdir(join(workspace, "memory"), { recursive: true });
  await writeFile(
    join(workspace, "MEMORY.md"),
    "# Family\n\nOur dog Biscuit is a beagle who loves the beach.\n",
  );
  await writeFile(join(workspace, "memory", "2026-11-20.md"), "# Notes\n\nThe plumber comes Tuesday at 9.\n");
  fake = await startFakeOpenAI();
});

afterAll(async () => {
  await fake.close();
  await rm(home, { recursive: true, force: true });
});

describe("openclaw memory", () => {
  it("indexes the memory files, then finds facts by keyword and by meaning", async () => {
    await writeConfig({ provider: "openai", remote: { baseUrl: fake.baseURL, apiKey: "sk-test" } });
    const indexed = await openclaw("memory", "index");
    expect(indexed.code, indexed.stderr).toBe(0);
    expect(indexed.stdout).toMatch(/Indexed 2 file\(s\)/);
    expect(indexed.stderr).toMatch(/indexing \d+\/2/);
    const keyword = await openclaw("memory", "search", "plumber", "--json");
    expect(JSON.parse(keyword.stdout).results[0]).toMatchObject({
      path: "memory/2026-11-20.md",
      startLine: 1,
    });
    const meaning = JSON.parse((await openclaw("memory", "search", "canine", "--json")).stdout);
    expect(meaning).toMatchObject({ mode: "hybrid", provider: "openai" });
    expect(meaning.results[0].snippet).toContain("Biscuit");
    const status = JSON.parse((await openclaw("memory", "status", "--json")).stdout);
    expect(status).toMatchObject({ files: 2, provider: "openai", vector: { mode: "sqlite-vec" } });
    expect(status.dbPath).toBe(join(stateDir, "memory", "main.sqlite"));
  });

  it("answers with keyword results and says why when the embedding provider fails", async () => {
    fake.route("POST /v1/embeddings", () => jsonReply(500, { error: { message: "embedding backend down" } }));
    const search = await openclaw("memory", "search", "beagle");
    expect(search.code).toBe(0);
    expect(search.stderr).toMatch(/note: openai embeddings failed.*keyword results only/);
    expect(search.stdout).toContain("MEMORY.md:1-3");
  });

  it("refuses bad flags with a clear message", async () => {
    const bad = await openclaw("memory", "search", "x", "--max-results", "zero");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-results must be an integer/);
    const agent = await openclaw("memory", "status", "--agent", "nobody");
    expect(agent.code).toBe(2);
    expect(agent.stderr).toMatch(/unknown agent "nobody"/);
  });
});
