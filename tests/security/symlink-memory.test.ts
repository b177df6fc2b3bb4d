import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { memoryGetTool, memorySearchTool, searchMemory } from "../../packages/core/src/tools/memory-tools.js";
import { ProcessRegistry } from "../../packages/core/src/tools/process-registry.js";
import type { ToolContext } from "../../packages/core/src/tools/types.js";
import { loadBootstrapFiles } from "../../packages/core/src/workspace/workspace.js";

// Symlink escape: memory files are workspace files; a symlink (file or directory) that points
// outside the workspace must neither be read by memory_get nor indexed by memory_search.

let root: string;
let workspace: string;
let outside: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "openclaw-symlink-"));
  workspace = path.join(root, "workspace");
  outside = path.join(root, "outside");
  await mkdir(path.join(workspace, "memory"), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(outside, "secret.md"), "host secret: hunter2 passphrase\n");
  await writeFile(path.join(workspace, "memory", "ok.md"), "a normal note about passphrase hygiene\n");
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function context(): ToolContext {
  return {
    agentId: "main",
    sessionKey: "agent:main:main",
    workspaceDir: workspace,
    signal: new AbortController().signal,
    toolsConfig: {},
    fetch,
    processes: new ProcessRegistry(),
    outputCap: 10_000,
    now: Date.now,
  };
}

describe("memory tools refuse symlinks that leave the workspace", () => {
  it("memory_get memory/evil.md → a file outside is refused with a clear error", async () => {
    await symlink(path.join(outside, "secret.md"), path.join(workspace, "memory", "evil.md"));
    await expect(memoryGetTool.execute({ path: "memory/evil.md" }, context())).rejects.toMatchObject({
      code: "outside_workspace",
      message: expect.stringMatching(/memory\/evil\.md.*outside the workspace/),
    });
  });

  it("MEMORY.md as a symlink to a file outside is refused", async () => {
    await symlink(path.join(outside, "secret.md"), path.join(workspace, "MEMORY.md"));
    await expect(memoryGetTool.execute({ path: "MEMORY.md" }, context())).rejects.toMatchObject({
      code: "outside_workspace",
    });
  });

  it("a memory/ directory that is a symlink to a directory outside is refused", async () => {
    await rm(path.join(workspace, "memory"), { recursive: true });
    await symlink(outside, path.join(workspace, "memory"));
    await expect(memoryGetTool.execute({ path: "memory/secret.md" }, context())).rejects.toMatchObject({
      code: "outside_workspace",
    });
    expect(await searchMemory(workspace, "hunter2")).toEqual([]);
  });

  it("memory_search does not index a symlink that leaves the workspace", async () => {
    await symlink(path.join(outside, "secret.md"), path.join(workspace, "memory", "evil.md"));
    const result = await memorySearchTool.execute({ query: "passphrase" }, context());
    expect(result.content).toContain("memory/ok.md");
    expect(result.content).not.toContain("hunter2");
    expect(result.content).not.toContain("evil.md");
  });

  it("MEMORY.md linking outside is not loaded into the system prompt's bootstrap files", async () => {
    await symlink(path.join(outside, "secret.md"), path.join(workspace, "MEMORY.md"));
    const files = await loadBootstrapFiles(workspace, { includeMemory: true });
    expect(JSON.stringify(files)).not.toContain("hunter2");
  });

  it("a symlink that stays inside the workspace still works", async () => {
    await writeFile(path.join(workspace, "notes.md"), "inside note\n");
    await symlink(path.join(workspace, "notes.md"), path.join(workspace, "memory", "link.md"));
    const result = await memoryGetTool.execute({ path: "memory/link.md" }, context());
    expect(result.content).toBe("inside note\n");
  });
});
