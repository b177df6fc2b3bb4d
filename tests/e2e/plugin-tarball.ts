import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, readdir, readFile, realpath, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { type CliResult, cli } from "./cli-harness.js";

// What the plugin tarball e2e files share: the four channel packages the CLI bundles (WhatsApp,
// Signal, Matrix, Mattermost) installed the way a third party's plugin is — `pnpm pack` of the
// built package, then the real `openclaw plugins install <file.tgz>` — into an OpenClaw that does
// not bundle them. `plugins install` refuses a bundled plugin's id (docs/plugins.md), so the CLI
// runs from a scratch install: its built dist and its dependencies, with these four removed from
// its package.json (which is where the bundled plugins come from).

const run = promisify(execFile);
const repo = path.join(import.meta.dirname, "../..");
const appDir = path.join(repo, "apps/openclaw");

export const TARBALL_CHANNELS = ["whatsapp", "signal", "matrix", "mattermost"] as const;
export type TarballChannel = (typeof TARBALL_CHANNELS)[number];

/** `openclaw` from `<dir>/cli`: the built CLI without the four channel packages. Returns the CLI path. */
export async function scratchCli(dir: string): Promise<string> {
  if (!existsSync(cli))
    throw new Error(`build the CLI first (pnpm turbo run build --filter=@openclaw/cli...): ${cli}`);
  const modules = path.join(dir, "cli/node_modules");
  const home = path.join(modules, "@openclaw/cli");
  await mkdir(home, { recursive: true });
  await cp(path.join(appDir, "dist"), path.join(home, "dist"), { recursive: true });
  const manifest = JSON.parse(await readFile(path.join(appDir, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const left = new Set(TARBALL_CHANNELS.map((id) => `@openclaw/channels-${id}`));
  for (const name of left) delete manifest.dependencies[name];
  await writeFile(path.join(home, "package.json"), JSON.stringify(manifest, null, 2));
  // the CLI's other dependencies, as pnpm linked them for it
  const source = path.join(appDir, "node_modules");
  for (const entry of await readdir(source)) {
    if (entry.startsWith(".")) continue;
    const names = entry.startsWith("@")
      ? (await readdir(path.join(source, entry))).map((name) => `${entry}/${name}`)
      : [entry];
    for (const name of names) {
      if (left.has(name) || name === "@openclaw/cli") continue;
      await mkdir(path.dirname(path.join(modules, name)), { recursive: true });
      await symlink(await realpath(path.join(source, name)), path.join(modules, name));
    }
  }
  return path.join(home, "dist/cli.js");
}

/** `pnpm pack` of a channel package's built dist (built first when a fresh checkout has none). */
export async function packChannel(id: TarballChannel, dest: string): Promise<string> {
  const pkgDir = path.join(repo, `packages/channels-${id}`);
  if (!existsSync(path.join(pkgDir, "dist/index.js")))
    await run("pnpm", ["build"], { cwd: pkgDir, timeout: 120_000 });
  const { version } = JSON.parse(await readFile(path.join(pkgDir, "package.json"), "utf8")) as {
    version: string;
  };
  await run("pnpm", ["pack", "--pack-destination", dest], { cwd: pkgDir, timeout: 60_000 });
  return path.join(dest, `openclaw-channels-${id}-${version}.tgz`);
}

/** Run the scratch CLI with a scratch HOME and state dir (npm's cache preferred, as in CI). */
export function runScratchCli(
  cliPath: string,
  args: string[],
  dir: string,
  timeout = 120_000,
): Promise<CliResult> {
  // the machine's npm setup (certificates, cache, user config) stays; HOME and the state dir are scratch
  const realHome = process.env.HOME ?? "";
  const inherited = Object.entries(process.env).filter(([key]) => !key.startsWith("OPENCLAW_"));
  const env: NodeJS.ProcessEnv = {
    // npm's own cache and user config stay those of the real HOME (defaults unless already set)
    npm_config_cache: path.join(realHome, ".npm"),
    ...(existsSync(path.join(realHome, ".npmrc"))
      ? { npm_config_userconfig: path.join(realHome, ".npmrc") }
      : {}),
    ...Object.fromEntries(inherited),
    HOME: path.join(dir, "home"),
    OPENCLAW_STATE_DIR: path.join(dir, "state"),
    npm_config_prefer_offline: "true",
  };
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [cliPath, ...args], { env, timeout }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

/**
 * The test each file runs for one channel: pack it, `openclaw plugins install <tgz>` with the
 * scratch CLI, then `plugins list` shows it installed, `plugins info` loads its module (with the
 * vendor library npm installed next to it, and no workspace package).
 */
export async function installChannelTarball(id: TarballChannel, vendorLibrary: string, dir: string) {
  const [cliPath, tarball] = await Promise.all([scratchCli(dir), packChannel(id, dir)]);
  const installed = await runScratchCli(cliPath, ["plugins", "install", tarball], dir);
  const extension = path.join(dir, "state/extensions", id);
  const list = await runScratchCli(cliPath, ["plugins", "list", "--json"], dir, 30_000);
  const info = await runScratchCli(cliPath, ["plugins", "info", id], dir, 30_000);
  return {
    installed,
    listed: (JSON.parse(list.stdout || "{}") as { plugins?: Record<string, unknown>[] }).plugins?.find(
      (plugin) => plugin.id === id,
    ),
    info,
    hasVendorLibrary: existsSync(path.join(extension, "node_modules", vendorLibrary, "package.json")),
    hasWorkspacePackages: existsSync(path.join(extension, "node_modules/@openclaw")),
  };
}
