import { readdir, readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { BUILTIN_TOOL_INPUT_SCHEMAS } from "./builtin-tool-schemas.js";
import { defineTool, ToolError } from "./types.js";

/** Memory files of a workspace: MEMORY.md (or memory.md) and memory/*.md, workspace-relative. */
export async function listMemoryFiles(workspaceDir: string): Promise<string[]> {
  const files: string[] = [];
  for (const name of ["MEMORY.md", "memory.md"]) {
    try {
      await readFile(path.join(workspaceDir, name));
      files.push(name);
      break;
    } catch {}
  }
  try {
    const entries = await readdir(path.join(workspaceDir, "memory"));
    for (const entry of entries.sort()) if (entry.endsWith(".md")) files.push(`memory/${entry}`);
  } catch {}
  return files;
}

/**
 * The real path of a workspace-relative memory file, or a ToolError when the file (or a
 * directory on its way, through a symlink) resolves outside the workspace.
 */
export async function resolveMemoryFile(workspaceDir: string, relative: string): Promise<string> {
  const root = await realpath(workspaceDir).catch(() => path.resolve(workspaceDir));
  let real: string;
  try {
    real = await realpath(path.join(workspaceDir, relative));
  } catch {
    throw new ToolError("not_found", `Memory file not found: ${relative}`);
  }
  const inside = path.relative(root, real);
  if (inside === "" || inside.startsWith("..") || path.isAbsolute(inside))
    throw new ToolError(
      "outside_workspace",
      `Refused ${relative}: it resolves (through a symlink) outside the workspace; memory files must live in the workspace`,
    );
  return real;
}

function isMemoryPath(relative: string): boolean {
  const normalized = path.posix.normalize(relative.replaceAll("\\", "/"));
  return (
    normalized === "MEMORY.md" ||
    normalized === "memory.md" ||
    (normalized.startsWith("memory/") && normalized.endsWith(".md") && !normalized.includes(".."))
  );
}

export const memoryGetTool = defineTool({
  name: "memory_get",
  description: "Read a memory file (MEMORY.md or memory/*.md), optionally a line range.",
  parameters: async () => (await import("./tool-parameters.js")).memoryGetParameters,
  inputSchema: BUILTIN_TOOL_INPUT_SCHEMAS.memory_get,
  async execute(params, context) {
    let text: string;
    if (!isMemoryPath(params.path)) {
      // an extra path or a transcript memory_search returned: only files the index holds
      const index = await context.memory?.().catch(() => undefined);
      const indexed = await index?.read?.(context.agentId, params.path).catch(() => undefined);
      if (indexed === undefined)
        throw new ToolError(
          "invalid_path",
          `memory_get only reads MEMORY.md, memory/*.md and files memory_search returned, not ${params.path}`,
        );
      text = indexed;
    } else {
      const file = await resolveMemoryFile(context.workspaceDir, params.path);
      try {
        text = await readFile(file, "utf8");
      } catch {
        throw new ToolError("not_found", `Memory file not found: ${params.path}`);
      }
    }
    if (params.from === undefined && params.lines === undefined) return { content: text };
    const all = text.split("\n");
    const start = (params.from ?? 1) - 1;
    return { content: all.slice(start, params.lines ? start + params.lines : undefined).join("\n") };
  },
});

export interface MemoryHit {
  path: string;
  startLine: number;
  endLine: number;
  score: number;
  snippet: string;
}

/** The memory index as `memory_search` uses it (core's MemoryManager). */
export interface MemorySearchHost {
  search(
    agentId: string,
    query: string,
    options?: { maxResults?: number },
  ): Promise<{ results: MemoryHit[]; mode: string; provider?: string; model?: string; reason?: string }>;
  /** The text of a file the index holds (extra paths, transcripts), by the path results show. */
  read?(agentId: string, path: string): Promise<string | undefined>;
}

/** Keyword search over memory files: paragraphs scored by matched query terms. */
export async function searchMemory(
  workspaceDir: string,
  query: string,
  maxResults = 6,
): Promise<MemoryHit[]> {
  const terms = [
    ...new Set(
      query
        .toLowerCase()
        .split(/[^\p{L}\p{N}_]+/u)
        .filter((term) => term.length > 1),
    ),
  ];
  if (terms.length === 0) return [];
  const hits: MemoryHit[] = [];
  for (const file of await listMemoryFiles(workspaceDir)) {
    // symlinks leaving the workspace are not indexed (memory_get names them when asked)
    const real = await resolveMemoryFile(workspaceDir, file).catch(() => undefined);
    if (!real) continue;
    const lines = (await readFile(real, "utf8")).split("\n");
    let start = 0;
    const flush = (end: number) => {
      const chunk = lines.slice(start, end).join("\n");
      const lower = chunk.toLowerCase();
      let score = 0;
      for (const term of terms) {
        const count = lower.split(term).length - 1;
        if (count > 0) score += 1 + Math.log(count);
      }
      if (score > 0 && chunk.trim())
        hits.push({
          path: file,
          startLine: start + 1,
          endLine: end,
          score: score / terms.length,
          snippet: chunk.slice(0, 700),
        });
    };
    for (let index = 0; index <= lines.length; index++) {
      if (index === lines.length || (lines[index]?.trim() === "" && index > start)) {
        flush(index);
        start = index + 1;
      }
    }
  }
  return hits.sort((a, b) => b.score - a.score).slice(0, maxResults);
}

export const memorySearchTool = defineTool({
  name: "memory_search",
  description:
    "Search MEMORY.md and memory/**/*.md (and configured extra paths) for notes relevant to the query, by meaning and keywords. Returns path + line ranges + snippets; read more with memory_get.",
  parameters: async () => (await import("./tool-parameters.js")).memorySearchParameters,
  inputSchema: BUILTIN_TOOL_INPUT_SCHEMAS.memory_search,
  async execute(params, context) {
    // the index (hybrid search; keyword-only with a reason when embeddings are unavailable)
    const index = await context.memory?.().catch(() => undefined);
    const answer = index
      ? await index
          .search(context.agentId, params.query, { maxResults: params.maxResults })
          .catch(() => undefined)
      : undefined;
    const hits = answer
      ? answer.results
      : await searchMemory(context.workspaceDir, params.query, params.maxResults);
    const note = answer?.reason ? `[memory search: ${answer.reason}]\n` : "";
    const details = {
      results: hits,
      ...(answer
        ? { mode: answer.mode, provider: answer.provider, model: answer.model, reason: answer.reason }
        : {}),
    };
    if (hits.length === 0) return { content: `${note}No matching memory.`, details };
    return {
      content:
        note +
        hits
          .map(
            (hit) =>
              `${hit.path}#L${hit.startLine}-${hit.endLine} (score ${hit.score.toFixed(2)})\n${hit.snippet}`,
          )
          .join("\n\n"),
      details,
    };
  },
});
