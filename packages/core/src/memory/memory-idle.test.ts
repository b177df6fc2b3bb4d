import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Embedder } from "./embeddings.js";
import { MEMORY_IDLE_CLOSE_MS, MemoryIndex, type MemoryIndexOptions } from "./service.js";
import { resolveMemorySettings } from "./settings.js";
import { MemoryStore } from "./store.js";
import { IndexWriter } from "./writer.js";

// What an idle memory index gives back: no worker for a sync with nothing to write, this
// thread's database connection closed after MEMORY_IDLE_CLOSE_MS. And nothing is lost when a
// request arrives while the worker exits or while the connection would close.

let dir: string;
let workspace: string;
const indexes: MemoryIndex[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-memory-idle-"));
  workspace = path.join(dir, "workspace");
  await mkdir(workspace, { recursive: true });
});

afterEach(async () => {
  vi.useRealTimers();
  for (const index of indexes.splice(0)) await index.close();
  await rm(dir, { recursive: true, force: true });
});

function open(options: Partial<MemoryIndexOptions> = {}): MemoryIndex {
  const settings = resolveMemorySettings({}, "main", path.join(dir, "state"), {});
  const index = new MemoryIndex({
    agentId: "main",
    workspaceDir: workspace,
    settings,
    embedder: { reason: "keyword only" },
    ...options,
  });
  indexes.push(index);
  return index;
}

function indexerEvents(index: MemoryIndex): string[] {
  const states: string[] = [];
  index.on("indexer", (event: { state: string }) => states.push(event.state));
  return states;
}

describe("an idle memory index", () => {
  it("has nothing to create for an agent with no memory files: no database, no worker", async () => {
    const index = open();
    const states = indexerEvents(index);
    expect(await index.sync()).toMatchObject({ rebuilt: false, indexed: 0 });
    expect(index.storeOpen).toBe(false);
    expect(existsSync(index.options.settings.store.path)).toBe(false);
    // asked to rebuild (`memory index --force`), it creates the empty index on this thread
    expect(await index.sync({ force: true })).toMatchObject({ rebuilt: true, indexed: 0 });
    expect(existsSync(index.options.settings.store.path)).toBe(true);
    expect(states).toEqual([]);
    // a memory file to index: that sync gets its worker, ended when it is done
    await writeFile(path.join(workspace, "MEMORY.md"), "The spare key is under the blue flowerpot.\n");
    expect(await index.sync()).toMatchObject({ indexed: 1 });
    expect(states).toEqual(["started", "stopped"]);
    expect((await index.search("flowerpot")).results[0]?.path).toBe("MEMORY.md");
  });

  it("rebuilds an index that holds files on the worker", async () => {
    await writeFile(path.join(workspace, "MEMORY.md"), "Ferns need water on Sundays.\n");
    const keyword = open();
    await keyword.sync();
    await keyword.close();
    indexes.splice(indexes.indexOf(keyword), 1);
    const index = open();
    const states = indexerEvents(index);
    expect(await index.sync({ force: true })).toMatchObject({ rebuilt: true, indexed: 1 });
    expect(states).toEqual(["started", "stopped"]);
  });

  it("closes its connection after idleCloseMs, never during a sync, and reopens it for the next call", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    await writeFile(path.join(workspace, "MEMORY.md"), "The boat is moored at pier 7.\n");
    let called!: () => void;
    const embedding = new Promise<void>((resolve) => {
      called = resolve;
    });
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const embedder: Embedder = {
      provider: "test",
      model: "two-dims",
      fingerprint: "test/two-dims",
      async embed(texts) {
        called();
        await answered;
        return texts.map(() => Float32Array.from([1, 0]));
      },
    };
    const index = open({ embedder, indexer: "main", idleCloseMs: 1_000 });
    const syncing = index.sync();
    await embedding;
    // the sync waits on its embeddings far longer than the idle time: the connection stays
    vi.advanceTimersByTime(5_000);
    expect(index.storeOpen).toBe(true);
    answer();
    expect(await syncing).toMatchObject({ indexed: 1 });
    vi.advanceTimersByTime(999);
    expect(index.storeOpen).toBe(true);
    vi.advanceTimersByTime(1);
    expect(index.storeOpen).toBe(false);
    // the next search opens it again, and finds what the sync wrote
    expect((await index.search("moored")).results[0]?.path).toBe("MEMORY.md");
    expect(index.storeOpen).toBe(true);
    // each use restarts the clock
    vi.advanceTimersByTime(600);
    expect((await index.status()).files).toBe(1);
    vi.advanceTimersByTime(600);
    expect(index.storeOpen).toBe(true);
    vi.advanceTimersByTime(400);
    expect(index.storeOpen).toBe(false);
  });

  it("defaults to closing the connection after 30 s", () => {
    expect(MEMORY_IDLE_CLOSE_MS).toBe(30_000);
  });
});

describe("a request while the worker exits", () => {
  it("a search that arrives as the sync's worker is exiting runs one more sync and sees the new file", async () => {
    await writeFile(path.join(workspace, "MEMORY.md"), "The attic ladder is in the garage.\n");
    const index = open();
    const states = indexerEvents(index);
    let late: ReturnType<MemoryIndex["search"]> | undefined;
    index.on("indexer", (event: { state: string }) => {
      if (event.state !== "stopped" || late) return;
      // the first sync's worker has exited and its release is not yet complete
      writeFileSync(path.join(workspace, "MEMORY.md"), "The attic ladder is in the shed now.\n");
      late = index.search("shed");
    });
    expect(await index.sync()).toMatchObject({ indexed: 1 });
    const answer = await late!;
    expect(answer.results[0]?.snippet).toContain("shed");
    expect(states).toEqual(["started", "stopped", "started", "stopped"]);
  });

  it("a sync joining the running one while its worker exits gets a pass that includes its change", async () => {
    await writeFile(path.join(workspace, "MEMORY.md"), "Passport renewal: March.\n");
    const index = open();
    let joined: ReturnType<MemoryIndex["sync"]> | undefined;
    index.on("indexer", (event: { state: string }) => {
      if (event.state !== "stopped" || joined) return;
      mkdirSync(path.join(workspace, "memory"));
      writeFileSync(path.join(workspace, "memory", "today.md"), "The dentist moved to Thursday.\n");
      joined = index.sync();
    });
    await index.sync();
    expect(await joined!).toMatchObject({ indexed: 1 });
    expect((await index.search("dentist")).results[0]?.path).toBe("memory/today.md");
  });

  it("the writer: a write sent while a released worker is still exiting goes to a new worker and completes", async () => {
    const file = path.join(dir, "writer.sqlite");
    const store = new MemoryStore(file, { vector: { enabled: false } });
    const states: string[] = [];
    const writer = new IndexWriter(
      () => store,
      { file, vector: { enabled: false } },
      "worker",
      (event) => states.push(event.state),
    );
    try {
      const record = { path: "a.md", source: "memory", hash: "h1", mtimeMs: 1, size: 5 };
      const row = { startLine: 1, endLine: 1, text: "alpha", hash: "c1", cjk: false };
      await writer.write({ type: "file", record, rows: [row] });
      expect(states).toEqual(["started"]);
      const releasing = writer.release();
      // the old worker is told to close; this write must not be failed by its exit
      const second = { ...record, path: "b.md", hash: "h2" };
      await writer.write({ type: "file", record: second, rows: [{ ...row, text: "beta", hash: "c2" }] });
      await releasing;
      await writer.release();
      expect([...states].sort()).toEqual(["started", "started", "stopped", "stopped"]);
      expect(
        store
          .files()
          .map((entry) => entry.path)
          .sort(),
      ).toEqual(["a.md", "b.md"]);
    } finally {
      await writer.release();
      store.close();
    }
  });
});
