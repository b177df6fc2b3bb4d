import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI_VERSION } from "../version.js";
import { runOnTerminal } from "./terminal-run.js";
import type { UpdateOptions } from "./update.js";

// `openclaw update` / `openclaw update status` (docs/cli.md "Updating"). Two kinds of install:
// a git checkout of this repository (pull, or a release tag, then scripts/bootstrap.sh builds it)
// and the npm package (`npm install -g @openclaw/cli@<dist-tag>`). Anything else is refused.

const PACKAGE = "@openclaw/cli";
const CHANNELS = ["stable", "beta", "dev"] as const;
type Channel = (typeof CHANNELS)[number];
/** The npm dist-tag each channel installs. */
const DIST_TAG: Record<Channel, string> = { stable: "latest", beta: "beta", dev: "dev" };

export type Install = { kind: "git" | "npm" | "unknown"; root: string };

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function fail(message: string, code = 1): void {
  process.stderr.write(`openclaw update: ${message}\n`);
  process.exitCode = code;
}

/** How the running CLI was installed: its package folder, then a checkout around it. */
export function detectInstall(from = fileURLToPath(import.meta.url)): Install {
  let packageRoot = dirname(from);
  for (let dir = dirname(from); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === PACKAGE) {
      packageRoot = dir;
      break;
    }
  }
  if (packageRoot.includes(`${sep}node_modules${sep}`)) return { kind: "npm", root: packageRoot };
  for (let dir = packageRoot; dir !== dirname(dir); dir = dirname(dir))
    if (existsSync(join(dir, ".git")) && existsSync(join(dir, "scripts", "bootstrap.sh")))
      return { kind: "git", root: dir };
  return { kind: "unknown", root: packageRoot };
}

function git(root: string, args: string[]): { ok: boolean; out: string; err: string } {
  const result = spawnSync("git", ["-C", root, ...args], { encoding: "utf8", timeout: 60_000 });
  return {
    ok: result.status === 0,
    out: (result.stdout ?? "").trim(),
    err: ((result.stderr ?? "").trim() || String(result.error ?? "")).split("\n")[0] ?? "",
  };
}

/** A command on this terminal (inherited stdio); resolves with its exit code (127: could not start). */
async function runInherited(command: string, args: string[], cwd?: string): Promise<number> {
  const result = await runOnTerminal(command, args, cwd);
  return result instanceof Error ? 127 : result;
}

async function configuredChannel(install: Install): Promise<Channel> {
  try {
    const { loadConfig } = await import("@openclaw/core/config");
    const { config } = await loadConfig({});
    const value = (config as { update?: { channel?: unknown } }).update?.channel;
    if (CHANNELS.includes(value as Channel)) return value as Channel;
  } catch {
    // an unreadable config does not stop an update: the install kind's default applies
  }
  return install.kind === "git" ? "dev" : "stable";
}

interface Packument {
  "dist-tags"?: Record<string, string>;
  versions?: Record<string, { engines?: { node?: string } }>;
}

async function fetchPackument(): Promise<Packument> {
  const registry = (process.env.npm_config_registry || "https://registry.npmjs.org/").replace(/\/?$/, "/");
  const response = await fetch(`${registry}${PACKAGE.replace("/", "%2f")}`, {
    headers: { accept: "application/json" },
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) throw new Error(`${registry} answered ${response.status}`);
  return (await response.json()) as Packument;
}

/** `>=a.b.c` (the form engines fields use) against this Node; other ranges are not checked. */
function nodeTooOld(range: string | undefined): string | undefined {
  const wanted = range?.match(/>=\s*v?(\d+)\.(\d+)\.(\d+)/);
  if (!wanted) return undefined;
  const have = process.versions.node.split(".").map(Number);
  for (let index = 0; index < 3; index++) {
    const need = Number(wanted[index + 1]);
    if ((have[index] ?? 0) > need) return undefined;
    if ((have[index] ?? 0) < need) return `${wanted[1]}.${wanted[2]}.${wanted[3]}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// update status

export async function updateStatus(options: { json?: boolean }, install = detectInstall()): Promise<void> {
  const channel = await configuredChannel(install);
  const status: Record<string, unknown> = {
    install: install.kind,
    root: install.root,
    channel,
    version: CLI_VERSION,
  };
  if (install.kind === "git") Object.assign(status, gitStatus(install.root));
  else if (install.kind === "npm") {
    try {
      const packument = await fetchPackument();
      const available = packument["dist-tags"]?.[DIST_TAG[channel]];
      status.available = available ?? null;
      status.updateAvailable = available !== undefined && available !== CLI_VERSION;
    } catch (error) {
      status.registryError = (error as Error).message;
    }
  }
  if (options.json) return print(JSON.stringify(status, null, 2));
  print(`Install: ${describeInstall(install, status)}`);
  print(`Channel: ${channel}`);
  print(`Version: ${CLI_VERSION}`);
  print(`Update: ${describeUpdate(install, status)}`);
}

function gitStatus(root: string): Record<string, unknown> {
  const changes = git(root, ["status", "--porcelain"]).out.split("\n").filter(Boolean).length;
  const status: Record<string, unknown> = {
    branch: git(root, ["rev-parse", "--abbrev-ref", "HEAD"]).out,
    commit: git(root, ["rev-parse", "--short", "HEAD"]).out,
    localChanges: changes,
  };
  const fetched = git(root, ["fetch", "--quiet"]);
  if (!fetched.ok) status.remoteError = fetched.err || "git fetch failed";
  else {
    const behind = git(root, ["rev-list", "--count", "HEAD..@{u}"]);
    if (behind.ok) status.behind = Number(behind.out);
    else status.remoteError = behind.err;
  }
  return status;
}

function describeInstall(install: Install, status: Record<string, unknown>): string {
  if (install.kind === "npm") return `npm package ${PACKAGE} (${install.root})`;
  if (install.kind === "unknown") return `unknown (${install.root}): update it the way you installed it`;
  const changes = status.localChanges as number;
  return `git checkout (${install.root}), ${status.branch} @ ${status.commit}, ${changes ? `${changes} local change(s)` : "clean"}`;
}

function describeUpdate(install: Install, status: Record<string, unknown>): string {
  if (install.kind === "git") {
    if (status.remoteError) return `unknown: could not reach the remote (${status.remoteError})`;
    const behind = status.behind as number;
    return behind ? `${behind} commit(s) behind; run \`openclaw update\`` : "up to date";
  }
  if (install.kind === "npm") {
    if (status.registryError) return `unknown: ${status.registryError}`;
    if (status.available === null) return `no version on the ${DIST_TAG[status.channel as Channel]} tag`;
    return status.updateAvailable ? `${status.available} available; run \`openclaw update\`` : "up to date";
  }
  return "n/a";
}

// ---------------------------------------------------------------------------------------------
// update

export async function runUpdate(options: UpdateOptions, install = detectInstall()): Promise<void> {
  if (options.channel !== undefined && !CHANNELS.includes(options.channel as Channel))
    return fail(`unknown --channel "${options.channel}" (stable, beta or dev)`, 2);
  if (install.kind === "unknown")
    return fail(
      `cannot tell how this copy was installed (${install.root}); update it the way you installed it`,
    );
  const channel = (options.channel as Channel | undefined) ?? (await configuredChannel(install));
  const what = `${install.kind === "git" ? `the checkout in ${install.root}` : PACKAGE} to ${options.tag ?? `the ${channel} channel`}`;
  if (!options.yes) {
    if (!process.stdin.isTTY)
      return fail(
        "pass --yes to update without a terminal (it installs a new version and restarts the gateway)",
        2,
      );
    const { readStdinLine } = await import("./models-impl.js");
    const answer = await readStdinLine(`Update ${what}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) return print("Nothing changed.");
  }
  const updated =
    install.kind === "git"
      ? await updateCheckout(install.root, channel, options.tag)
      : await updateNpmPackage(channel, options.tag);
  if (updated === undefined) return;
  if (options.channel) await rememberChannel(options.channel as Channel);
  if (!updated) return;
  if (options.restart === false) return print("Restart the gateway to use it: openclaw gateway restart");
  await restartGateway();
}

/** true: changed, false: already there, undefined: failed (reported). */
async function updateCheckout(root: string, channel: Channel, tag?: string): Promise<boolean | undefined> {
  if (git(root, ["status", "--porcelain"]).out) {
    fail(`${root} has local changes: commit or stash them first (git status)`);
    return undefined;
  }
  const before = git(root, ["rev-parse", "--short", "HEAD"]).out;
  const target = tag ?? (channel === "dev" ? undefined : releaseTag(root, channel));
  if (target === null) {
    fail(
      `no ${channel === "stable" ? "release" : "release or pre-release"} tag (v*) in ${root}; use --channel dev`,
    );
    return undefined;
  }
  const moved = target
    ? git(root, ["-c", "advice.detachedHead=false", "checkout", "--detach", target])
    : git(root, ["pull", "--ff-only"]);
  if (!moved.ok) {
    fail(`${target ? `git checkout ${target}` : "git pull --ff-only"} failed: ${moved.err}`);
    return undefined;
  }
  const after = git(root, ["rev-parse", "--short", "HEAD"]).out;
  if (after === before) {
    print(`Already up to date (${after}${target ? `, ${target}` : ""}).`);
    return false;
  }
  print(`Updated ${before} → ${after}${target ? ` (${target})` : ""}; building…`);
  const built = await runInherited("bash", [join(root, "scripts", "bootstrap.sh")], root);
  if (built !== 0) {
    fail(
      `the build failed (exit ${built}); the checkout is at ${after}: run ./scripts/bootstrap.sh to retry`,
    );
    return undefined;
  }
  print("Build done.");
  return true;
}

/** The newest v* tag for the channel (stable: no pre-release part), null when there is none. */
function releaseTag(root: string, channel: Channel): string | null {
  git(root, ["fetch", "--tags", "--quiet"]);
  const tags = git(root, ["tag", "--list", "v*", "--sort=-v:refname"]).out.split("\n").filter(Boolean);
  return tags.find((name) => channel === "beta" || !name.includes("-")) ?? null;
}

async function updateNpmPackage(channel: Channel, tag?: string): Promise<boolean | undefined> {
  const wanted = tag ?? DIST_TAG[channel];
  let packument: Packument;
  try {
    packument = await fetchPackument();
  } catch (error) {
    fail(`could not read ${PACKAGE} from the npm registry: ${(error as Error).message}`);
    return undefined;
  }
  const version = packument["dist-tags"]?.[wanted] ?? (packument.versions?.[wanted] ? wanted : undefined);
  if (!version) {
    fail(`${PACKAGE} has no version or dist-tag "${wanted}"`);
    return undefined;
  }
  const needs = nodeTooOld(packument.versions?.[version]?.engines?.node);
  if (needs) {
    fail(
      `${PACKAGE}@${version} needs Node >= ${needs} (this is ${process.versions.node}); nothing was installed`,
    );
    return undefined;
  }
  if (version === CLI_VERSION) {
    print(`Already up to date (${version}).`);
    return false;
  }
  print(`Installing ${PACKAGE}@${version} (npm install -g)…`);
  const code = await runInherited("npm", [
    "install",
    "-g",
    "--no-fund",
    "--no-audit",
    `${PACKAGE}@${version}`,
  ]);
  if (code !== 0) {
    fail(`npm install -g ${PACKAGE}@${version} failed (exit ${code}); the installed version is unchanged`);
    return undefined;
  }
  print(`Updated ${CLI_VERSION} → ${version}.`);
  return true;
}

async function rememberChannel(channel: Channel): Promise<void> {
  const { editConfigFile } = await import("@openclaw/core/config");
  await editConfigFile(() => [{ op: "set", path: ["update", "channel"], value: channel }] as never);
  print(`update.channel set to ${channel}.`);
}

async function restartGateway(): Promise<void> {
  const { serviceState, serviceCommand } = await import("./gateway-service.js");
  const { readLock } = await import("./gateway-local.js");
  if (!serviceState().installed && !readLock())
    return print("No gateway running: start it with `openclaw gateway`.");
  await serviceCommand("restart", {});
}
