import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { cp, lstat, mkdir, mkdtemp, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, posix, resolve } from "node:path";
import type { PluginPackage } from "@openclaw/core/plugins";

/** A refused install: a stable code and a message naming the problem. */
export class PluginInstallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "PluginInstallError";
  }
}

export type InstallSource = "path" | "archive" | "npm";

export interface InstalledPlugin {
  id: string;
  kind: string;
  source: InstallSource;
  spec: string;
  installPath: string;
  version?: string;
  replaced: boolean;
}

const MAX_ARCHIVE_BYTES = 256 * 1024 * 1024;

function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      command,
      args,
      { cwd, maxBuffer: 16 * 1024 * 1024, timeout: 300_000 },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`${command} ${args.join(" ")} failed: ${(stderr || error.message).trim()}`));
        else resolvePromise(stdout);
      },
    );
  });
}

/** The one top directory every entry sits in (`package/` for `npm pack`), or undefined. */
function commonTop(paths: string[]): string | undefined {
  const tops = new Set(paths.map((path) => path.replace(/^\.\//, "").split("/")[0]));
  return tops.size === 1 ? [...tops][0] : undefined;
}

/**
 * Check every entry of an archive before anything is written: no absolute path, no `..`, no
 * link leaving the package, no device; then extract (into a fresh private directory).
 */
export async function extractArchive(file: string, into: string): Promise<void> {
  const { extract, list } = await import("tar");
  const entries: { path: string; type: string; linkpath?: string; size: number }[] = [];
  try {
    await list({
      file,
      strict: true,
      onEntry: (entry) => {
        entries.push({
          path: entry.path,
          type: entry.type,
          size: entry.size ?? 0,
          ...(entry.linkpath ? { linkpath: entry.linkpath } : {}),
        });
      },
    });
  } catch (error) {
    throw new PluginInstallError(
      "ARCHIVE_INVALID",
      `${file}: not a readable tar archive (${(error as Error).message})`,
    );
  }
  if (!entries.length) throw new PluginInstallError("ARCHIVE_INVALID", `${file}: the archive is empty`);
  let total = 0;
  for (const entry of entries) {
    const path = entry.path.replace(/\\/g, "/");
    const escapes = (target: string) => target.split("/").includes("..");
    if (posix.isAbsolute(path) || /^[a-zA-Z]:/.test(path) || escapes(path))
      throw new PluginInstallError(
        "ARCHIVE_UNSAFE",
        `${file}: entry "${entry.path}" leaves the plugin directory; nothing was installed`,
      );
    if (entry.type === "SymbolicLink" || entry.type === "Link") {
      const target = (entry.linkpath ?? "").replace(/\\/g, "/");
      const from = entry.type === "Link" ? "" : posix.dirname(path);
      const landed = posix.normalize(posix.join(from, target));
      if (posix.isAbsolute(target) || landed === ".." || landed.startsWith("../"))
        throw new PluginInstallError(
          "ARCHIVE_UNSAFE",
          `${file}: link "${entry.path}" -> "${entry.linkpath}" points outside the plugin directory; nothing was installed`,
        );
    } else if (entry.type !== "File" && entry.type !== "OldFile" && entry.type !== "Directory")
      throw new PluginInstallError(
        "ARCHIVE_UNSAFE",
        `${file}: entry "${entry.path}" is a ${entry.type}; nothing was installed`,
      );
    total += entry.size;
  }
  if (total > MAX_ARCHIVE_BYTES)
    throw new PluginInstallError(
      "ARCHIVE_TOO_LARGE",
      `${file}: unpacks to more than ${MAX_ARCHIVE_BYTES} bytes`,
    );
  const top = commonTop(entries.map((entry) => entry.path));
  const strip =
    top && entries.every((entry) => entry.path.replace(/^\.\//, "") !== top || entry.type === "Directory")
      ? 1
      : 0;
  await extract({ file, cwd: into, strict: true, strip });
}

/** fsync every file and directory under `dir` (the staged copy is durable before it is renamed in). */
async function syncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await syncTree(path);
    else if (entry.isFile()) {
      const handle = await open(path, "r");
      await handle.sync().finally(() => handle.close());
    }
  }
  const handle = await open(dir, "r");
  await handle.sync().finally(() => handle.close());
}

/** Copy a plugin folder (without node_modules and .git), refusing symlinks that leave it. */
async function copyFolder(from: string, into: string): Promise<void> {
  const root = resolve(from);
  await cp(root, into, {
    recursive: true,
    verbatimSymlinks: true,
    filter: async (source) => {
      const rel = source.slice(root.length + 1).split(/[\\/]/);
      if (rel[0] === "node_modules" || rel[0] === ".git") return false;
      const stat = await lstat(source);
      if (stat.isSymbolicLink()) {
        const { readlink } = await import("node:fs/promises");
        const target = resolve(dirname(source), await readlink(source));
        if (target !== root && !target.startsWith(`${root}/`))
          throw new PluginInstallError(
            "ARCHIVE_UNSAFE",
            `${source} is a symlink to ${target}, outside the plugin; nothing was installed`,
          );
      }
      return true;
    },
  });
}

/** `npm pack <spec>` into `dir`: the tarball's path. */
async function npmPack(spec: string, dir: string): Promise<string> {
  const out = await run("npm", ["pack", spec, "--pack-destination", dir, "--json", "--ignore-scripts"], dir);
  let name: string | undefined;
  try {
    name = (JSON.parse(out) as { filename?: string }[])[0]?.filename;
  } catch {
    name = out.trim().split("\n").at(-1);
  }
  if (!name) throw new PluginInstallError("NPM_PACK_FAILED", `npm pack ${spec} produced no archive`);
  return join(dir, name.replace(/^@/, "").replace(/\//g, "-"));
}

/** Runtime dependencies of a staged package, installed without scripts (none: nothing to do). */
async function installDependencies(dir: string): Promise<void> {
  const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  if (!pkg.dependencies || !Object.keys(pkg.dependencies).length || existsSync(join(dir, "node_modules")))
    return;
  // npm resolves devDependencies even with --omit=dev; they are never installed here, and a
  // plugin's build-time packages (unpublished workspace ones included) must not fail the install
  const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as Record<string, unknown>;
  if (manifest.devDependencies) {
    delete manifest.devDependencies;
    await writeFile(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  }
  await run(
    "npm",
    ["install", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--no-package-lock"],
    dir,
  );
}

function classify(spec: string): InstallSource {
  if (existsSync(spec)) return statSync(spec).isDirectory() ? "path" : "archive";
  if (/^(\.{1,2}[\\/]|\/|~)/.test(spec) || /\.(tgz|tar\.gz|tar)$/.test(spec))
    throw new PluginInstallError("NOT_FOUND", `${spec}: no such file or directory`);
  return "npm";
}

/**
 * Install a plugin into `<stateDir>/extensions/<id>`: stage it in a private directory next to the
 * target (folder copy, checked archive extraction, or `npm pack` + extraction), read and check its
 * manifest, install its runtime dependencies, fsync it, then rename it into place (a replaced
 * copy is moved aside first and removed last). A crash leaves either the old plugin or the new
 * one, plus a `.staging-*` directory that discovery ignores and the next install removes.
 */
export async function installPlugin(options: {
  spec: string;
  stateDir: string;
  /** Ids that may not be installed over (the bundled plugins). */
  reservedIds?: ReadonlySet<string>;
  force?: boolean;
  cwd?: string;
}): Promise<InstalledPlugin> {
  const { readPluginPackage } = await import("@openclaw/core/plugins");
  const extensions = join(options.stateDir, "extensions");
  await mkdir(extensions, { recursive: true, mode: 0o700 });
  for (const name of await readdir(extensions))
    if (name.startsWith(".staging-") || name.startsWith(".replaced-"))
      await rm(join(extensions, name), { recursive: true, force: true });
  const spec = options.spec.startsWith("~/")
    ? join(process.env.HOME ?? "", options.spec.slice(2))
    : options.spec;
  const local = isAbsolute(spec) ? spec : resolve(options.cwd ?? process.cwd(), spec);
  const source = classify(existsSync(local) ? local : spec);
  const staging = await mkdtemp(join(extensions, ".staging-"));
  const staged = join(staging, "package");
  let downloads: string | undefined;
  try {
    await mkdir(staged, { mode: 0o700 });
    if (source === "path") await copyFolder(local, staged);
    else if (source === "archive") await extractArchive(local, staged);
    else {
      downloads = await mkdtemp(join(tmpdir(), "openclaw-plugin-"));
      await extractArchive(await npmPack(spec, downloads), staged);
    }
    let pkg: PluginPackage;
    try {
      pkg = readPluginPackage(staged);
    } catch (error) {
      throw new PluginInstallError(
        (error as { code?: string }).code ?? "PLUGIN_MANIFEST_INVALID",
        (error as Error).message.replaceAll(staged, options.spec),
      );
    }
    const { id } = pkg.manifest;
    if (options.reservedIds?.has(id))
      throw new PluginInstallError(
        "PLUGIN_ID_CONFLICT",
        `plugin id "${id}" is a bundled plugin's; give your plugin another id (openclaw.plugin.json "id")`,
      );
    const target = join(extensions, id);
    const replaced = existsSync(target);
    if (replaced && !options.force)
      throw new PluginInstallError(
        "PLUGIN_EXISTS",
        `plugin "${id}" is already installed in ${target}; use --force to replace it, or openclaw plugins uninstall ${id}`,
      );
    await installDependencies(staged);
    await syncTree(staged);
    const aside = join(extensions, `.replaced-${id}-${randomBytes(4).toString("hex")}`);
    if (replaced) await rename(target, aside);
    await rename(staged, target);
    const dir = await open(extensions, "r");
    await dir.sync().finally(() => dir.close());
    if (replaced) await rm(aside, { recursive: true, force: true });
    return {
      id,
      kind: pkg.manifest.kind,
      source,
      spec: source === "npm" ? spec : local,
      installPath: target,
      ...((pkg.manifest.version ?? pkg.packageVersion)
        ? { version: pkg.manifest.version ?? pkg.packageVersion }
        : {}),
      replaced,
    };
  } finally {
    await rm(staging, { recursive: true, force: true });
    if (downloads) await rm(downloads, { recursive: true, force: true });
  }
}

/** Remove `<stateDir>/extensions/<id>` (moved aside first, so a crash never leaves half a plugin). */
export async function removeInstalledPlugin(stateDir: string, id: string): Promise<boolean> {
  const target = join(stateDir, "extensions", id);
  if (!existsSync(target)) return false;
  const aside = join(stateDir, "extensions", `.replaced-${id}-${randomBytes(4).toString("hex")}`);
  await rename(target, aside);
  await rm(aside, { recursive: true, force: true });
  return true;
}
