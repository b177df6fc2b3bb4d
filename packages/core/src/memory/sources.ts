import type { Dirent } from "node:fs";
import { lstat, open, readdir, readFile, realpath } from "node:fs/promises";
import path from "node:path";

/** A file the index reads: `path` as results show it (workspace-relative when inside). */
export interface SourceFile {
  path: string;
  absolute: string;
  source: "memory" | "sessions";
  mtimeMs: number;
  size: number;
}

/** Files above this size are skipped (a memory note is not a data dump). */
export const MAX_SOURCE_BYTES = 8 * 1024 * 1024;

async function walkMarkdown(dir: string, out: string[], depth = 0): Promise<void> {
  if (depth > 16) return;
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  // by code unit, as elsewhere: localeCompare would page in ICU's collation data (~3 MB) on the first turn
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    // symlinks are never followed: memory is what lives in the folder itself
    if (entry.isSymbolicLink() || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walkMarkdown(full, out, depth + 1);
    else if (entry.isFile() && entry.name.toLowerCase().endsWith(".md")) out.push(full);
  }
}

function inside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

async function describe(
  absolute: string,
  shown: string,
  source: SourceFile["source"],
): Promise<SourceFile | undefined> {
  const info = await lstat(absolute).catch(() => undefined);
  if (!info?.isFile() || info.size > MAX_SOURCE_BYTES) return undefined;
  return { path: shown, absolute, source, mtimeMs: info.mtimeMs, size: info.size };
}

/**
 * The memory sources of one agent: `MEMORY.md` (or `memory.md`), `memory/**\/*.md`,
 * `extraPaths` (markdown files or folders) and, with `sources: ["sessions"]`, the agent's
 * session transcripts. Symlinks are skipped; a workspace file whose real path leaves the
 * workspace (a symlinked parent) is refused.
 */
export async function listSources(options: {
  workspaceDir: string;
  extraPaths: string[];
  sources: Array<"memory" | "sessions">;
  sessionsDir?: string;
}): Promise<SourceFile[]> {
  const workspace = path.resolve(options.workspaceDir);
  const root = await realpath(workspace).catch(() => workspace);
  const found = new Map<string, SourceFile>();
  const add = async (absolute: string, source: SourceFile["source"]) => {
    const real = await realpath(absolute).catch(() => undefined);
    if (!real) return;
    const relative = inside(workspace, absolute) ? path.relative(workspace, absolute) : undefined;
    if (relative !== undefined && !inside(root, real)) return;
    const shown = relative !== undefined ? relative.split(path.sep).join("/") : absolute;
    if (found.has(shown)) return;
    const file = await describe(absolute, shown, source);
    if (file) found.set(shown, file);
  };
  if (options.sources.includes("memory")) {
    for (const name of ["MEMORY.md", "memory.md"]) {
      const candidate = path.join(workspace, name);
      const info = await lstat(candidate).catch(() => undefined);
      if (info?.isFile()) {
        await add(candidate, "memory");
        break;
      }
    }
    const memoryDir = path.join(workspace, "memory");
    const dirInfo = await lstat(memoryDir).catch(() => undefined);
    if (dirInfo?.isDirectory()) {
      const files: string[] = [];
      await walkMarkdown(memoryDir, files);
      for (const file of files) await add(file, "memory");
    }
    for (const extra of options.extraPaths) {
      const absolute = path.resolve(workspace, extra.replace(/^~(?=$|\/)/, process.env.HOME ?? "~"));
      const info = await lstat(absolute).catch(() => undefined);
      if (!info || info.isSymbolicLink()) continue;
      if (info.isDirectory()) {
        const files: string[] = [];
        await walkMarkdown(absolute, files);
        for (const file of files) await add(file, "memory");
      } else if (info.isFile() && absolute.toLowerCase().endsWith(".md")) await add(absolute, "memory");
    }
  }
  if (options.sources.includes("sessions") && options.sessionsDir) {
    const entries = await readdir(options.sessionsDir, { withFileTypes: true }).catch(() => [] as Dirent[]);
    for (const entry of entries)
      if (entry.isFile() && entry.name.endsWith(".jsonl")) {
        const absolute = path.join(options.sessionsDir, entry.name);
        const file = await describe(absolute, `sessions/${entry.name}`, "sessions");
        if (file) found.set(file.path, file);
      }
  }
  return [...found.values()];
}

/** A transcript as searchable text: one `User:` / `Assistant:` paragraph per message. */
export function transcriptText(jsonl: string): string {
  const parts: string[] = [];
  for (const line of jsonl.split("\n")) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as {
        type?: string;
        message?: { role?: string; content?: unknown };
      };
      if (entry.type !== "message" || !entry.message) continue;
      const role = entry.message.role;
      if (role !== "user" && role !== "assistant") continue;
      const content = entry.message.content;
      const text =
        typeof content === "string"
          ? content
          : Array.isArray(content)
            ? content
                .map((part) => (part && typeof part === "object" && "text" in part ? String(part.text) : ""))
                .filter(Boolean)
                .join("\n")
            : "";
      if (text.trim()) parts.push(`${role === "user" ? "User" : "Assistant"}: ${text.trim()}`);
    } catch {}
  }
  return parts.join("\n\n");
}

export async function readSource(file: SourceFile): Promise<string> {
  const raw = await readFile(file.absolute, "utf8");
  return file.source === "sessions" ? transcriptText(raw) : raw;
}

/**
 * Whether a transcript changed enough since it was indexed to be indexed again: it grew by
 * `deltaBytes` or by `deltaMessages` message entries (either), or it was rewritten (smaller
 * than before). Only the bytes appended since are read.
 */
export async function transcriptDeltaReached(
  file: SourceFile,
  indexed: { size: number },
  thresholds: { deltaBytes: number; deltaMessages: number },
): Promise<boolean> {
  const grown = file.size - indexed.size;
  if (grown <= 0 || grown >= thresholds.deltaBytes) return true;
  let appended: string;
  try {
    const handle = await open(file.absolute, "r");
    try {
      const buffer = Buffer.alloc(grown);
      const { bytesRead } = await handle.read(buffer, 0, grown, indexed.size);
      appended = buffer.subarray(0, bytesRead).toString("utf8");
    } finally {
      await handle.close();
    }
  } catch {
    return true;
  }
  let messages = 0;
  for (const line of appended.split("\n")) {
    if (!line.includes('"message"')) continue;
    try {
      if ((JSON.parse(line) as { type?: unknown }).type === "message") messages++;
    } catch {}
  }
  return messages >= thresholds.deltaMessages;
}
