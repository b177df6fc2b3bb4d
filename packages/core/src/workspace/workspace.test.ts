import { mkdtemp, readdir, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildSystemPrompt } from "../agent/system-prompt.js";
import { ensureWorkspace, loadBootstrapFiles } from "./workspace.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-ws-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("workspace and system prompt", () => {
  it("seeds a new workspace once, never overwriting the user's files", async () => {
    const ws = path.join(dir, "ws");
    expect((await ensureWorkspace(ws)).sort()).toEqual([
      "AGENTS.md",
      "BOOTSTRAP.md",
      "HEARTBEAT.md",
      "IDENTITY.md",
      "SOUL.md",
      "TOOLS.md",
      "USER.md",
    ]);
    await writeFile(path.join(ws, "SOUL.md"), "mine");
    await unlink(path.join(ws, "BOOTSTRAP.md"));
    expect(await ensureWorkspace(ws)).toEqual([]);
    expect((await readdir(ws)).includes("BOOTSTRAP.md")).toBe(false);
  });

  it("injects bootstrap files in order, caps them, marks missing ones; MEMORY.md only in the main session", async () => {
    await writeFile(path.join(dir, "AGENTS.md"), "agent rules");
    await writeFile(path.join(dir, "SOUL.md"), "S".repeat(5000));
    await writeFile(path.join(dir, "MEMORY.md"), "the dog is Biscuit");
    const main = await loadBootstrapFiles(dir, { includeMemory: true, maxChars: 1000 });
    expect(main.map((file) => file.name)).toEqual([
      "AGENTS.md",
      "SOUL.md",
      "TOOLS.md",
      "IDENTITY.md",
      "USER.md",
      "HEARTBEAT.md",
      "MEMORY.md",
    ]);
    const soul = main.find((file) => file.name === "SOUL.md")!;
    expect(soul.truncated).toBe(true);
    expect(soul.content!.length).toBeLessThan(1200);
    const prompt = buildSystemPrompt({
      agentId: "main",
      workspaceDir: dir,
      bootstrapFiles: main,
      tools: [{ name: "read", description: "Read a file" }],
      runtime: {
        host: "box",
        os: "linux 6",
        node: "v24",
        model: "anthropic/claude-opus-4-5",
        thinking: "low",
      },
      timezone: "Europe/Paris",
    });
    expect(prompt).toContain("### AGENTS.md\nagent rules");
    expect(prompt).toContain("[missing file: TOOLS.md does not exist in the workspace]");
    expect(prompt).toContain("the dog is Biscuit");
    expect(prompt).toContain("- read: Read a file");
    expect(prompt).toContain(
      "host=box os=linux 6 node=v24 model=anthropic/claude-opus-4-5 thinking=low tz=Europe/Paris",
    );
    expect(prompt).not.toMatch(/\d{2}:\d{2}:\d{2}/);
    expect(prompt.indexOf("### AGENTS.md")).toBeLessThan(prompt.indexOf("### SOUL.md"));
    const group = await loadBootstrapFiles(dir, { includeMemory: false });
    expect(group.map((file) => file.name)).not.toContain("MEMORY.md");
    const minimal = await loadBootstrapFiles(dir, { includeMemory: true, mode: "minimal" });
    expect(minimal.map((file) => file.name)).toEqual(["AGENTS.md", "TOOLS.md"]);
  });
});
