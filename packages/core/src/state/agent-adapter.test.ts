import { appendFileSync, mkdtempSync } from "node:fs";
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
