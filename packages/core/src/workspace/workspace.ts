import { mkdir, readFile, realpath, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { WORKSPACE_TEMPLATES } from "./templates.js";

/** Bootstrap files injected into the system prompt, in order. */
export const BOOTSTRAP_FILES = [
  "AGENTS.md",
  "SOUL.md",
  "TOOLS.md",
  "IDENTITY.md",
  "USER.md",
  "HEARTBEAT.md",
  "BOOTSTRAP.md",
] as const;

export const DEFAULT_BOOTSTRAP_MAX_CHARS = 20_000;

export interface BootstrapFile {
  name: string;
  path: string;
  /** Content (possibly truncated); undefined when the file is missing. */
  content?: string;
  missing: boolean;
  truncated: boolean;
  originalChars: number;
}

/**
 * Create the workspace when it does not exist and seed the starter files (never overwriting).
 * BOOTSTRAP.md is only written into a brand-new workspace. Returns the files written.
 */
export async function ensureWorkspace(
  dir: string,
  options: { skipBootstrap?: boolean } = {},
): Promise<string[]> {
  let isNew = false;
  try {
    await stat(dir);
  } catch {
    isNew = true;
  }
  await mkdir(dir, { recursive: true });
  if (options.skipBootstrap) return [];
  const written: string[] = [];
  for (const [name, content] of Object.entries(WORKSPACE_TEMPLATES)) {
    if (name === "BOOTSTRAP.md" && !isNew) continue;
    try {
      await writeFile(path.join(dir, name), content, { flag: "wx" });
      written.push(name);
    } catch {}
  }
  return written;
}

async function readCapped(file: string, maxChars: number): Promise<Omit<BootstrapFile, "name">> {
  try {
    const text = await readFile(file, "utf8");
    if (text.length <= maxChars)
      return { path: file, content: text, missing: false, truncated: false, originalChars: text.length };
    const head = Math.floor(maxChars * 0.7);
    const tail = maxChars - head;
    const content = `${text.slice(0, head)}\n\n[…truncated: ${text.length - maxChars} of ${text.length} chars omitted; read the file for the rest…]\n\n${text.slice(-tail)}`;
    return { path: file, content, missing: false, truncated: true, originalChars: text.length };
  } catch {
    return { path: file, missing: true, truncated: false, originalChars: 0 };
  }
}

/** False when `file` resolves (through a symlink) outside `dir`; memory stays in the workspace. */
async function resolvesInside(dir: string, file: string): Promise<boolean> {
  try {
    const [root, real] = await Promise.all([realpath(dir), realpath(file)]);
    const relative = path.relative(root, real);
    return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
  } catch {
    return true;
  }
}

const cache = new Map<string, { at: number; files: Promise<BootstrapFile[]> }>();
/** How long loaded bootstrap files are reused; edits through the agent's tools invalidate at once. */
export const BOOTSTRAP_CACHE_MS = 1_000;

/** Forget cached bootstrap files of a workspace (after write/edit/exec ran in it). */
export function invalidateBootstrapCache(dir?: string): void {
  if (!dir) cache.clear();
  else for (const key of cache.keys()) if (key.startsWith(`${dir}\u0000`)) cache.delete(key);
}

/** Like `loadBootstrapFiles`, reusing a result younger than BOOTSTRAP_CACHE_MS. */
export function loadBootstrapFilesCached(
  dir: string,
  options: { includeMemory: boolean; maxChars?: number; mode?: "full" | "minimal" },
): Promise<BootstrapFile[]> {
  const key = `${dir}\u0000${options.includeMemory}\u0000${options.maxChars ?? ""}\u0000${options.mode ?? "full"}`;
  const hit = cache.get(key);
  const now = Date.now();
  if (hit && now - hit.at < BOOTSTRAP_CACHE_MS) return hit.files;
  const files = loadBootstrapFiles(dir, options);
  cache.set(key, { at: now, files });
  files.catch(() => cache.delete(key));
  if (cache.size > 1_000) cache.delete(cache.keys().next().value!);
  return files;
}

/**
 * Load the bootstrap files for a run. MEMORY.md (or memory.md) is included only for the main
 * (private) session; sub-agents (`minimal`) get only AGENTS.md and TOOLS.md.
 */
export async function loadBootstrapFiles(
  dir: string,
  options: { includeMemory: boolean; maxChars?: number; mode?: "full" | "minimal" },
): Promise<BootstrapFile[]> {
  const maxChars = options.maxChars ?? DEFAULT_BOOTSTRAP_MAX_CHARS;
  const names: string[] = options.mode === "minimal" ? ["AGENTS.md", "TOOLS.md"] : [...BOOTSTRAP_FILES];
  const files = await Promise.all(
    names.map(async (name) => ({ name, ...(await readCapped(path.join(dir, name), maxChars)) })),
  );
  // BOOTSTRAP.md is a one-time ritual: absent is normal, so no missing marker for it.
  const result = files.filter((file) => !(file.name === "BOOTSTRAP.md" && file.missing));
  if (options.includeMemory && options.mode !== "minimal") {
    // a memory file that is a symlink leaving the workspace is not loaded (as in memory_get)
    const readMemory = async (name: string) =>
      (await resolvesInside(dir, path.join(dir, name)))
        ? { name, ...(await readCapped(path.join(dir, name), maxChars)) }
        : { name, path: path.join(dir, name), missing: true, truncated: false, originalChars: 0 };
    let memory = await readMemory("MEMORY.md");
    if (memory.missing) {
      const lower = await readMemory("memory.md");
      if (!lower.missing) memory = lower;
    }
    if (!memory.missing) result.push(memory);
  }
  return result;
}
