import * as fsp from "node:fs/promises";

export interface PermissionFinding {
  path: string;
  /** Octal mode, e.g. "644". */
  mode: string;
  kind: "file" | "directory";
  problem: "group_readable" | "world_readable" | "group_writable" | "world_writable" | "symlink";
  /** Mode a fix would set. */
  fixMode: number;
}

/**
 * Check that a secret file is 0600 and a state directory 0700 (no group/other bits). Returns
 * the problems found (none when the path is missing).
 */
export async function checkPrivatePermissions(path: string): Promise<PermissionFinding[]> {
  let stat: Awaited<ReturnType<typeof fsp.lstat>>;
  try {
    stat = await fsp.lstat(path);
  } catch {
    return [];
  }
  const kind = stat.isDirectory() ? "directory" : "file";
  const mode = stat.mode & 0o777;
  const fixMode = kind === "directory" ? 0o700 : 0o600;
  const base = { path, mode: mode.toString(8).padStart(3, "0"), kind } as const;
  const findings: PermissionFinding[] = [];
  if (stat.isSymbolicLink()) findings.push({ ...base, kind: "file", problem: "symlink", fixMode });
  if (mode & 0o002) findings.push({ ...base, problem: "world_writable", fixMode });
  if (mode & 0o020) findings.push({ ...base, problem: "group_writable", fixMode });
  if (mode & 0o004) findings.push({ ...base, problem: "world_readable", fixMode });
  if (mode & 0o040) findings.push({ ...base, problem: "group_readable", fixMode });
  return findings;
}
