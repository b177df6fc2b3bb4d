import { type Dirent, readFileSync } from "node:fs";
import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isSafeSkillName, parseSkillFile, type SkillFrontmatter } from "./frontmatter.js";

/** Where a skill was found, highest precedence first (OpenClaw's source names). */
export type SkillSource =
  | "openclaw-workspace"
  | "agents-skills-project"
  | "agents-skills-personal"
  | "openclaw-managed"
  | "openclaw-bundled"
  | "openclaw-extra";

export interface SkillEntry {
  name: string;
  description: string;
  source: SkillSource;
  /** The SKILL.md file. */
  filePath: string;
  /** The skill's folder (`{baseDir}` in its text). */
  baseDir: string;
  frontmatter: SkillFrontmatter;
  /** The instructions after the frontmatter. */
  body: string;
}

/** A SKILL.md that was refused, and why. */
export type SkillProblem = {
  path: string;
  reason: string;
};

export interface SkillRoots {
  workspaceDir: string;
  /** `~/.openclaw` (managed skills live in `<stateDir>/skills`). */
  stateDir: string;
  homeDir: string;
  /** Default: the `skills/` folder shipped with this package. */
  bundledDir?: string;
  extraDirs?: string[];
}

/** Largest SKILL.md read (an agent never needs more to decide). */
export const MAX_SKILL_FILE_BYTES = 256 * 1024;

/** The bundled skills: the `skills/` folder at the root of this package (from `src/` or `dist/`). */
export function bundledSkillsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string };
      if (manifest.name === "@openclaw/core") return path.join(dir, "skills");
    } catch {}
    dir = path.dirname(dir);
  }
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "skills");
}

/** The skill folders in precedence order: workspace > .agents (project) > ~/.agents > managed > bundled > extra. */
export function skillDirs(roots: SkillRoots): Array<{ dir: string; source: SkillSource }> {
  const expand = (dir: string) => path.resolve(roots.workspaceDir, dir.replace(/^~(?=$|\/)/, roots.homeDir));
  return [
    { dir: path.join(roots.workspaceDir, "skills"), source: "openclaw-workspace" },
    { dir: path.join(roots.workspaceDir, ".agents", "skills"), source: "agents-skills-project" },
    { dir: path.join(roots.homeDir, ".agents", "skills"), source: "agents-skills-personal" },
    { dir: path.join(roots.stateDir, "skills"), source: "openclaw-managed" },
    { dir: roots.bundledDir ?? bundledSkillsDir(), source: "openclaw-bundled" },
    ...(roots.extraDirs ?? []).map((dir) => ({ dir: expand(dir), source: "openclaw-extra" as const })),
  ];
}

/** Read one skill folder's SKILL.md (a regular file inside the folder, not a symlink). */
export async function readSkillFolder(
  folder: string,
  source: SkillSource,
): Promise<{ entry?: SkillEntry; problem?: SkillProblem }> {
  const filePath = path.join(folder, "SKILL.md");
  const info = await lstat(filePath).catch(() => undefined);
  if (!info) return {};
  if (!info.isFile())
    return { problem: { path: filePath, reason: "SKILL.md is not a regular file (symlink?)" } };
  if (info.size > MAX_SKILL_FILE_BYTES)
    return { problem: { path: filePath, reason: `SKILL.md is over ${MAX_SKILL_FILE_BYTES / 1024} KiB` } };
  try {
    const { frontmatter, body } = parseSkillFile(await readFile(filePath, "utf8"));
    return {
      entry: {
        name: frontmatter.name,
        description: frontmatter.description,
        source,
        filePath,
        baseDir: folder,
        frontmatter,
        body,
      },
    };
  } catch (error) {
    return { problem: { path: filePath, reason: (error as Error).message } };
  }
}

/**
 * Every skill visible from these roots; a name found in several folders resolves to the one of
 * highest precedence. Folder names must be plain names (no `..`, no separators); symlinked
 * folders are not followed.
 */
export async function loadSkills(
  roots: SkillRoots,
): Promise<{ skills: SkillEntry[]; problems: SkillProblem[] }> {
  const byName = new Map<string, SkillEntry>();
  const problems: SkillProblem[] = [];
  for (const { dir, source } of skillDirs(roots)) {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    // by code unit, as elsewhere: localeCompare would page in ICU's collation data (~3 MB) on the first turn
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const folder of entries) {
      if (folder.name.startsWith(".")) continue;
      const full = path.join(dir, folder.name);
      if (folder.isSymbolicLink()) {
        problems.push({ path: full, reason: "skill folder is a symlink (not followed)" });
        continue;
      }
      if (!folder.isDirectory()) continue;
      if (!isSafeSkillName(folder.name)) {
        problems.push({ path: full, reason: `folder name "${folder.name}" is not a valid skill name` });
        continue;
      }
      const { entry, problem } = await readSkillFolder(full, source);
      if (problem) problems.push(problem);
      if (entry && !byName.has(entry.name)) byName.set(entry.name, entry);
    }
  }
  return { skills: [...byName.values()], problems };
}
