import { execFile } from "node:child_process";
import { cp, lstat, mkdir, mkdtemp, open, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { isSafeSkillName, parseSkillFile, type SkillFrontmatter } from "./frontmatter.js";
import { MAX_SKILL_FILE_BYTES } from "./loader.js";

const run = promisify(execFile);

/** Limits of an installed skill folder. */
export const INSTALL_LIMITS = { maxFiles: 500, maxFileBytes: 1024 * 1024, maxTotalBytes: 10 * 1024 * 1024 };

/** A skill the scanner refused, with every reason. */
export class SkillInstallError extends Error {
  readonly code = "SKILL_REFUSED" as const;
  constructor(readonly reasons: string[]) {
    super(`skill refused: ${reasons.join("; ")}`);
  }
}

async function isExecutable(file: string, mode: number): Promise<boolean> {
  if (mode & 0o111) return true;
  const handle = await open(file, "r");
  try {
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    // scripts (#!) and ELF binaries count as executables whatever their mode
    return head.subarray(0, 2).toString() === "#!" || head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } finally {
    await handle.close();
  }
}

/**
 * Check a skill folder before it is installed: a valid SKILL.md, no symlinks or special files
 * (nothing that points outside the folder), no executable that `requires.bins` does not declare,
 * no oversized file. Returns the parsed frontmatter or throws SkillInstallError with the reasons.
 */
export async function scanSkillFolder(folder: string): Promise<SkillFrontmatter> {
  const reasons: string[] = [];
  let frontmatter: SkillFrontmatter | undefined;
  const skillFile = path.join(folder, "SKILL.md");
  const skillInfo = await lstat(skillFile).catch(() => undefined);
  if (!skillInfo?.isFile()) reasons.push("no SKILL.md file at the top of the folder");
  else if (skillInfo.size > MAX_SKILL_FILE_BYTES)
    reasons.push(`SKILL.md is over ${MAX_SKILL_FILE_BYTES / 1024} KiB`);
  else
    try {
      const { readFile } = await import("node:fs/promises");
      frontmatter = parseSkillFile(await readFile(skillFile, "utf8")).frontmatter;
    } catch (error) {
      reasons.push(`SKILL.md: ${(error as Error).message}`);
    }
  const declared = new Set([
    ...(frontmatter?.metadata.requires?.bins ?? []),
    ...(frontmatter?.metadata.requires?.anyBins ?? []),
  ]);
  let files = 0;
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = path.join(dir, name);
      const shown = path.relative(folder, full);
      const info = await lstat(full);
      if (info.isSymbolicLink()) {
        reasons.push(`${shown} is a symlink (files must live inside the skill folder)`);
        continue;
      }
      if (info.isDirectory()) {
        await walk(full);
        continue;
      }
      if (!info.isFile()) {
        reasons.push(`${shown} is not a regular file`);
        continue;
      }
      files++;
      total += info.size;
      if (info.size > INSTALL_LIMITS.maxFileBytes)
        reasons.push(`${shown} is too large (${info.size} bytes > ${INSTALL_LIMITS.maxFileBytes})`);
      if (await isExecutable(full, info.mode)) {
        const bin = path.basename(name, path.extname(name));
        if (!declared.has(bin) && !declared.has(name))
          reasons.push(`${shown} is an executable not declared in metadata.openclaw.requires.bins`);
      }
    }
  };
  await walk(folder);
  if (files > INSTALL_LIMITS.maxFiles) reasons.push(`too many files (${files} > ${INSTALL_LIMITS.maxFiles})`);
  if (total > INSTALL_LIMITS.maxTotalBytes)
    reasons.push(`the skill is too large (${total} bytes > ${INSTALL_LIMITS.maxTotalBytes})`);
  if (reasons.length || !frontmatter) throw new SkillInstallError(reasons);
  return frontmatter;
}

/** Refuse archives whose members leave the extraction folder or are links, before extracting. */
async function extractArchive(archive: string, into: string): Promise<void> {
  const { stdout } = await run("tar", ["-tvf", archive], { maxBuffer: 16 * 1024 * 1024 });
  const reasons: string[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.trim()) continue;
    const type = line[0];
    const member = line.split(/\s+/).slice(5).join(" ").split(" -> ")[0]!.split(" link to ")[0]!;
    if (type === "l" || type === "h") reasons.push(`archive member ${member} is a link`);
    else if (type !== "-" && type !== "d") reasons.push(`archive member ${member} is not a file or folder`);
    if (member.startsWith("/") || member.split("/").includes(".."))
      reasons.push(`archive member ${member} would be written outside the skill folder`);
  }
  if (reasons.length) throw new SkillInstallError(reasons);
  await run("tar", ["-xf", archive, "-C", into, "--no-same-owner", "--no-same-permissions"]);
}

/** The folder holding SKILL.md: the root, or its single top-level folder (ClawHub's archives). */
async function skillRoot(dir: string): Promise<string> {
  if (await lstat(path.join(dir, "SKILL.md")).catch(() => undefined)) return dir;
  const entries = (await readdir(dir, { withFileTypes: true })).filter(
    (entry) => !entry.name.startsWith("."),
  );
  const only = entries.length === 1 ? entries[0] : undefined;
  if (only?.isDirectory()) return path.join(dir, only.name);
  return dir;
}

export interface InstallResult {
  name: string;
  dir: string;
  replaced: boolean;
}

/**
 * Install a skill folder or archive (`.tar.gz`, `.tgz`, `.tar`: what the clawhub CLI downloads)
 * into `<stateDir>/skills/<name>`, after the scanner accepted it. Refuses to replace an installed
 * skill unless `force`.
 */
export async function installSkill(
  source: string,
  options: { stateDir: string; force?: boolean },
): Promise<InstallResult> {
  const managed = path.join(options.stateDir, "skills");
  await mkdir(managed, { recursive: true, mode: 0o700 });
  const staging = await mkdtemp(path.join(managed, ".install-"));
  try {
    const info = await lstat(source).catch(() => undefined);
    if (!info) throw new SkillInstallError([`${source} does not exist`]);
    let root: string;
    if (info.isDirectory()) {
      await cp(source, path.join(staging, "skill"), { recursive: true, verbatimSymlinks: true });
      root = path.join(staging, "skill");
    } else if (info.isFile() && /\.(tar\.gz|tgz|tar)$/i.test(source)) {
      await mkdir(path.join(staging, "unpacked"));
      await extractArchive(source, path.join(staging, "unpacked"));
      root = await skillRoot(path.join(staging, "unpacked"));
    } else
      throw new SkillInstallError([`${source} is neither a skill folder nor a .tar.gz/.tgz/.tar archive`]);
    const frontmatter = await scanSkillFolder(root);
    if (!isSafeSkillName(frontmatter.name))
      throw new SkillInstallError([`invalid skill name ${frontmatter.name}`]);
    const target = path.join(managed, frontmatter.name);
    if (path.dirname(target) !== managed)
      throw new SkillInstallError([`invalid skill name ${frontmatter.name}`]);
    const existing = await lstat(target).catch(() => undefined);
    if (existing && !options.force)
      throw new SkillInstallError([`${frontmatter.name} is already installed (use --force to replace it)`]);
    if (existing) await rm(target, { recursive: true, force: true });
    await rename(root, target);
    return { name: frontmatter.name, dir: target, replaced: Boolean(existing) };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
