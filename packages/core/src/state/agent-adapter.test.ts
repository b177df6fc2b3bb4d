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
