import { spawn } from "node:child_process";
import { appendFile, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { fromConfig } from "@openclaw/providers-openai";
import { type FakeOpenAIServer, jsonReply, startFakeOpenAI } from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { factoryFromConfig } from "../plugins/load.js";
import { memoryGetTool } from "../tools/memory-tools.js";
import { chunkMarkdown, estimateTokens } from "./chunker.js";
import { LOCAL_NOT_INSTALLED } from "./embeddings.js";
import { MemoryManager } from "./manager.js";
import type { SyncReport } from "./service.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const tsx = createRequire(path.join(here, "../../../../package.json")).resolve("tsx");
const factories = {
  "openai-responses": factoryFromConfig(fromConfig as never),
  "openai-completions": factoryFromConfig(fromConfig as never),
};

let dir: string;
let workspace: string;
let stateDir: string;
let fake: FakeOpenAIServer;
const managers: MemoryManager[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-memory-"));
  workspace = path.join(dir, "workspace");
  stateDir = path.join(dir, "state");
  await mkdir(path.join(workspace, "memory"), { recursive: true });
  await writeFile(
    path.join(workspace, "MEMORY.md"),
    "# Family\n\nMy dog is called Biscuit and he loves long walks.\n\n# Work\n\nThe quarterly report is due on Friday.\n",
  );
  await writeFile(
    path.join(workspace, "memory", "2026-11-20.md"),
    "# Notes\n\nAnna is allergic to peanuts, order the curry without them.\n",
  );
  fake = await startFakeOpenAI();
});

afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.close();
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

function transcriptLine(role: "user" | "assistant", text: string): string {
  return `${JSON.stringify({ type: "message", message: { role, content: [{ type: "text", text }] } })}\n`;
}

function manager(memorySearch: Record<string, unknown> = {}, options: { watch?: boolean } = {}) {
  let config: Record<string, unknown> = { agents: { defaults: { memorySearch } } };
  const created = new MemoryManager({
    config: () => config,
    stateDir,
    env: {},
    factories,
    workspaceDir: () => workspace,
    watch: options.watch ?? false,
  });
  managers.push(created);
  return Object.assign(created, {
    setMemorySearch(next: Record<string, unknown>) {
      config = { agents: { defaults: { memorySearch: next } } };
    },
  });
}

const openai = (extra: Record<string, unknown> = {}) => ({
  provider: "openai",
  remote: { baseUrl: fake.baseURL, apiKey: "sk-test" },
  ...extra,
});

describe("chunking", () => {
  it("cuts at lines, overlaps, and keeps headings with their text", () => {
    const lines = [
      "# Trip",
      ...Array.from({ length: 60 }, (_, i) => `line ${i} about the trip to Lisbon in May`),
    ];
    lines.splice(30, 0, "## Hotels");
    const chunks = chunkMarkdown(lines.join("\n"), { tokens: 100, overlap: 20 });
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) expect(estimateTokens(chunk.text)).toBeLessThan(140);
    // consecutive chunks overlap by at least one line
    for (let i = 1; i < chunks.length; i++)
      expect(chunks[i]!.startLine).toBeLessThanOrEqual(chunks[i - 1]!.endLine);
    // a chunk never ends on a heading, and continuation chunks carry their section's heading
    for (const chunk of chunks) expect(chunk.text.trimEnd().split("\n").at(-1)).not.toMatch(/^#/);
    const late = chunks.find((chunk) => chunk.startLine > 33);
    expect(late?.text.startsWith("## Hotels\n")).toBe(true);
  });
});

describe("memory index", () => {
  it("finds facts by keyword without embeddings, and says why it is keyword-only", async () => {
    const memory = manager();
    const report = await memory.sync("main");
    expect(report.indexed).toBe(2);
    const answer = await memory.search("main", "peanuts");
    expect(answer.mode).toBe("keyword");
    expect(answer.reason).toMatch(/no embedding provider/);
    expect(answer.results[0]).toMatchObject({ path: "memory/2026-11-20.md", startLine: 1 });
    expect(answer.results[0]!.snippet).toContain("allergic to peanuts");
    const status = await memory.status("main");
    expect(status.dbPath).toBe(path.join(stateDir, "memory", "main.sqlite"));
    expect(status).toMatchObject({ files: 2, fts: true, vector: { mode: "sqlite-vec" } });
  });

  it("finds facts by meaning with embeddings (fake OpenAI vectors), and caches them by content", async () => {
    const memory = manager(openai());
    await memory.sync("main");
    const answer = await memory.search("main", "canine companion");
    expect(answer).toMatchObject({ mode: "hybrid", provider: "openai", model: "text-embedding-3-small" });
    expect(answer.reason).toBeUndefined();
    expect(answer.results[0]?.snippet).toContain("Biscuit");
    const embedCalls = () => fake.requests.filter((request) => request.path === "/v1/embeddings").length;
    const before = embedCalls();
    // an unchanged file re-saved, and a forced rebuild: nothing is embedded again
    await writeFile(
      path.join(workspace, "MEMORY.md"),
      (await import("node:fs")).readFileSync(path.join(workspace, "MEMORY.md")),
    );
    await memory.sync("main", { force: true });
    expect(embedCalls()).toBe(before);
  });

  it("falls back to keyword search with a reason when the provider answers 500", async () => {
    fake.route("POST /v1/embeddings", () => jsonReply(500, { error: { message: "upstream exploded" } }));
    const memory = manager(openai());
    const report = await memory.sync("main");
    expect(report.embeddingError).toMatch(/openai embeddings failed/);
    const answer = await memory.search("main", "quarterly report");
    expect(answer.mode).toBe("keyword");
    expect(answer.reason).toMatch(/openai embeddings failed.*keyword results only/);
    expect(answer.results[0]?.snippet).toContain("quarterly report");
    // the provider recovers: the next sync embeds what was left without vectors
    fake.route("POST /v1/embeddings", (request) =>
      jsonReply(200, {
        data: (request.body.input as string[]).map((_, index) => ({ index, embedding: [1, 0, 0, 0] })),
      }),
    );
    await memory.sync("main");
    expect((await memory.status("main")).embedded).toBe((await memory.status("main")).chunks);
  });

  it("rebuilds when the embedding model changes", async () => {
    const memory = manager(openai());
    expect((await memory.sync("main")).rebuilt).toBe(true);
    expect((await memory.sync("main")).rebuilt).toBe(false);
    memory.setMemorySearch(openai({ model: "text-embedding-3-large" }));
    const report = await memory.sync("main");
    expect(report.rebuilt).toBe(true);
    expect(report.indexed).toBe(2);
    const models = fake.requests.filter((r) => r.path === "/v1/embeddings").map((r) => r.body.model);
    expect(models).toContain("text-embedding-3-large");
    expect((await memory.status("main")).model).toBe("text-embedding-3-large");
  });

  it("updates results after an edit, once the watcher's debounce has passed", async () => {
    const memory = manager({ sync: { watchDebounceMs: 200 } }, { watch: true });
    await memory.sync("main");
    expect((await memory.search("main", "marmalade")).results).toHaveLength(0);
    const index = await memory.index("main");
    const synced = new Promise<SyncReport>((resolve) => index.once("synced", resolve));
    await writeFile(path.join(workspace, "memory", "2026-11-21.md"), "Buy orange marmalade for Sunday.\n");
    expect((await synced).indexed).toBe(1);
    const answer = await memory.search("main", "marmalade");
    expect(answer.results[0]?.path).toBe("memory/2026-11-21.md");
  });

  it("watches a memory/ folder created after the watcher started", async () => {
    await rm(path.join(workspace, "memory"), { recursive: true });
    const memory = manager({ sync: { watchDebounceMs: 100 } }, { watch: true });
    await memory.sync("main");
    const index = await memory.index("main");
    const first = new Promise<SyncReport>((resolve) => index.once("synced", resolve));
    await mkdir(path.join(workspace, "memory"));
    await first;
    const second = new Promise<SyncReport>((resolve) => index.once("synced", resolve));
    await writeFile(path.join(workspace, "memory", "late.md"), "The spare key is under the blue pot.\n");
    expect((await second).indexed).toBe(1);
    expect((await memory.search("main", "spare key")).results[0]?.path).toBe("memory/late.md");
  });

  it("searches Chinese and Japanese text (trigram tokenizer)", async () => {
    await writeFile(
      path.join(workspace, "memory", "cjk.md"),
      "我的猫叫小白，喜欢吃鱼。\n\n東京の会議は金曜日です。\n",
    );
    const memory = manager();
    expect((await memory.search("main", "喜欢吃鱼")).results[0]?.path).toBe("memory/cjk.md");
    expect((await memory.search("main", "金曜日")).results[0]?.snippet).toContain("東京");
    expect((await memory.search("main", "小白")).results[0]?.path).toBe("memory/cjk.md");
  });

  it("does not follow symlinks out of the workspace", async () => {
    const outside = path.join(dir, "outside");
    await mkdir(outside);
    await writeFile(path.join(outside, "secret.md"), "the vault code is zebra-42\n");
    await symlink(path.join(outside, "secret.md"), path.join(workspace, "memory", "linked.md"));
    await symlink(outside, path.join(workspace, "memory", "linked-dir"));
    const memory = manager();
    expect((await memory.search("main", "zebra")).results).toHaveLength(0);
  });

  it("reads extraPaths and, when asked, session transcripts", async () => {
    const extra = path.join(dir, "notes");
    await mkdir(extra);
    await writeFile(path.join(extra, "garden.md"), "Plant the tulip bulbs in October.\n");
    const sessions = path.join(stateDir, "agents", "main", "sessions");
    await mkdir(sessions, { recursive: true });
    await writeFile(
      path.join(sessions, "abc.jsonl"),
      `${JSON.stringify({ type: "session", id: "abc" })}\n${JSON.stringify({
        type: "message",
        message: { role: "user", content: [{ type: "text", text: "remind me about the saxophone lesson" }] },
      })}\n`,
    );
    const memory = manager({ extraPaths: [extra], sources: ["memory", "sessions"] });
    expect((await memory.search("main", "tulip")).results[0]?.path).toBe(path.join(extra, "garden.md"));
    expect((await memory.search("main", "saxophone")).results[0]).toMatchObject({
      path: "sessions/abc.jsonl",
      source: "sessions",
    });
    // memory_get reads what search returned, and nothing else outside MEMORY.md / memory/
    const tool = (toolPath: string) =>
      memoryGetTool.execute({ path: toolPath }, {
        agentId: "main",
        workspaceDir: workspace,
        memory: async () => memory,
      } as never);
    expect((await tool(path.join(extra, "garden.md"))).content).toContain("tulip bulbs");
    expect((await tool("sessions/abc.jsonl")).content).toContain(
      "User: remind me about the saxophone lesson",
    );
    await expect(tool("/etc/hostname")).rejects.toThrow(
      /only reads MEMORY.md, memory\/\*.md and files memory_search returned/,
    );
  });

  it("says clearly when the local provider's node-llama-cpp is not installed", async () => {
    const model = path.join(dir, "model.gguf");
    await writeFile(model, "GGUF");
    const memory = manager({ provider: "local", local: { modelPath: model } });
    const answer = await memory.search("main", "Biscuit");
    expect(answer.mode).toBe("keyword");
    expect(answer.reason).toContain(LOCAL_NOT_INSTALLED);
    expect(answer.results[0]?.snippet).toContain("Biscuit");
  });

  it("survives kill -9 in the middle of indexing: the next run completes, no corrupt database", async () => {
    for (let i = 0; i < 400; i++)
      await writeFile(
        path.join(workspace, "memory", `note-${String(i).padStart(3, "0")}.md`),
        `# Note ${i}\n\n${`fact number ${i} about the harbour lighthouse keeper `.repeat(40)}\n`,
      );
    const child = spawn(
      process.execPath,
      [
        "--conditions=@openclaw/source",
        "--import",
        tsx,
        path.join(here, "__fixtures__/index-child.ts"),
        workspace,
        stateDir,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const killed = new Promise<string>((resolve) => {
      let seen = "";
      child.stdout.on("data", (data: Buffer) => {
        seen += data.toString();
        if (/indexed (\d{2,})/.test(seen) && child.exitCode === null) child.kill("SIGKILL");
      });
      child.on("exit", () => resolve(seen));
    });
    const output = await killed;
    expect(output).toMatch(/indexer worker [1-9]/);
    expect(output).not.toContain("finished");
    const db = new DatabaseSync(path.join(stateDir, "memory", "main.sqlite"));
    expect(db.prepare("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    const partial = Number((db.prepare("SELECT count(*) AS n FROM files").get() as { n: number }).n);
    db.close();
    expect(partial).toBeLessThan(402);
    const memory = manager();
    await memory.sync("main");
    expect((await memory.status("main")).files).toBe(402);
    expect((await memory.search("main", "lighthouse", { maxResults: 50 })).results.length).toBeGreaterThan(
      10,
    );
  }, 20_000);

  it("writes on a worker thread created for the sync and gone once it is idle", async () => {
    const memory = manager(openai());
    const index = await memory.index("main");
    const events: Array<{ state: string; threadId: number }> = [];
    index.on("indexer", (event) => events.push(event));
    expect((await memory.status("main")).indexer).toEqual({ thread: "worker", active: false });
    const progressed: boolean[] = [];
    await memory.sync("main", {
      progress: (progress) => {
        if (progress.phase === "index") progressed.push(true);
      },
    });
    expect(progressed.length).toBeGreaterThan(0);
    expect(events.map((event) => event.state)).toEqual(["started", "stopped"]);
    expect(events[0]!.threadId).toBeGreaterThan(0);
    expect(events[1]!.threadId).toBe(events[0]!.threadId);
    expect((await memory.status("main")).indexer).toEqual({ thread: "worker", active: false });
    // what the worker wrote is what this thread searches (keyword and sqlite-vec vectors)
    const answer = await memory.search("main", "canine companion");
    expect(answer.mode).toBe("hybrid");
    expect(answer.results[0]?.snippet).toContain("Biscuit");
    expect((await memory.status("main")).embedded).toBe((await memory.status("main")).chunks);
    // nothing changed: a sync spawns no worker at all
    await memory.sync("main");
    expect(events).toHaveLength(2);
    // an edit: a new worker for that sync, ended after it
    await writeFile(path.join(workspace, "memory", "2026-11-22.md"), "The plumber comes on Tuesday.\n");
    expect((await memory.sync("main")).indexed).toBe(1);
    expect(events.map((event) => event.state)).toEqual(["started", "stopped", "started", "stopped"]);
    expect((await memory.search("main", "plumber")).results[0]?.path).toBe("memory/2026-11-22.md");
  });

  it("re-indexes a growing transcript only past sync.sessions.deltaBytes or deltaMessages", async () => {
    const sessions = path.join(stateDir, "agents", "main", "sessions");
    await mkdir(sessions, { recursive: true });
    const transcript = path.join(sessions, "s1.jsonl");
    await writeFile(transcript, transcriptLine("user", "the boiler code is 4471"));
    const memory = manager({
      sources: ["memory", "sessions"],
      sync: { sessions: { deltaBytes: 2000, deltaMessages: 3 } },
    });
    // a new transcript is indexed at once
    expect((await memory.search("main", "boiler")).results[0]?.path).toBe("sessions/s1.jsonl");
    // two new messages (under 3, under 2000 bytes): not yet
    await appendFile(transcript, transcriptLine("user", "my cousin Odile arrives Thursday"));
    await appendFile(transcript, transcriptLine("assistant", "noted"));
    const waiting = await memory.sync("main");
    expect(waiting).toMatchObject({ indexed: 0, pending: 1 });
    expect((await memory.search("main", "Odile")).results).toHaveLength(0);
    // the third message crosses deltaMessages: the whole transcript is indexed again
    await appendFile(transcript, transcriptLine("user", "thanks"));
    expect(await memory.sync("main")).toMatchObject({ indexed: 1, pending: 0 });
    expect((await memory.search("main", "Odile")).results[0]?.path).toBe("sessions/s1.jsonl");
    // one long message crosses deltaBytes on its own
    await appendFile(
      transcript,
      transcriptLine("assistant", `the tram to Belém leaves at noon ${"x ".repeat(1200)}`),
    );
    expect(await memory.sync("main")).toMatchObject({ indexed: 1, pending: 0 });
    expect((await memory.search("main", "Belém")).results[0]?.path).toBe("sessions/s1.jsonl");
    // a rewritten (shorter) transcript is indexed again whatever its size
    await writeFile(transcript, transcriptLine("user", "compacted: lighthouse tour booked"));
    expect(await memory.sync("main")).toMatchObject({ indexed: 1 });
    expect((await memory.search("main", "lighthouse")).results[0]?.path).toBe("sessions/s1.jsonl");
    expect((await memory.search("main", "Odile")).results).toHaveLength(0);
    // memory files are never held back by the thresholds
    await writeFile(path.join(workspace, "memory", "x.md"), "The parrot is named Kiwi.\n");
    expect((await memory.search("main", "parrot")).results[0]?.path).toBe("memory/x.md");
  });

  it("defaults the transcript thresholds to OpenClaw's (100000 bytes, 50 messages)", () => {
    expect(manager().settings("main").sync.sessions).toEqual({ deltaBytes: 100_000, deltaMessages: 50 });
  });

  it("indexes the same on the calling thread (indexer: main) as on the worker", async () => {
    const settings = manager().settings("main");
    const { MemoryIndex } = await import("./service.js");
    const here = new MemoryIndex({
      agentId: "main",
      workspaceDir: workspace,
      settings,
      embedder: { reason: "keyword only" },
      indexer: "main",
    });
    const events: unknown[] = [];
    here.on("indexer", (event) => events.push(event));
    try {
      expect(await here.sync()).toMatchObject({ indexed: 2 });
      expect(events).toHaveLength(0);
      expect((await here.status()).indexer).toMatchObject({ thread: "main", active: false });
      expect((await here.search("peanuts")).results[0]?.path).toBe("memory/2026-11-20.md");
    } finally {
      await here.close();
    }
  });
});
