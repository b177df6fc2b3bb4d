import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createAgentSessionStore } from "./agent-adapter.js";
import { SessionStore } from "./session-store.js";
import { createFileStateStore } from "./state-store.js";

describe("createAgentSessionStore (the agent runtime's SessionStoreLike on top of SessionStore)", () => {
  it("update/get/list, transcript append with header, tolerant read after a torn line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "openclaw-adapter-"));
    const store = new SessionStore({ state: createFileStateStore(dir) });
    const runtime = createAgentSessionStore(store);
    const entry = await runtime.update("main", "agent:main:main", () => ({ sessionId: "s-1", updatedAt: 1 }));
    expect(await runtime.get("main", "agent:main:main")).toEqual({ sessionId: "s-1", updatedAt: 1 });
    expect(Object.keys(await runtime.list("main"))).toEqual(["agent:main:main"]);
    const transcript = runtime.transcript("main", entry!);
    expect(transcript.file).toBe(join(dir, "agents/main/sessions/s-1.jsonl"));
    const header = {
      type: "session" as const,
      version: 3,
      id: "s-1",
      timestamp: "2026-01-01T00:00:00.000Z",
      cwd: "/w",
    };
    await transcript.append(
      [
        {
          type: "message",
          id: "a1",
          parentId: null,
          timestamp: "2026-01-01T00:00:01.000Z",
          message: { role: "user", content: "hi", timestamp: 1 },
        },
      ],
      header,
    );
    appendFileSync(transcript.file, '{"type":"message","id":"torn"'); // a crash mid-write
    await transcript.append(
      [
        {
          type: "message",
          id: "a2",
          parentId: "a1",
          timestamp: "2026-01-01T00:00:02.000Z",
          message: { role: "user", content: "again", timestamp: 2 },
        },
      ],
      header,
    );
    const read = await transcript.read();
    expect(read.header).toEqual(header);
    expect(read.entries.map((item) => item.id)).toEqual(["a1", "a2"]);
    await runtime.update("main", "agent:main:main", () => undefined);
    expect(await runtime.get("main", "agent:main:main")).toBeUndefined();
    await store.close();
  });
});

describe("CachedSessionStore over the state layer: a burst of sessions", () => {
  it("writes every updated session, in one index rewrite instead of one per session", async () => {
    const { CachedSessionStore } = await import("../agent/cached-session-store.js");
    const dir = mkdtempSync(join(tmpdir(), "openclaw-adapter-burst-"));
    const runtime = createAgentSessionStore(new SessionStore({ state: createFileStateStore(dir) }));
    await runtime.update("main", "agent:main:existing", () => ({ sessionId: "s-old", updatedAt: 1 }));
    let rewrites = 0;
    const counted = {
      ...runtime,
      updateMany: (agentId: string, updates: Parameters<NonNullable<typeof runtime.updateMany>>[1]) => {
        rewrites++;
        return runtime.updateMany!(agentId, updates);
      },
    };
    const cached = new CachedSessionStore(counted);
    const keys = Array.from({ length: 200 }, (_, i) => `agent:main:telegram:direct:${i}`);
    // read first (from disk), so the updates themselves follow each other without I/O
    await Promise.all([...keys, "agent:main:existing"].map((key) => cached.get("main", key)));
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        cached.update("main", `agent:main:telegram:direct:${i}`, () => ({
          sessionId: `s-${i}`,
          updatedAt: i,
        })),
      ),
    );
    await cached.update("main", "agent:main:existing", (entry) => entry && { ...entry, updatedAt: 2 });
    await cached.flush();
    expect(rewrites).toBe(1);
    const index = JSON.parse(readFileSync(join(dir, "agents/main/sessions/sessions.json"), "utf8"));
    expect(Object.keys(index)).toHaveLength(201);
    expect(index["agent:main:telegram:direct:199"]).toEqual({ sessionId: "s-199", updatedAt: 199 });
    expect(index["agent:main:existing"]).toEqual({ sessionId: "s-old", updatedAt: 2 });
  });
});

describe("CachedSessionStore: bounded", () => {
  it("keeps at most maxEntries per agent, never drops one not yet written, and reads a dropped one back from sessions.json", async () => {
    const { CachedSessionStore } = await import("../agent/cached-session-store.js");
    const dir = mkdtempSync(join(tmpdir(), "openclaw-adapter-bound-"));
    const runtime = createAgentSessionStore(new SessionStore({ state: createFileStateStore(dir) }));
    const reads: string[] = [];
    const counted = {
      ...runtime,
      get: (agentId: string, key: string) => {
        reads.push(key);
        return runtime.get(agentId, key);
      },
    };
    const cached = new CachedSessionStore(counted, () => {}, 50, 3);
    const key = (i: number) => `agent:main:telegram:direct:${i}`;
    // 6 sessions, one after the other: none is dropped before it reached the index
    for (let i = 0; i < 6; i++)
      await cached.update("main", key(i), () => ({ sessionId: `s-${i}`, updatedAt: i }));
    await cached.flush();
    const index = JSON.parse(readFileSync(join(dir, "agents/main/sessions/sessions.json"), "utf8"));
    expect(Object.keys(index).sort()).toEqual(Array.from({ length: 6 }, (_, i) => key(i)).sort());
    // once written, the least recently used are dropped: the newest three are served from memory
    reads.length = 0;
    expect(await cached.get("main", key(5))).toEqual({ sessionId: "s-5", updatedAt: 5 });
    expect(await cached.get("main", key(4))).toEqual({ sessionId: "s-4", updatedAt: 4 });
    expect(await cached.get("main", key(3))).toEqual({ sessionId: "s-3", updatedAt: 3 });
    expect(reads).toEqual([]);
    // a dropped one comes back from sessions.json, with what was written
    expect(await cached.get("main", key(0))).toEqual({ sessionId: "s-0", updatedAt: 0 });
    expect(reads).toEqual([key(0)]);
    // and every session is still listed
    expect(Object.keys(await cached.list("main"))).toHaveLength(6);
  });
});

describe("CachedSessionStore: bounded, when a write fails", () => {
  it("an entry whose write failed is kept in memory until a later write succeeds", async () => {
    const { CachedSessionStore } = await import("../agent/cached-session-store.js");
    const dir = mkdtempSync(join(tmpdir(), "openclaw-adapter-fail-"));
    const runtime = createAgentSessionStore(new SessionStore({ state: createFileStateStore(dir) }));
    let failNext = true;
    const flaky = {
      ...runtime,
      updateMany: (agentId: string, updates: Parameters<NonNullable<typeof runtime.updateMany>>[1]) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error("disk full"));
        }
        return runtime.updateMany!(agentId, updates);
      },
    };
    const errors: unknown[] = [];
    const cached = new CachedSessionStore(flaky, (error) => errors.push(error), 50, 1);
    await cached.update("main", "agent:main:a", () => ({ sessionId: "s-a", updatedAt: 1 }));
    await cached.flush();
    expect(errors).toHaveLength(1);
    await cached.update("main", "agent:main:b", () => ({ sessionId: "s-b", updatedAt: 2 }));
    await cached.flush();
    // a is not in sessions.json, so it stays in memory although the bound is 1
    expect(await cached.get("main", "agent:main:a")).toEqual({ sessionId: "s-a", updatedAt: 1 });
    await cached.update("main", "agent:main:a", (entry) => entry && { ...entry, updatedAt: 3 });
    await cached.flush();
    const index = JSON.parse(readFileSync(join(dir, "agents/main/sessions/sessions.json"), "utf8"));
    expect(index["agent:main:a"]).toEqual({ sessionId: "s-a", updatedAt: 3 });
  });
});
