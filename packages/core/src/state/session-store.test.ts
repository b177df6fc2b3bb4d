import { appendFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTranscriptJsonl } from "../agent/transcript.js";
import { StateError } from "./errors.js";
import { parseSessionBundle, SessionStore, serializeSessionBundle } from "./session-store.js";
import { createFileStateStore, createMemoryStateStore, type StateStore } from "./state-store.js";

const FIXTURE = join(import.meta.dirname, "__fixtures__", "openclaw-session.jsonl");

function fileStore() {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-state-"));
  return { dir, state: createFileStateStore(dir) };
}

const kinds: [string, () => StateStore][] = [
  ["file", () => fileStore().state],
  ["memory", () => createMemoryStateStore()],
];

describe.each(kinds)("SessionStore (%s)", (_kind, makeState) => {
  it("create, get, patch, list with filters", async () => {
    let now = 1_000_000;
    const store = new SessionStore({ state: makeState(), now: () => now });
    const first = await store.create("main", { label: "home", displayName: "Ada" });
    expect(first.key).toBe("agent:main:main");
    expect(first.entry).toMatchObject({ label: "home", updatedAt: 1_000_000, sessionStartedAt: 1_000_000 });
    now += 60_000;
    await store.create("agent:work:telegram:group:-100123", { subject: "Ops room" });
    now += 60_000;
    await store.create("agent:work:slack:channel:c01", { label: "alerts" });
    await store.patch("main", { thinkingLevel: "high", label: undefined });
    expect((await store.get("main"))?.entry).toMatchObject({ thinkingLevel: "high" });
    expect((await store.get("main"))?.entry.label).toBeUndefined();
    expect((await store.list()).map((record) => record.key)).toEqual([
      "agent:work:slack:channel:c01",
      "agent:work:telegram:group:-100123",
      "agent:main:main",
    ]);
    expect((await store.list({ agentId: "work" })).length).toBe(2);
    expect((await store.list({ activeSince: 1_060_000 })).map((r) => r.key)).toEqual([
      "agent:work:slack:channel:c01",
      "agent:work:telegram:group:-100123",
    ]);
    expect((await store.list({ label: "alerts" })).map((r) => r.key)).toEqual([
      "agent:work:slack:channel:c01",
    ]);
    expect((await store.list({ search: "ops ROOM" })).map((r) => r.key)).toEqual([
      "agent:work:telegram:group:-100123",
    ]);
    await expect(store.create("main")).rejects.toMatchObject({ code: "STATE_SESSION_EXISTS" });
    // spec §5.2: short keys get the default agent; agent ids are lower-case; "global" stays as is
    expect(store.storeKey("discord:group:123")).toBe("agent:main:discord:group:123");
    expect(store.storeKey("agent:Work:main")).toBe("agent:work:main");
    expect(store.storeKey("main", "ops")).toBe("agent:ops:main");
    expect(store.storeKey("global")).toBe("global");
    await expect(store.patch("nope", {})).rejects.toMatchObject({ code: "STATE_SESSION_NOT_FOUND" });
  });

  it("append assigns ids and parent links; the transcript reads back in OpenClaw's format", async () => {
    const store = new SessionStore({ state: makeState(), workspaceFor: () => "/w" });
    await store.create("main");
    const written = await store.append("main", [
      { type: "model_change", provider: "openai", modelId: "gpt-5" },
      { type: "message", message: { role: "user", content: [{ type: "text", text: "hi" }] } },
    ]);
    const [second] = await store.append("main", [
      { type: "message", message: { role: "assistant", content: [{ type: "text", text: "hello" }] } },
    ]);
    expect(written[0]?.parentId).toBeNull();
    expect(written[1]?.parentId).toBe(written[0]?.id);
    expect(second?.parentId).toBe(written[1]?.id);
    expect(second?.id).toMatch(/^[0-9a-f]{8}$/);
    const read = await store.readTranscript("main");
    expect(read.header).toMatchObject({
      type: "session",
      version: 3,
      cwd: "/w",
      id: (await store.get("main"))?.entry.sessionId,
    });
    expect(read.entries.map((entry) => entry.type)).toEqual(["model_change", "message", "message"]);
    expect(read.issues).toEqual([]);
  });

  it("reset archives the old transcript and starts a new session id; delete archives too", async () => {
    let now = Date.parse("2026-03-01T10:00:00Z");
    const state = makeState();
    const store = new SessionStore({ state, now: () => now });
    const created = await store.create("main", {
      label: "keep",
      inputTokens: 500,
      thinkingLevel: "high",
      responseUsage: "tokens",
      modelOverride: "openai/gpt-5",
    });
    await store.append("main", [{ type: "message", message: { role: "user", content: "x" } }]);
    now += 1000;
    const reset = await store.reset("main");
    expect(reset.entry.sessionId).not.toBe(created.entry.sessionId);
    expect(reset.entry.label).toBe("keep");
    expect(reset.entry.inputTokens).toBeUndefined();
    // the one reset rule (KEPT_ON_RESET), as /new, sessions.reset and a daily reset apply it
    expect(reset.entry).toMatchObject({ thinkingLevel: "high", responseUsage: "tokens" });
    expect(reset.entry.modelOverride).toBeUndefined();
    expect(reset.archivedTranscript).toBe(
      `agents/main/sessions/${created.entry.sessionId}.jsonl.reset.2026-03-01T10-00-01.000Z`,
    );
    expect(await state.readText(reset.archivedTranscript!)).toContain('"content":"x"');
    expect((await store.readTranscript("main")).entries).toEqual([]);
    const deleted = await store.delete("main");
    expect(deleted.deleted).toBe(true);
    expect(deleted.archivedTranscript).toMatch(/\.jsonl\.deleted\./);
    expect(await store.get("main")).toBeUndefined();
    expect(await store.delete("main")).toEqual({ deleted: false });
  });

  it("export one/all to a bundle and import it back elsewhere", async () => {
    const source = new SessionStore({ state: makeState() });
    await source.create("main", { label: "a" });
    await source.append("main", [{ type: "message", message: { role: "user", content: "one" } }]);
    await source.create("agent:work:main", { label: "b" });
    const text = serializeSessionBundle(await source.exportSessions());
    const target = new SessionStore({ state: makeState() });
    await target.create("main", { label: "already here" });
    const result = await target.importSessions(parseSessionBundle(text));
    expect(result.imported).toEqual(["agent:work:main"]);
    expect(result.skipped).toEqual([{ key: "agent:main:main", reason: "exists (use overwrite)" }]);
    const overwrite = await target.importSessions(parseSessionBundle(text), { overwrite: true });
    expect(overwrite.imported.sort()).toEqual(["agent:main:main", "agent:work:main"]);
    expect((await target.readTranscript("main")).entries).toHaveLength(1);
    expect((await target.get("main"))?.entry.label).toBe("a");
    const one = await source.exportSessions({ keys: ["agent:work:main"] });
    expect(one.sessions.map((s) => s.key)).toEqual(["agent:work:main"]);
    expect(() => parseSessionBundle(text.split("\n").slice(0, 2).join("\n"))).toThrow(/incomplete: 1 of 2/);
    expect(() => parseSessionBundle("{}")).toThrow(StateError);
  });
});

describe("transcripts on disk", () => {
  it("reads a real OpenClaw transcript", () => {
    const result = parseTranscriptJsonl(readFileSync(FIXTURE, "utf8"));
    expect(result.issues).toEqual([]);
    expect(result.header).toMatchObject({ version: 3, id: "0b9f3c2e-6f0a-4c59-9a57-2f3b1d7e8a11" });
    expect(result.entries.map((entry) => entry.type)).toEqual([
      "model_change",
      "thinking_level_change",
      "custom",
      "message",
      "message",
      "message",
      "message",
      "compaction",
      "label",
    ]);
  });

  it("a corrupt line is skipped and reported; a torn last line is isolated before the next append; other sessions are unaffected", async () => {
    const { dir, state } = fileStore();
    const issues: string[] = [];
    const store = new SessionStore({ state, onIssue: (issue) => issues.push(issue.message) });
    const a = await store.create("agent:main:a");
    await store.create("agent:main:b");
    await store.append("agent:main:a", [{ type: "message", message: { role: "user", content: "first" } }]);
    await store.append("agent:main:b", [{ type: "message", message: { role: "user", content: "other" } }]);
    await store.close();
    const file = join(dir, "agents/main/sessions", `${a.entry.sessionId}.jsonl`);
    appendFileSync(file, 'garbage{{{\n{"type":"message","id":"torn","parentId":nu');
    const reader = new SessionStore({
      state: createFileStateStore(dir),
      onIssue: (issue) => issues.push(issue.message),
    });
    const read = await reader.readTranscript("agent:main:a");
    expect(read.entries.map((entry) => entry.type)).toEqual(["message"]);
    expect(read.issues.map((issue) => issue.kind)).toEqual(["corrupt", "torn_tail"]);
    expect(issues).toEqual([expect.stringMatching(/^line 3: not valid JSON/)]);
    await reader.append("agent:main:a", [
      { type: "message", message: { role: "user", content: "after crash" } },
    ]);
    const again = await reader.readTranscript("agent:main:a");
    expect(again.entries.map((entry) => (entry as { message: { content: string } }).message.content)).toEqual(
      ["first", "after crash"],
    );
    expect((await reader.readTranscript("agent:main:b")).entries).toHaveLength(1);
  });

  it("files are 0600 and directories 0700", async () => {
    const { dir, state } = fileStore();
    const store = new SessionStore({ state });
    const { entry } = await store.create("main");
    await store.append("main", [{ type: "message", message: { role: "user", content: "x" } }]);
    expect(statSync(join(dir, "agents/main/sessions/sessions.json")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, `agents/main/sessions/${entry.sessionId}.jsonl`)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "agents/main/sessions")).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "agents")).mode & 0o777).toBe(0o700);
  });

  it("one writer per session: a second store cannot append while the first holds the transcript", async () => {
    const { dir, state } = fileStore();
    const first = new SessionStore({ state });
    await first.create("main");
    await first.append("main", [{ type: "message", message: { role: "user", content: "1" } }]);
    const second = new SessionStore({ state: createFileStateStore(dir), lockTimeoutMs: 150 });
    await expect(
      second.append("main", [{ type: "message", message: { role: "user", content: "2" } }]),
    ).rejects.toMatchObject({
      code: "STATE_LOCKED",
    });
    await first.release("main");
    await second.append("main", [{ type: "message", message: { role: "user", content: "2" } }]);
    expect((await second.readTranscript("main")).entries).toHaveLength(2);
    await second.close();
    expect(readdirSync(join(dir, "agents/main/sessions")).filter((name) => name.endsWith(".lock"))).toEqual(
      [],
    );
  });

  it("an unreadable sessions.json is moved aside, never silently overwritten", async () => {
    const { dir, state } = fileStore();
    const issues: string[] = [];
    const store = new SessionStore({ state, onIssue: (issue) => issues.push(issue.message) });
    await store.create("main");
    writeFileSync(join(dir, "agents/main/sessions/sessions.json"), "{ not json");
    expect(await store.list()).toEqual([]);
    await store.create("fresh");
    const names = readdirSync(join(dir, "agents/main/sessions"));
    expect(names.some((name) => name.startsWith("sessions.json.corrupt."))).toBe(true);
    expect(issues.some((message) => message.includes("moved to"))).toBe(true);
  });
});
